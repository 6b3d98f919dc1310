"""Text left out of the parse (``split``'s quiet text: string and heredoc text without escapes or
template sequences): the nodes the evaluator gets are those of a whole-file parse, and no syntax
error is hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint import records
from iam_saas_lint.model.values import Span
from iam_saas_lint.sources.terraform import native, native_regions
from iam_saas_lint.sources.terraform.split import split

Shape = Any


def _shape(value: object) -> Shape:
    """A value with its spans as tuples and each placer as where it puts one span (comparable)."""
    if isinstance(value, Span):
        return ("span", value.line, value.column, value.end_line, value.end_column, value.file)
    if callable(value) and not isinstance(value, type):
        return ("placed", _shape(value(Span(1, 2, 3, 4, "inner"))))
    if getattr(type(value), "__record_fields__", None) is not None:
        return (type(value).__name__, *(_shape(getattr(value, f.name)) for f in records.fields(value)))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, *(_shape(item) for item in value))
    if isinstance(value, (list, tuple)):
        return tuple(_shape(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _shape(item)) for key, item in value.items())
    return value


def _by_blocks(text: str) -> Shape:
    found = native_regions._read_blocks("main.tf", text, None)
    if isinstance(found, native.ParseError):
        return ("error", found.message, _shape(found.span))
    return [_shape(top.convert()) for top in found]


def _whole(text: str) -> Shape:
    parsed = native.parse("main.tf", text)
    if isinstance(parsed, native.ParseError):
        return ("error", parsed.message, _shape(parsed.span))
    return [_shape(top.convert()) for top in native.top_blocks(parsed)]


def _quiet_texts(text: str) -> list[str]:
    data = text.encode()
    regions = split(data) or []
    return [data[r.quiet[i] : r.quiet[i + 1]].decode() for r in regions for i in range(0, len(r.quiet), 2)]


def test_every_fixture_gets_the_nodes_of_a_whole_parse_with_its_quiet_text_left_out() -> None:
    quiet_files = 0
    for path in sorted((Path(ROOT) / "fixtures").rglob("*")):
        if path.suffix not in (".tf", ".tofu") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        quiet_files += bool(_quiet_texts(text))
        assert _by_blocks(text) == _whole(text), path
    assert quiet_files > 30


def test_quiet_text_is_literal_text_only() -> None:
    text = (
        'resource "aws_iam_role" "vendor" {\n'
        '  name        = "vendor-role"\n'
        '  description = "say \\"hi\\" to ${var.who} and the rest"\n'
        '  path        = "${var.prefix}/x%y$z/"\n'
        "  assume_role_policy = <<EOT\n"
        '{"Version": "2012-10-17",\n'
        ' "Statement": [{"Principal": {"AWS": "${var.vendor}"},\n'
        '   "Effect": "Allow"}]}\n'
        "EOT\n"
        "  tags = { a = <<-EOT\n    plain text\n    EOT\n  }\n"
        "}\n"
    )
    assert _quiet_texts(text) == [
        "vendor-role",
        " and the rest",  # after the interpolation; the text with escapes before it is parsed
        '{"Version": "2012-10-17",\n',  # whole lines of a heredoc, up to a line with an interpolation
        '   "Effect": "Allow"}]}\n',
        "    plain text\n",
    ]
    assert _by_blocks(text) == _whole(text)


_VALUES = [
    '"plain text here"',
    '"say \\"hi\\" there"',
    '"arn:aws:iam::${var.account}:root"',
    '"${format("%s-suffix", var.name)} and text"',
    '"%{ if var.on }yes it is%{ else }no%{ endif }"',
    '"café ünïcode text"',
    '"bad \\q escape"',
    '"${var.x} then a bad \\q escape"',
    '"${var.x} then \\"quoted\\" text"',
    '"${var.x"',
    '"x" +',
    "<<EOT\nline one\n  line two\nEOT",
    "<<-EOT\n    indented ${var.y}\n    more text\n    EOT",
    '<<EOT\n{"a": "${var.z}", "b": "c"}\nplain after\nEOT',
    '["${a}", "b c d", "e"]',
    '{ key = "value text", other = 1 }',
    'jsonencode({ Effect = "Allow", Action = ["s3:GetObject"] })',
]
_COMMENTS = ["", '  # a "quoted" comment', "  /* } */"]
_BLOCKS = ['resource "aws_iam_role" "r"', 'resource "aws_s3_bucket" "b"', 'variable "v"', "locals", "output o"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_BLOCKS),
            st.lists(st.tuples(st.sampled_from(_VALUES), st.sampled_from(_COMMENTS)), max_size=4),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_leaving_quiet_text_out_never_changes_a_node_or_hides_an_error(
    blocks: list[tuple[str, list[tuple[str, str]]]],
) -> None:
    text = "".join(
        f"{header} {{\n" + "".join(f"  a{n} = {value}{comment}\n" for n, (value, comment) in enumerate(body)) + "}\n"
        for header, body in blocks
    )
    assert _by_blocks(text) == _whole(text)
