"""``scripts/new_rule.py`` adds a rule that the registry, the docs and the rule cases accept as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ["iam_saas_lint", "docs", "scripts", "README.md", "pyproject.toml"]
TESTS = ["conftest.py", "rolecase.py", "test_registry.py", "test_rule_cases.py", "cases"]


def _copy(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    for name in TESTS:
        source = REPO / "tests" / name
        if source.is_dir():
            shutil.copytree(source, target / "tests" / name, ignore=ignore)
        else:
            (target / "tests").mkdir(exist_ok=True)
            shutil.copy2(source, target / "tests" / name)


def _python(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=300)


def test_new_rule_writes_a_rule_the_registry_docs_and_cases_accept(tmp_path: Path) -> None:
    copy = tmp_path / "checkout"
    _copy(copy)
    done = _python(copy, "scripts/new_rule.py", "ISL099", "example-check")
    assert done.returncode == 0, done.stderr
    module = copy / "iam_saas_lint" / "rules" / "isl099_example_check.py"
    assert module.is_file()
    assert (copy / "tests" / "cases" / "ISL099.yaml").is_file()
    assert "isl099_example_check.RULE," in (copy / "iam_saas_lint" / "rules" / "__init__.py").read_text()
    assert "# ISL099 example-check" in (copy / "docs" / "rules" / "ISL099.md").read_text()
    assert "| [ISL099](ISL099.md) | example-check |" in (copy / "docs" / "rules" / "README.md").read_text()
    readme = (copy / "README.md").read_text()
    assert readme.index("[ISL099]") < readme.index("[ISL100]")
    found = _python(copy, "-c", "from iam_saas_lint.rules import RULES; print([r.id for r in RULES][-3:])")
    assert found.stdout.strip() == "['ISL099', 'ISL100', 'ISL101']", found.stderr
    # the registry, docs and case tests of the copy pass with the new rule as written
    tests = _python(
        copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_registry.py", "tests/test_rule_cases.py",
        "-k", "ISL099 or every_rule_module or docs_are_generated",
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "7 passed" in tests.stdout, tests.stdout
    lint = _python(copy, "-m", "ruff", "check", "--no-cache", str(module))
    assert lint.returncode == 0, lint.stdout
    again = _python(copy, "scripts/new_rule.py", "ISL099", "other-name")
    assert again.returncode == 2
    assert "ISL099 already has a module" in again.stderr
    assert (REPO / "iam_saas_lint" / "rules" / "isl099_example_check.py").exists() is False
