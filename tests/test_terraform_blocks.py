"""Terraform files cut into top-level blocks parse to the same blocks, at the same places, as whole files."""

from __future__ import annotations

from pathlib import Path

import pytest

from iam_saas_lint.sources.terraform import blocks, module
from iam_saas_lint.sources.terraform.hcl import parse_hcl
from iam_saas_lint.sources.terraform.module import _trim_heredoc_markers, load_module, read_body, span_of
from iam_saas_lint.sources.text.files import TextFile

REPO = Path(__file__).resolve().parent.parent
TRICKY = r"""# a comment with { and "
// another }
/* a block comment { */
resource "aws_iam_role" "r" {
  name = "braces } in { a string \" and an escaped quote"
  description = "${jsonencode({a = "}"})} and $${literal} and %{ if true }x%{ endif }"
  assume_role_policy = <<-EOF
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    } unbalanced inside the heredoc {
    EOF
  tags = { a = "b" } # trailing } comment
}

locals { one = { three = 3 } }
  data "aws_iam_policy_document" "d" {
  statement {
    actions = ["*"] /* } */
  }
}
variable "v" {}
"""


def _blocks_of(text: str) -> list[tuple[str, tuple[str, ...], tuple[int, int, int, int]]]:
    tree = parse_hcl(_trim_heredoc_markers(text))  # as the reader parses a file
    body = read_body(tree.body, "f.tf")
    found = []
    for block in body.blocks:
        span = span_of(block.node, "f.tf")
        found.append((block.kind, block.labels, (span.line, span.column, span.end_line, span.end_column)))
    return found


def _fixture_texts() -> list[Path]:
    return sorted(p for p in (REPO / "fixtures").rglob("*.tf") if "hostile" not in p.parts and "broken" not in p.parts)


@pytest.mark.parametrize("name", ["tricky", *(str(p.relative_to(REPO)) for p in _fixture_texts())])
def test_blocks_parse_to_the_same_places_as_the_whole_file(name: str) -> None:
    text = TRICKY if name == "tricky" else (REPO / name).read_text()
    found = blocks.split(text)
    assert found is not None
    alone = [item for block in found for item in _blocks_of(blocks.padded(text, block))]
    assert alone == _blocks_of(text)


@pytest.mark.parametrize(
    "text",
    [
        'x = 1\nresource "a" "b" {}\n',  # an attribute at the top: a .tfvars-like file
        'resource "a" "b" {\n',  # never closed
        'resource "a" "b" {\n  x = "unterminated\n}\n',
        'resource "a" "b" {\n  x = <<EOF\nno end\n}\n',
        'resource "a" "b" {\n  x = "${' * 3000 + "}",
    ],
)
def test_what_split_does_not_understand_is_parsed_whole(text: str) -> None:
    assert blocks.split(text) is None


def test_a_block_cut_wrong_falls_back_to_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "main.tf"
    path.write_text(TRICKY)
    right = load_module(str(tmp_path), [str(path)], 1 << 20)

    def cut_wrong(text: str) -> list[blocks.Block] | None:
        found = blocks.split(text)
        assert found
        return [blocks.Block(found[0].start, found[0].end - 3, found[0].header), *found[1:]]

    monkeypatch.setattr(module, "split", cut_wrong)
    wrong = load_module(str(tmp_path), [str(path)], 1 << 20)
    assert wrong.problems == right.problems == []
    assert sorted(wrong.declarations) == sorted(right.declarations)
    assert str(path) in wrong.whole


def test_only_the_blocks_a_verdict_needs_are_parsed(tmp_path: Path) -> None:
    filler = "".join(f'resource "aws_instance" "i{i}" {{\n  ami = "ami-{i}"\n}}\n' for i in range(50))
    (tmp_path / "main.tf").write_text(filler + 'resource "aws_iam_role" "r" {\n  name = var.name\n}\n')
    (tmp_path / "variables.tf").write_text('variable "name" {\n  default = "r"\n}\nvariable "unused" {}\n')
    loaded = load_module(str(tmp_path), sorted(str(p) for p in tmp_path.iterdir()), 1 << 20)
    assert [key for key in loaded.declarations] == [("resource", "aws_iam_role", "r")]
    assert loaded.variable("name", str(tmp_path / "main.tf")) is not None
    assert sorted(loaded.variables) == ["name"]
    assert len(loaded.pending) == 51  # the instances and the unused variable: never parsed


def test_padded_text_keeps_lines_and_columns() -> None:
    text = 'a {\n}\n\n\n   b "x" {\n  y = 1\n}\n'
    found = blocks.split(text)
    assert found is not None and [b.header for b in found] == ["a", 'b "x"']
    padded = blocks.padded(text, found[1])
    assert padded.splitlines()[4] == '   b "x" {'
    assert isinstance(TextFile("f", padded).text, str)
