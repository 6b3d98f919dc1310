"""Rule cases as data: ``tests/cases/ISLnnn.yaml`` holds named cases and the exact findings expected,
as ``RULE path:line:column``.

A case is either a small tree of ``files`` with one ``expect`` list, or a ``role`` written once (a
``trust`` policy and named ``policies``) that is checked in every syntax the linter reads a role in
(``rolecase.SYNTAXES``: raw JSON, CloudFormation YAML, Terraform ``jsonencode``), with an ``expect``
list per syntax."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import write_tree
from rolecase import SYNTAXES, role_files

from iam_saas_lint.config import config_from_table
from iam_saas_lint.engine import run

CASES = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text()):
            if "role" in case:
                assert sorted(case["expect"]) == sorted(SYNTAXES), f"{path.name} {case['name']}: expect per syntax"
                params.extend(pytest.param(case, s, id=f"{path.stem}:{case['name']}[{s}]") for s in SYNTAXES)
            else:
                params.append(pytest.param(case, None, id=f"{path.stem}:{case['name']}"))
    return params


@pytest.mark.parametrize("case, syntax", _load())
def test_rule_case(case: dict[str, Any], syntax: str | None, in_tmp: Path) -> None:
    files = case["files"] if syntax is None else role_files(case["role"], syntax)
    expected = case.get("expect", []) if syntax is None else case["expect"][syntax]
    write_tree(in_tmp, files)
    config = config_from_table(case.get("config", {}), str(in_tmp))
    result = run(["."], config)
    got = sorted(f"{f.rule} {f.path}:{f.line}:{f.column}" for f in result.findings)
    shown = "\n".join(f"{f.rule} {f.path}:{f.line}:{f.column} {f.message}" for f in result.findings)
    assert got == sorted(expected), shown
    for fragment in case.get("messages", []):
        assert any(fragment in f.message for f in result.findings), fragment
