"""The tree-sitter environment: imported only for Terraform files, a missing parser, deep nesting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.sources.terraform import native

_IMPORTED = (
    "import sys\nfrom iam_saas_lint.cli import main\n"
    "main(['--no-cache', '--jobs', '1', '--format', 'concise', sys.argv[1]])\n"
    "print('tree_sitter' in sys.modules, 'hcl2' in sys.modules, 'lark' in sys.modules)\n"
)


@pytest.mark.parametrize(("name", "text", "imported"), [
    ("trust.json", '{"Statement": []}\n', "False False False"),
    ("main.tf", 'resource "aws_iam_role" "r" {}\n', "True False False"),
    ("main.tf.json", '{"resource": {"aws_iam_role": {"r": {}}}}\n', "False False False"),
])  # fmt: skip
def test_tree_sitter_is_imported_only_to_read_native_terraform(
    tmp_path: Path, name: str, text: str, imported: str
) -> None:
    (tmp_path / name).write_text(text)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTED, str(tmp_path)], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == imported, done.stderr


def test_a_missing_parser_is_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> None:
        raise native.HclUnavailable("tree-sitter-hcl is not installed (No module named 'tree_sitter_hcl')")

    monkeypatch.setattr(native, "_parser", missing)
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "r" {}\n')
    result = run([str(tmp_path)], Config())
    assert result.internal_error
    assert [(f.rule, f.line) for f in result.findings] == [("ISL000", 1)]
    assert "tree-sitter-hcl is not installed" in result.findings[0].message


def test_deep_nesting_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    depth = 20000
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  assume_role_policy = ' + "[" * depth + "]" * depth + "\n}\n"
    )
    result = run([str(tmp_path)], Config())
    assert not result.internal_error, result.tracebacks
    assert [(f.rule, f.line) for f in result.findings] == [("ISL000", 2)]
    assert "nested more than 100 levels deep" in result.findings[0].message
