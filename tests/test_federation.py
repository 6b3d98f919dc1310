"""Web-identity findings carry a fix in the syntax of the file they are in, and the model reads the
issuer from the principal, from a provider declared beside it, or from the condition keys."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree

from iam_saas_lint.config import config_from_table
from iam_saas_lint.engine import run
from iam_saas_lint.model.federation import web_identity_grants
from iam_saas_lint.model.settings import Settings
from iam_saas_lint.model.values import Unknown

GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
TREE = {
    "raw/trust.json": (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",\n'
        f' "Principal": {{"Federated": "{GITHUB}"}}}}]}}\n'
    ),
    "cfn/template.yaml": (
        "Resources:\n"
        "  Deploy:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      AssumeRolePolicyDocument:\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: sts:AssumeRoleWithWebIdentity\n"
        f"            Principal: {{Federated: {GITHUB}}}\n"
    ),
    "tf/main.tf": (
        'resource "aws_iam_role" "deploy" {\n'
        "  assume_role_policy = jsonencode({\n"
        '    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",\n'
        f'                   Principal = {{ Federated = "{GITHUB}" }} }}]\n'
        "  })\n"
        "}\n"
    ),
    "doc/main.tf": (
        'data "aws_iam_policy_document" "trust" {\n'
        "  statement {\n"
        '    actions = ["sts:AssumeRoleWithWebIdentity"]\n'
        "    principals {\n"
        '      type        = "Federated"\n'
        f'      identifiers = ["{GITHUB}"]\n'
        "    }\n"
        "  }\n"
        "}\n"
        'resource "aws_iam_role" "deploy" {\n'
        "  assume_role_policy = data.aws_iam_policy_document.trust.json\n"
        "}\n"
    ),
}
KEY = "token.actions.githubusercontent.com:sub"
FIXES = {
    "raw/trust.json": f'"StringLike": {{\n      "{KEY}": "repo:OWNER/REPO:*"',
    "cfn/template.yaml": f'Condition:\n  StringLike:\n    {KEY}: "repo:OWNER/REPO:*"',
    "tf/main.tf": f'Condition = {{\n  StringLike = {{\n    "{KEY}" = "repo:OWNER/REPO:*"',
    "doc/main.tf": f'  test     = "StringLike"\n  variable = "{KEY}"\n  values   = ["repo:OWNER/REPO:*"]\n}}',
}


def test_fixes_are_written_in_the_syntax_of_the_file(in_tmp: Path) -> None:
    write_tree(in_tmp, TREE)
    findings = run(["."], config_from_table({}, str(in_tmp))).findings
    assert sorted(f.path for f in findings) == sorted(TREE)
    assert {f.rule for f in findings} == {"ISL012"}
    for finding in findings:
        assert FIXES[finding.path] in finding.fix, (finding.path, finding.fix)


def _policy(principal: object, condition: dict[str, object] | None = None) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": principal},
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Statement": [statement]}


def test_the_issuer_comes_from_the_principal_or_else_from_the_condition_keys() -> None:
    (grant,) = web_identity_grants(_policy(GITHUB), Settings())
    assert (grant.host, grant.inferred, grant.issuer and grant.issuer.id) == (
        "token.actions.githubusercontent.com", False, "github-actions"
    )  # fmt: skip
    condition = {"StringEquals": {"https://app.terraform.io:aud": "aws.workload.identity"}}
    (grant,) = web_identity_grants(_policy(Unknown("var.provider_arn"), condition), Settings())
    assert (grant.host, grant.inferred, grant.subject and grant.subject.state) == ("app.terraform.io", True, "missing")
    (grant,) = web_identity_grants(_policy(Unknown("var.provider_arn")), Settings())
    assert grant.host is None and grant.host_unknown == Unknown("var.provider_arn")


def test_statements_that_cannot_grant_web_identity_are_left_out() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "sts:*", "Principal": {"Federated": GITHUB}}]}
    assume_only = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Federated": GITHUB}}]}
    saml = _policy("arn:aws:iam::111122223333:saml-provider/Okta")
    assert web_identity_grants(deny, Settings()) == ()
    assert web_identity_grants(assume_only, Settings()) == ()
    assert web_identity_grants(saml, Settings()) == ()
