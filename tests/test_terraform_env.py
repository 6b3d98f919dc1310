"""The python-hcl2 environment: the fork check, the grammar cache, a missing parser."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.sources.terraform import hcl


def test_upstream_python_hcl2_passes_the_check() -> None:
    module = hcl.hcl2_module()
    assert str(module.__version__).startswith("8.")


@pytest.mark.parametrize(
    "attributes",
    [
        {"__version__": "0.4.3", "parses": None, "api": None, "parser": None, "rules": None},  # bc-python-hcl2
        {"__version__": "8.1.4", "loads": None},  # the name, without the 8.x API
    ],
)
def test_the_checkov_fork_is_refused(attributes: dict[str, object]) -> None:
    fake = types.SimpleNamespace(__file__="/site-packages/hcl2/__init__.py", **attributes)
    with pytest.raises(hcl.HclUnavailable, match="bc-python-hcl2"):
        hcl._check(fake)


def test_an_unusable_parser_is_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise hcl.HclUnavailable("the installed 'hcl2' module is not python-hcl2 8.x (bc-python-hcl2)")

    monkeypatch.setattr(hcl, "hcl2_module", refuse)
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "r" {}\n')
    result = run([str(tmp_path)], Config())
    assert result.internal_error
    assert [(f.rule, f.line) for f in result.findings] == [("ISL000", 1)]
    assert "bc-python-hcl2" in result.findings[0].message


def test_grammar_cache_stays_beside_a_writable_package(tmp_path: Path) -> None:
    package_cache = tmp_path / "hcl2" / ".lark_cache.bin"
    package_cache.parent.mkdir()
    assert hcl.grammar_cache_path(package_cache, "8.1.4", "1.3.1") == package_cache


def test_grammar_cache_moves_to_the_user_cache_for_a_read_only_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_cache = tmp_path / "site-packages" / "hcl2" / ".lark_cache.bin"
    package_cache.parent.mkdir(parents=True)
    monkeypatch.setattr(hcl.os, "access", lambda path, mode: False)
    monkeypatch.setattr(hcl.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    chosen = hcl.grammar_cache_path(package_cache, "8.1.4", "1.3.1")
    assert chosen.parent == tmp_path / "cache" / "iam-saas-lint"
    assert chosen.name.startswith("hcl2-8.1.4-lark-1.3.1-py")


def test_an_existing_package_cache_is_used_even_when_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package_cache = tmp_path / ".lark_cache.bin"
    package_cache.write_bytes(b"cache")
    monkeypatch.setattr(hcl.os, "access", lambda path, mode: False)
    assert hcl.grammar_cache_path(package_cache, "8.1.4", "1.3.1") == package_cache


def test_deep_nesting_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    depth = 20000
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  assume_role_policy = ' + "[" * depth + "]" * depth + "\n}\n"
    )
    result = run([str(tmp_path)], Config())
    assert not result.internal_error, result.tracebacks
    assert [f.rule for f in result.findings] == ["ISL000"]
    assert "nested too deeply" in result.findings[0].message
