"""The fuzz harnesses in ``bench/`` still run: each reads fixtures of its format through its reader,
judges them and renders every output format. A harness that cannot run finds nothing (the
formatters' signatures once changed under them and every input became a "crash")."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(Path(ROOT) / "bench"))

import fuzz_common
import fuzz_hcl
import fuzz_json
import fuzz_yaml

HARNESSES = [
    ("hcl", "main.tf", fuzz_hcl.read, [".tf"], ""),
    ("json", "trust.json", fuzz_json.read, [".json"], "Statement"),
    ("yaml", "template.yaml", fuzz_yaml.read, [".yaml", ".yml"], "AWS::IAM::Role"),
    ("plan", "plan.json", fuzz_json.read, [".json"], "format_version"),
]


@pytest.mark.parametrize(
    ("name", "file_name", "read", "suffixes", "contains"), HARNESSES, ids=[h[0] for h in HARNESSES]
)
def test_each_harness_judges_and_renders_fixtures_without_a_crash(
    name: str, file_name: str, read: Callable[[str, Path], object], suffixes: list[str], contains: str
) -> None:
    seeds = fuzz_common.fixture_seeds(suffixes, contains)
    target = fuzz_common.Target(name, file_name, read)
    try:
        for seed in seeds[:6]:
            target(seed)  # raises on an exception, an internal error, or an input over the bounds
    finally:
        shutil.rmtree(target.work, ignore_errors=True)
    assert len(seeds) >= 3
