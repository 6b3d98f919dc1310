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
    assert capsys.readouterr().out == "Checked 3 files, 1 role: no findings (1 finding hidden by the baseline).\n"
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


CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  LegacyVendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::464622532012:root"}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deny
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Deny
                Action: "*"
                Resource: "*"
                Condition: {NotIpAddress: {"aws:SourceIp": "203.0.113.0/24"}}
"""
NEW_CFN_ROLE = """  NewVendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::754728514883:root"}
            Action: sts:AssumeRole
            Condition: {StringEquals: {"sts:ExternalId": "9f1c2a7e4b8d"}}
"""
TF = """resource "aws_iam_role" "legacy" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "464622532012" } }]
  })
}
"""
NEW_TF_ROLE = """
resource "aws_iam_role" "new" {
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "754728514883" } }]
  })
}
"""


@pytest.mark.parametrize(
    "name, old, new",
    [
        ("stack.yaml", CFN, CFN.replace("Resources:\n", "Resources:\n" + NEW_CFN_ROLE)),
        ("main.tf", TF, "\n\n" + TF + NEW_TF_ROLE),
    ],
    ids=["cloudformation", "terraform"],
)
def test_adopting_an_iac_repository_with_a_baseline(
    name: str, old: str, new: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {f"infra/{name}": old})
    assert main(["--format", "concise"]) == 1
    assert main(["--write-baseline", "baseline.json"]) == 0
    assert main(["--baseline", "baseline.json"]) == 0
    capsys.readouterr()
    (in_tmp / "infra" / name).write_text(new)
    assert main(["--baseline", "baseline.json", "--format", "concise"]) == 1
    out = capsys.readouterr().out
    assert "754728514883" in out, out
    assert "464622532012" not in out, out
