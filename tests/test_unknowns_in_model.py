"""Readers hand unknown values to the model as they are; the model alone decides what they may do."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, write_tree

from iam_saas_lint.cli import main
from iam_saas_lint.model.document import PolicyDocument, is_aws_managed_policy
from iam_saas_lint.model.values import Unknown
from iam_saas_lint.sources import ReadOptions, Unit, read_unit

TEMPLATE = """Resources:
  VendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::464622532012:root"}
            Action: sts:AssumeRole
            Condition: {StringEquals: {sts:ExternalId: d7f1c2a9b3e84f60}}
          - Fn::ImportValue: OtherTrust
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Fn::ImportValue: SharedDeny
"""
MODULE = """variable "extra_statement" {}

resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "arn:aws:iam::464622532012:root" }
        Condition = { StringEquals = { "sts:ExternalId" = "d7f1c2a9b3e84f60" } }
      },
      var.extra_statement,
    ]
  })
}

resource "aws_iam_role_policy" "deny" {
  role   = aws_iam_role.vendor.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [var.extra_statement] })
}
"""
MANAGED = """Resources:
  VendorRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::464622532012:root"}
            Action: sts:AssumeRole
            Condition: {StringEquals: {sts:ExternalId: d7f1c2a9b3e84f60}}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/ReadOnlyAccess
        - arn:aws-us-gov:iam::aws:policy/SecurityAudit
        - arn:aws:iam::111122223333:policy/VendorDeny
"""


def test_the_cloudformation_reader_hands_unknown_statements_as_they_are(in_tmp: Path) -> None:
    write_tree(in_tmp, {"stack.yaml": TEMPLATE})
    (role,) = read_unit(Unit("file", ("stack.yaml",)), ReadOptions()).inventory.roles
    assert role.trust is not None
    trust = role.trust.data
    assert isinstance(trust, dict) and isinstance(trust["Statement"][1], Unknown)
    (policy,) = role.policies
    assert isinstance(policy, PolicyDocument) and isinstance(policy.data, dict)
    assert [type(s) for s in policy.data["Statement"]] == [Unknown]  # not a Deny with an unknown condition


def test_the_terraform_reader_keeps_unknown_statements_in_their_document(in_tmp: Path) -> None:
    write_tree(in_tmp, {"tf/main.tf": MODULE})
    (role,) = read_unit(Unit("module", ("tf/main.tf",)), ReadOptions()).inventory.roles
    assert role.unresolved_policies == ()
    (policy,) = role.policies
    assert isinstance(policy.data, dict) and [type(s) for s in policy.data["Statement"]] == [Unknown]


def test_an_unknown_statement_gets_the_same_verdict_in_every_format(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {"stack.yaml": TEMPLATE, "tf/main.tf": MODULE})
    assert main(["--format", "concise", "--no-cache", "."]) == 1
    assert capsys.readouterr().out.splitlines()[:-1] == [
        'stack.yaml:11:13: ISL009 role "VendorRole": cannot tell whether the external id is enforced:'
        " Fn::ImportValue 'OtherTrust', an export of another stack",
        'stack.yaml:16:17: ISL009 role "VendorRole": cannot tell whether the source-IP Deny in inline policy p'
        " is effective: Fn::ImportValue 'SharedDeny', an export of another stack",
        'tf/main.tf:14:7: ISL009 role "aws_iam_role.vendor": cannot tell whether the external id is enforced:'
        " var.extra_statement has no default and no value in terraform.tfvars or *.auto.tfvars",
        'tf/main.tf:21:62: ISL009 role "aws_iam_role.vendor": cannot tell whether the source-IP Deny in'
        " aws_iam_role_policy.deny is effective: var.extra_statement has no default and no value in"
        " terraform.tfvars or *.auto.tfvars",
    ]


@pytest.mark.parametrize(
    "arn, managed",
    [
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", True),
        ("arn:aws-us-gov:iam::aws:policy/SecurityAudit", True),
        ("arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess", True),
        ("arn:aws:iam::111122223333:policy/VendorDeny", False),
        ("arn:aws:iam::aws:role/not-a-policy", False),
    ],
)
def test_aws_managed_policy_arns(arn: str, managed: bool) -> None:
    assert is_aws_managed_policy(arn) is managed


def test_aws_managed_policies_ask_nothing_other_arns_are_unknown(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {"stack.yaml": MANAGED})
    assert main(["--format", "concise", "--no-cache", "."]) == 1
    assert capsys.readouterr().out.splitlines()[:-1] == [
        'stack.yaml:14:11: ISL009 role "VendorRole": cannot tell whether a source-IP Deny is attached: managed'
        " policy arn:aws:iam::111122223333:policy/VendorDeny cannot be resolved (it is not"
        " defined in this template)",
    ]


def test_the_aws_managed_pattern_lives_in_the_model_only() -> None:
    """One helper: no reader spells the AWS-managed policy ARN pattern again."""
    spelled = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "iam_saas_lint").rglob("*.py"))
        if "iam::aws:policy" in path.read_text(encoding="utf-8")
    ]
    assert spelled == ["iam_saas_lint/model/document.py"]
