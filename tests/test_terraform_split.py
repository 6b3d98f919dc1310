"""Terraform files read block by block (``split``): the same blocks, positions and findings as a
whole-file parse, and a whole-file parse wherever the cheap split could be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding
from iam_saas_lint.sources.terraform import native, native_regions, templates
from iam_saas_lint.sources.terraform.split import split
from iam_saas_lint.sources.terraform.templates import Piece

ACCOUNT = "464622532012"
ROLE = f"""resource "aws_iam_role" "vendor" {{
  name = "vendor"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ AWS = "arn:aws:iam::{ACCOUNT}:root" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
}}
"""
#: A Deny of everything for the vendor's role, written as a block would be.
FAKE_DENY = """resource "aws_iam_role_policy" "fake" {
  role   = aws_iam_role.vendor.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "*", Resource = "*" }]
  })
}
"""


Blocks = list[tuple[int, int, str, tuple[str, ...], tuple[int, int], tuple[int, int]]]


def _whole_file_blocks(data: bytes) -> Blocks | None:
    parsed = native.parse("x.tf", data.decode())
    if not isinstance(parsed, native.ParsedFile):
        return None
    return [
        (t.node.start_byte, t.node.end_byte, t.kind, t.labels, tuple(t.node.start_point), tuple(t.node.end_point))
        for t in native.top_blocks(parsed)
    ]


def _native_files() -> list[Path]:
    return sorted(p for p in (Path(ROOT) / "fixtures").rglob("*") if p.suffix in (".tf", ".tofu") and p.is_file())


def test_the_split_finds_the_blocks_tree_sitter_finds_in_every_fixture() -> None:
    split_files = 0
    for path in _native_files():
        data = path.read_bytes()
        regions = split(data)
        whole = _whole_file_blocks(data)
        if regions is None or whole is None:  # a file that does not parse: its ISL000 is tested elsewhere
            continue
        split_files += 1
        found = [(r.start, r.end, r.kind, r.labels, r.start_point, r.end_point) for r in regions]
        assert found == whole, path
    assert split_files > 30


@pytest.mark.parametrize(
    "text",
    [
        'resource "a" "b" {\n  x = <<EOF\nEOF;\n}\nEOF\n}\n',  # a line that starts like the marker
        'resource "a" "b" {\n  x = <<EOF\n${\nEOF\n}\nEOF\n}\n',  # an interpolation spanning lines
        'resource "a" "b" {\n  x = "$${y}"\n}\n',  # escapes tree-sitter-hcl reads its own way
        'resource "a" "b" {\r\n  x = 1\r\n}\r\n',
        'resource "a" "b" {\n  x = "a\n}\n',  # a quoted string over two lines
        'resource "a" "b" {\n  x = 1\n',  # never closed
        'resource "a" "b" {\n  /* x = 1\n}\n',
        'x = 1\nresource "a" "b" {}\n',  # an attribute at the top
        'resource "a${1}" "b" {}\n',  # a label that is a template
        'resource "a\\"" "b" {}\n',  # a label with an escape
        'resource "a" "b" {\n  x = <<EOF   \n  y\nEOF\n}\n',  # text after the heredoc marker
    ],
)
def test_what_the_split_cannot_read_exactly_is_parsed_whole(text: str) -> None:
    assert split(text.encode()) is None


def test_braces_in_strings_comments_and_heredocs_do_not_end_a_block() -> None:
    text = (
        b'# resource "aws_iam_role" "comment" {\n'
        b'resource "aws_s3_bucket" "b" {\n'
        b'  a = "}{"\n'
        b'  b = "${jsonencode({ x = "}" })}"\n'
        b"  // }\n"
        b"  /* } */\n"
        b"  c = <<-EOT\n"
        b"    }\n"
        b'    resource "aws_iam_role" "inner" {\n'
        b"    EOT\n"
        b"}\n"
        b'resource "aws_iam_role" "r" { name = "x" }\n'
    )
    regions = split(text)
    assert regions is not None
    assert [(r.kind, r.labels) for r in regions] == [
        ("resource", ("aws_s3_bucket", "b")),
        ("resource", ("aws_iam_role", "r")),
    ]
    assert [(r.start, r.end, r.start_point, r.end_point) for r in regions] == [
        b[0:2] + b[4:] for b in _whole_file_blocks(text)
    ]


def _rows(findings: list[Finding]) -> list[tuple[str, str, int, int, str]]:
    return sorted((f.rule, Path(f.path).name, f.line, f.column, f.message) for f in findings)


def _lint(path: str) -> list[Finding]:
    result = run([path], Config())
    assert not result.internal_error, result.tracebacks
    return result.findings


@pytest.mark.parametrize("folder", sorted(p.name for p in (Path(ROOT) / "fixtures/terraform").iterdir() if p.is_dir()))
def test_every_terraform_fixture_gets_the_same_findings_read_whole(
    in_repo: str, folder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_blocks = _rows(_lint(f"fixtures/terraform/{folder}"))
    monkeypatch.setattr(native_regions, "split", lambda data: None)
    assert _rows(_lint(f"fixtures/terraform/{folder}")) == by_blocks


def test_a_heredoc_holding_the_text_of_a_deny_is_not_a_block(tmp_path: Path) -> None:
    document = (
        'resource "aws_ssm_document" "notes" {\n'
        '  name    = "notes"\n'
        "  content = <<-EOT\n"
        "    }\n"
        + "".join(f"    {line}\n" for line in FAKE_DENY.splitlines())
        + '    resource "aws_ssm_document" "more" {\n'  # braces balance: a scan that ignored heredocs would split here
        + "    EOT\n"
        "}\n"
    )
    (tmp_path / "main.tf").write_text(ROLE + document)
    findings = _rows(_lint(str(tmp_path)))
    (tmp_path / "main.tf").write_text(ROLE)
    assert findings == _rows(_lint(str(tmp_path)))
    assert [row[0] for row in findings] == ["ISL001", "ISL005"]  # the trust stands: nothing denies it
    (tmp_path / "main.tf").write_text(ROLE + FAKE_DENY)  # the same text as a block is read
    assert [row[0] for row in _rows(_lint(str(tmp_path)))] == ["ISL001"]


def test_an_error_in_a_block_a_verdict_reads_is_isl000_and_the_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "web" {\n  ami = "x"\n}\n' + ROLE + 'variable "v" {\n  default = [1,\n}\n'
    )
    assert [(f.rule, f.line, f.column) for f in _lint(str(tmp_path))] == [("ISL000", 16, 3)]


def test_an_error_in_a_resource_a_verdict_reads_later_is_isl000(tmp_path: Path) -> None:
    bucket = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs" +\n}\n'
    policy = (
        'resource "aws_iam_policy" "read" {\n'
        "  policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.logs.arn}/*" }]\n'
        "  })\n"
        "}\n"
    )
    (tmp_path / "main.tf").write_text(bucket + policy)
    assert [(f.rule, f.line, f.column) for f in _lint(str(tmp_path))] == [("ISL000", 2, 19)]


def test_an_error_in_a_block_no_verdict_reads_is_isl000_as_for_a_whole_file(tmp_path: Path) -> None:
    """Every block is parsed (only the blocks a verdict needs become nodes up front): a broken instance
    elsewhere in the file is reported at the parser's first error, as a file Terraform rejects."""
    (tmp_path / "main.tf").write_text('resource "aws_instance" "web" {\n  ami = \n}\n' + ROLE)
    assert [(f.rule, f.line, f.column) for f in _lint(str(tmp_path))] == [("ISL000", 3, 1)]
    (tmp_path / "main.tf").write_text('resource "aws_instance" "web" {\n  ami = "x"\n}\n' + ROLE)
    assert [(f.rule, f.line) for f in _lint(str(tmp_path))] == [("ISL005", 6), ("ISL001", 10)]


