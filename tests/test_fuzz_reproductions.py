"""Inputs the fuzz harnesses (``bench/fuzz_*.py``) turned up, reduced: each was a traceback or grew
memory without bound, and is now a finding with a position, or bounded."""

from __future__ import annotations

from pathlib import Path

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.model import memo

ROLE = """resource "aws_iam_role" "this" {{
  name = "vendor"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ AWS = "arn:aws:iam::464622532012:root" }}
      {action}
      Condition = {{ StringEquals = {{ "sts:ExternalId" = "k7Qm2xVb9Lp4" }} }}
    }}]
  }})
}}
"""


def _lint(tmp_path: Path, text: str) -> list[tuple[str, int, int, str]]:
    (tmp_path / "main.tf").write_text(text)
    result = run([str(tmp_path)], Config())
    assert not result.internal_error, result.tracebacks
    return [(f.rule, f.line, f.column, f.message) for f in result.findings]


def test_a_statement_key_that_is_an_unresolved_reference_is_a_grammar_finding(tmp_path: Path) -> None:
    """``Acti.on = ...`` in an HCL object is a key read from a reference: the statement's identity
    sorted its keys and met an unresolved one (a TypeError inside ISL000)."""
    found = _lint(tmp_path, ROLE.format(action='Acti.on    = "sts:AssumeRole"'))
    assert [(rule, line, column) for rule, line, column, _ in found] == [("ISL000", 5, 18), ("ISL000", 5, 18)]
    assert "'Action' is a required property" in found[0][3]
    assert "'<unknown>' was unexpected" in found[1][3]


def test_a_long_chain_of_operators_is_too_deep_not_a_recursion_error(tmp_path: Path) -> None:
    """Operands of ``-`` and ``+`` nest without passing through an expression node, so the nesting
    bound did not count them: 300 of them exhausted the interpreter's stack."""
    for chain in ("St" + " -" * 300 + " 1", " + ".join(["1"] * 3000)):
        found = _lint(tmp_path, ROLE.format(action=f'Action    = "sts:AssumeRole"\n      Sid = {chain}'))
        assert [(rule, line) for rule, line, _, _ in found] == [("ISL000", 9)]
        assert "nested more than 100 levels deep" in found[0][3]


def test_a_document_too_long_to_keep_is_judged_afresh_and_not_kept() -> None:
    """The memos keep at most ``MEMO_SIZE`` documents each; a long-running process fed large distinct
    documents (a fuzz loop, a hostile repository) grew past 300 MB keeping their text."""
    calls: list[object] = []

    @memo.by_content
    def judge(data: object, extra: int) -> int:
        calls.append(data)
        return len(calls)

    small = {"Statement": [{"Sid": "x" * 100}]}
    large = {"Statement": [{"Sid": "x" * (memo.MEMO_TEXT_LIMIT + 1)}]}
    assert judge(small, 0) == judge(dict(small), 0) == 1
    assert judge(large, 0) == 2
    assert judge(dict(large), 0) == 3
    assert memo.content_key(large) is None
