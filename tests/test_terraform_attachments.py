"""A source-IP Deny counts however it is attached to the role, and in whichever file it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run

ROLE = """
resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = "k7Qm2xVb9Lp4" } }
    }]
  })
%s
}
"""

DENY = (
    'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "*", Resource = "*", '
    'Condition = { NotIpAddress = { "aws:SourceIp" = ["%s"] } } }] })'
)

POLICY = """
resource "aws_iam_policy" "deny" {
  name   = "deny-outside-vendor"
  policy = %s
}
"""

STYLES: dict[str, tuple[str, str]] = {
    "inline_policy block": ('  inline_policy {\n    name   = "deny"\n    policy = %s\n  }', ""),
    "aws_iam_role_policy": (
        "",
        'resource "aws_iam_role_policy" "deny" {\n  role   = aws_iam_role.vendor.id\n  policy = %s\n}\n',
    ),
    "role policy attachment": (
        "",
        POLICY + 'resource "aws_iam_role_policy_attachment" "a" {\n  role       = aws_iam_role.vendor.name\n'
        "  policy_arn = aws_iam_policy.deny.arn\n}\n",
    ),
    "policy attachment (roles)": (
        "",
        POLICY + 'resource "aws_iam_policy_attachment" "a" {\n  name       = "a"\n'
        "  roles      = [aws_iam_role.vendor.name]\n  policy_arn = aws_iam_policy.deny.arn\n}\n",
    ),
    "managed_policy_arns": ("  managed_policy_arns = [aws_iam_policy.deny.arn]", POLICY),
    "managed_policy_arns by ARN": (
        '  managed_policy_arns = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:policy/deny-outside-vendor"]',
        POLICY + 'data "aws_caller_identity" "me" {}\n',
    ),
    "permissions_boundary": ("  permissions_boundary = aws_iam_policy.deny.arn", POLICY),
    "exclusive attachments": (
        "",
        POLICY + 'resource "aws_iam_role_policy_attachments_exclusive" "x" {\n'
        "  role_name   = aws_iam_role.vendor.name\n  policy_arns = [aws_iam_policy.deny.arn]\n}\n",
    ),
    "exclusive inline policies": (
        "",
        'resource "aws_iam_role_policy" "deny" {\n  name   = "deny"\n  role   = aws_iam_role.vendor.name\n'
        '  policy = %s\n}\nresource "aws_iam_role_policies_exclusive" "x" {\n'
        '  role_name    = aws_iam_role.vendor.name\n  policy_names = ["deny"]\n}\n',
    ),
}


def _write(tmp_path: Path, style: str, cidr: str) -> None:
    in_role, other = STYLES[style]
    deny = DENY % cidr
    (tmp_path / "role.tf").write_text(ROLE % (in_role % deny if "%s" in in_role else in_role))
    (tmp_path / "policy.tf").write_text(other % deny if "%s" in other else other)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_an_effective_deny_counts(tmp_path: Path, style: str) -> None:
    _write(tmp_path, style, "203.0.113.0/24")
    result = run([str(tmp_path)], Config())
    assert not result.internal_error
    assert result.findings == []


@pytest.mark.parametrize("style", sorted(STYLES))
def test_a_deny_with_a_hole_is_found_in_its_file(tmp_path: Path, style: str) -> None:
    _write(tmp_path, style, "0.0.0.0/0")
    findings = run([str(tmp_path)], Config()).findings
    assert [(f.rule, f.role) for f in findings] == [("ISL006", "aws_iam_role.vendor")]
    assert findings[0].path.endswith("role.tf" if STYLES[style][0].startswith("  inline") else "policy.tf")


def test_no_deny_at_all(tmp_path: Path) -> None:
    (tmp_path / "role.tf").write_text(ROLE % "")
    assert [f.rule for f in run([str(tmp_path)], Config()).findings] == ["ISL005"]
