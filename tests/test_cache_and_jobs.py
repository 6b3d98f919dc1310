"""The cache (what invalidates an entry, what a second run costs) and parallel runs (the output
never depends on the number of workers or the order of paths)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import write_tree

import iam_saas_lint
from iam_saas_lint import cache as cache_module
from iam_saas_lint.config import Config, config_from_table
from iam_saas_lint.engine import run

TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",'
    ' "Principal": {"AWS": "%s"}}]}'
)
DENY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",'
    ' "Condition": {"NotIpAddress": {"aws:SourceIp": "%s"}}}]}'
)
TEMPLATE = """Resources:
  VendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {AWS: "arn:aws:iam::%s:root"}, Action: sts:AssumeRole}
"""
MODULE = """resource "aws_iam_role" "vendor" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "%s" } }]
  })
}
"""


def _tree(root: Path, count: int = 24) -> None:
    files: dict[str, str] = {}
    for n in range(count):
        account = f"{100000000000 + n}"
        files[f"roles/r{n}/trust.json"] = TRUST % account
        if n % 3:
            files[f"roles/r{n}/deny.json"] = DENY % ("0.0.0.0/0" if n % 5 == 0 else "203.0.113.0/24")
        if n % 4 == 0:
            files[f"stacks/s{n}.yaml"] = TEMPLATE % account
        if n % 6 == 0:
            files[f"tf/m{n}/main.tf"] = MODULE % account
    write_tree(root, files)


def _shown(result: object) -> list[str]:
    return [json.dumps(f.__dict__, default=str, sort_keys=True) for f in result.findings]  # type: ignore[attr-defined]


@pytest.fixture
def tree(in_tmp: Path) -> Path:
    (in_tmp / ".git").mkdir()  # the cache lives at the repository's root
    _tree(in_tmp)
    return in_tmp


def test_output_is_identical_for_every_number_of_jobs_and_path_order(tree: Path) -> None:
    serial = run(["."], Config(), jobs=1)
    assert serial.findings, "the tree must have findings for the comparison to mean anything"
    for jobs in (2, 3):
        assert _shown(run(["."], Config(), jobs=jobs)) == _shown(serial)
    reordered = run(["tf", "stacks", "roles"], Config(), jobs=2)
    assert _shown(reordered) == _shown(serial)


def test_a_second_run_reads_everything_from_the_cache(tree: Path) -> None:
    first = run(["."], Config(), use_cache=True)
    assert first.units_linted > 20
    assert (tree / ".iam-saas-lint-cache" / ".gitignore").read_text().endswith("*\n")
    second = run(["."], Config(), use_cache=True)
    assert second.units_linted == 0
    assert _shown(second) == _shown(first)


def test_editing_a_file_relints_only_what_depends_on_it(tree: Path) -> None:
    run(["."], Config(), use_cache=True)
    (tree / "roles/r1/deny.json").write_text(DENY % "0.0.0.0/0")
    changed = run(["."], Config(), use_cache=True)
    # the edited file's own unit, and its folder's bundle
    assert changed.units_linted == 2
    assert any(f.rule == "ISL006" and f.path == "roles/r1/deny.json" for f in changed.findings)
    (tree / "tf/m0/main.tf").write_text(MODULE % "464622532012")
    assert run(["."], Config(), use_cache=True).units_linted == 1


def test_configuration_and_version_changes_invalidate(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run(["."], Config(), use_cache=True)
    owned = config_from_table({"own-accounts": ["100000000000"]}, str(tree))
    result = run(["."], owned, use_cache=True)
    assert result.units_linted > 20
    assert not any(f.role == "r0" and f.rule == "ISL001" for f in result.findings)
    assert run(["."], owned, use_cache=True).units_linted == 0
    monkeypatch.setattr(cache_module, "__version__", iam_saas_lint.__version__ + ".post1")
    assert run(["."], owned, use_cache=True).units_linted > 20


def _entries(tree: Path) -> list[Path]:
    return sorted(p for p in (tree / ".iam-saas-lint-cache" / "entries").rglob("*") if p.is_file())


def test_an_edited_rule_never_serves_an_old_verdict(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The package's own files are part of every key: a changed digest of them re-lints everything."""
    run(["."], Config(), use_cache=True)
    monkeypatch.setattr(cache_module, "_code_digest", "0" * 64)
    assert run(["."], Config(), use_cache=True).units_linted > 20


def test_a_corrupt_or_unwritable_cache_is_ignored(tree: Path) -> None:
    first = run(["."], Config(), use_cache=True)
    for entry in _entries(tree):
        entry.write_bytes(entry.read_bytes()[:-20])
    result = run(["."], Config(), use_cache=True)
    assert result.units_linted > 20 and _shown(result) == _shown(first)
    shutil.rmtree(tree / ".iam-saas-lint-cache")
    (tree / ".iam-saas-lint-cache").write_text("a file where the folder should be")
    assert _shown(run(["."], Config(), use_cache=True)) == _shown(result)


def test_a_cache_planted_in_the_repository_cannot_hide_findings(tree: Path) -> None:
    """Someone commits a cache that says every unit is clean: its signature does not match."""
    first = run(["."], Config(), use_cache=True)
    for path in _entries(tree):
        signature, _, body = path.read_bytes().partition(b"\n")
        entry = json.loads(body)
        entry["findings"] = []
        path.write_bytes(signature + b"\n" + json.dumps(entry).encode())
    again = run(["."], Config(), use_cache=True)
    assert again.units_linted > 20
    assert _shown(again) == _shown(first)


def test_without_jobs_a_small_run_stays_in_one_process(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default is chosen from the units left to lint: worker processes only pay off on hundreds."""
    from iam_saas_lint import executor

    assert executor.jobs_for(executor.AUTO_PARALLEL_UNITS - 1) == 1
    assert executor.jobs_for(executor.AUTO_PARALLEL_UNITS) == executor.available_cpus()
    started: list[int] = []
    monkeypatch.setattr(executor.Executor, "_workers", lambda self: started.append(self.jobs))
    result = run(["."], Config(), jobs=None)
    assert started == [] and _shown(result) == _shown(run(["."], Config(), jobs=1))
    monkeypatch.setattr(executor, "AUTO_PARALLEL_UNITS", 10)
    monkeypatch.setattr(executor, "available_cpus", lambda: 2)
    with pytest.raises(AttributeError):  # the pool was asked for: the stub returns none
        run(["."], Config(), jobs=None)
    assert started == [2]
