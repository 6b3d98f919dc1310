"""Adopting the linter on an existing repository: baselines and configured ignores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_tree

from iam_saas_lint.cli import main

TRUST = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root"}, "Action": "sts:AssumeRole"}
  ]
}
"""
DENY = """{"Version": "2012-10-17",
 "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
"""


@pytest.fixture
def old_repo(in_tmp: Path) -> Path:
    write_tree(in_tmp, {"roles/legacy/trust.json": TRUST % "464622532012", "roles/legacy/deny.json": DENY})
    return in_tmp


def test_baseline_round_trip_reports_only_new_findings(old_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--write-baseline", "baseline.json"]) == 0
    recorded = json.loads((old_repo / "baseline.json").read_text())
    assert [(f["rule"], f["path"], f["role"]) for f in recorded["findings"]] == [
        ("ISL001", "roles/legacy/trust.json", "legacy")
    ]
    capsys.readouterr()
    assert main(["--baseline", "baseline.json", "--format", "concise"]) == 0
    assert capsys.readouterr().out == "No findings.\n"
    # Moving the old statement down does not bring it back; a new vendor role does fail.
    (old_repo / "roles/legacy/trust.json").write_text("\n\n\n" + TRUST % "464622532012")
    write_tree(old_repo, {"roles/newrelic/trust.json": TRUST % "754728514883", "roles/newrelic/deny.json": DENY})
    assert main(["--baseline", "baseline.json", "--format", "concise"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("roles/newrelic/trust.json:4:25: ISL001")
    assert "legacy" not in out


def test_a_broken_baseline_is_a_usage_error(old_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (old_repo / "baseline.json").write_text('{"findings": []}')
    assert main(["--baseline", "baseline.json"]) == 2
    assert "not a baseline file" in capsys.readouterr().err


def test_per_file_ignores_and_ignore_roles(old_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(old_repo, {"roles/newrelic/trust.json": TRUST % "754728514883", "roles/newrelic/deny.json": DENY})
    (old_repo / ".iam-saas-lint.toml").write_text('[per-file-ignores]\n"roles/legacy/*" = ["ISL001"]\n')
    assert main(["--format", "concise"]) == 1
    assert "roles/legacy" not in capsys.readouterr().out
    (old_repo / ".iam-saas-lint.toml").write_text('[ignore-roles]\nnewrelic = ["ISL00"]\nlegacy = ["ISL001"]\n')
    assert main(["--format", "concise"]) == 0
