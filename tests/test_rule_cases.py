"""Rule cases as data: ``tests/cases/ISLnnn.yaml`` holds named cases, each a small tree of
files and the exact findings expected as ``RULE path:line:column``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import write_tree

from iam_saas_lint.config import config_from_table
from iam_saas_lint.engine import run

CASES = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text()):
            params.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return params


@pytest.mark.parametrize("case", _load())
def test_rule_case(case: dict[str, Any], in_tmp: Path) -> None:
    write_tree(in_tmp, case["files"])
    config = config_from_table(case.get("config", {}), str(in_tmp))
    result = run(["."], config)
    got = sorted(f"{f.rule} {f.path}:{f.line}:{f.column}" for f in result.findings)
    shown = "\n".join(f"{f.rule} {f.path}:{f.line}:{f.column} {f.message}" for f in result.findings)
    assert got == sorted(case.get("expect", [])), shown
    for fragment in case.get("messages", []):
        assert any(fragment in f.message for f in result.findings), fragment