def test_a_file_read_to_plan_module_calls_is_read_again_when_its_text_changed() -> None:
    first = 'module "a" {\n  source = "./a"\n}\n'
    kept = native_regions.read_blocks("kept/main.tf", first, None, keep=True)
    assert native_regions.read_blocks("kept/main.tf", first, None) is kept  # the unit's read: the same
    native_regions.read_blocks("kept/main.tf", first, None, keep=True)
    changed = native_regions.read_blocks("kept/main.tf", 'module "b" {\n  source = "./b"\n}\n', None)
    assert not isinstance(changed, native.ParseError)
    assert [(top.kind, top.labels) for top in changed] == [("module", ("b",))]


def _mask_by_characters(text: str, pieces: list[Piece]) -> tuple[str, list[bool]]:
    """The masking written one character at a time (the oracle of the run-at-a-time one)."""
    out: list[str] = []
    bare: list[bool] = []
    in_string = False
    index = 0
    queue = list(enumerate(pieces))
    while index < len(text):
        if queue and queue[0][1].start == index:
            number, piece = queue.pop(0)
            marker = templates._MARK + chr(templates._INDEX_BASE + number)
            if piece.kind == "escape":
                out.append(text[piece.start : piece.end])
            elif in_string:
                out.append(marker.ljust(piece.end - piece.start, templates._PAD))
            else:
                out.append('"' + marker.ljust(piece.end - piece.start - 2, templates._PAD) + '"')
            bare.append(piece.kind != "escape" and not in_string)
            index = piece.end
            continue
        if in_string and text[index] == "\\" and index + 1 < len(text):
            out.append(text[index : index + 2])
            index += 2
            continue
        in_string ^= text[index] == '"'
        out.append(text[index])
        index += 1
    return "".join(out), bare


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='"\\a {$', max_size=40), st.lists(st.tuples(st.integers(0, 6), st.integers(2, 5)), max_size=6))
def test_masking_interpolations_in_a_json_template_matches_the_character_walk(
    text: str, gaps: list[tuple[int, int]]
) -> None:
    pieces: list[Piece] = []
    position = 0
    for number, (gap, length) in enumerate(gaps):
        start, end = position + gap, position + gap + length
        if end > len(text):
            break
        pieces.append(Piece("escape" if number % 3 == 2 else "interpolation", start, end, text[start:end]))
        position = end
    assert templates._mask(text, pieces) == _mask_by_characters(text, pieces)


def test_labels_written_without_quotes_are_read_as_tree_sitter_reads_them() -> None:
    text = b'data aws_caller_identity current {}\nresource aws_s3_bucket "logs" {\n  bucket = "logs"\n}\n'
    regions = split(text)
    assert regions is not None
    assert [(r.kind, r.labels) for r in regions] == [
        ("data", ("aws_caller_identity", "current")),
        ("resource", ("aws_s3_bucket", "logs")),
    ]
    whole = _whole_file_blocks(text)
    assert [(r.start, r.end, r.kind, r.labels, r.start_point, r.end_point) for r in regions] == whole


def test_a_stack_declared_with_bare_labels_is_linted(tmp_path: Path) -> None:
    """Read block by block, a bare-labelled block no verdict reads up front was indexed under empty
    labels, so a CloudFormation stack written so was never found: its role passed unread."""
    template = (
        '{"Resources": {"VendorRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {\n'
        '  "Version": "2012-10-17",\n'
        '  "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"},\n'
        '                 "Action": "sts:AssumeRole"}]}}}}}\n'
    )
    stack = f"resource aws_cloudformation_stack vendor {{\n  template_body = <<EOT\n{template}EOT\n}}\n"
    (tmp_path / "main.tf").write_text(stack)
    assert [(f.rule, f.line, f.column) for f in _lint(str(tmp_path))] == [("ISL005", 3, 72), ("ISL001", 5, 37)]
