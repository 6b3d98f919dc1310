"""``suggest --vendor github-actions --repo OWNER/REPO`` (and every other issuer) writes a trust that
lints clean in each format, and the issuer registry is listed beside the vendors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_tree

from iam_saas_lint.config import config_from_table
from iam_saas_lint.engine import run
from iam_saas_lint.model.issuers import builtin_issuers, find_issuer
from iam_saas_lint.suggest_web_identity import (
    SuggestError,
    describe_issuer,
    issuer_lines,
    suggest_web_identity,
)

ISSUERS = builtin_issuers()
FILE_NAMES = {"json": "trust.json", "cloudformation": "template.yaml", "terraform": "main.tf"}


def _files(output: str, repo: str) -> dict[str, str]:
    files = {}
    for issuer in ISSUERS:
        text = suggest_web_identity(issuer, output, repo)
        if output == "json":
            text = json.dumps(json.loads(text)["trust.json"], indent=2)
        files[f"{issuer.id}/{FILE_NAMES[output]}"] = text
    return files


@pytest.mark.parametrize("output", ["json", "cloudformation", "terraform"])
def test_every_suggested_trust_lints_clean(in_tmp: Path, output: str) -> None:
    files = _files(output, "octo-org/infra")
    write_tree(in_tmp, files)
    result = run(["."], config_from_table({"select": ["ISL", "ISL014"]}, str(in_tmp)))
    assert result.findings == []
    assert result.roles == len(ISSUERS)


def test_github_trust_pins_the_repository_in_each_format() -> None:
    github = find_issuer("github-actions")
    assert github is not None
    document = json.loads(suggest_web_identity(github, "json", "octo-org/infra"))["trust.json"]
    assert document["Statement"][0]["Condition"] == {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/infra:*"},
    }
    cloudformation = suggest_web_identity(github, "cloudformation", "octo-org/infra")
    assert 'Fn::Sub: "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions' in cloudformation
    terraform = suggest_web_identity(github, "terraform", "octo-org/*")
    assert 'variable = "token.actions.githubusercontent.com:sub"\n      values   = ["repo:octo-org/*:*"]' in terraform


@pytest.mark.parametrize("repo", [None, "octo-org", "*/infra", "octo-org/", "octo org/infra", "octo-org/in fra"])
def test_a_repository_that_would_not_pin_the_owner_is_refused(repo: str | None) -> None:
    github = find_issuer("GitHub Actions")
    assert github is not None
    with pytest.raises(SuggestError):
        suggest_web_identity(github, "json", repo)


def test_the_registry_is_listed_and_described() -> None:
    lines = issuer_lines()
    assert len(lines) == len(ISSUERS)
    assert lines[0] == (
        "github-actions: GitHub Actions (OIDC token.actions.githubusercontent.com; shared): "
        "pin sub = repo:OWNER/REPO:ref:refs/heads/main"
    )
    cognito = find_issuer("cognito")
    assert cognito is not None
    shown = describe_issuer(cognito)
    assert shown[0] == "Amazon Cognito identity pools (cognito)"
    assert "  audience: aud, must be pinned to your identity pool id" in shown
    assert all(line.startswith("  source: https://") for line in shown[-len(cognito.docs) :])


def test_cli_suggest_with_repo_and_vendors_listing(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from iam_saas_lint.cli import main

    assert main(["suggest", "--vendor", "github-actions", "--repo", "octo-org/infra", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)["trust.json"]
    assert document["Statement"][0]["Condition"]["StringLike"] == {
        "token.actions.githubusercontent.com:sub": "repo:octo-org/infra:*"
    }
    assert main(["suggest", "--vendor", "github-actions"]) == 2
    assert capsys.readouterr().err == (
        "iam-saas-lint: GitHub Actions needs --repo OWNER/REPO: the repository owner (user or organization) "
        "its tokens must name\n"
    )
    assert main(["vendors"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "OIDC identity providers (web identity: the claims a trust must pin):" in listed
    assert listed[-len(ISSUERS) :] == issuer_lines()
    assert main(["vendors", "buildkite"]) == 0
    assert capsys.readouterr().out.startswith("Buildkite (buildkite)\n  issuer: agent.buildkite.com (shared)\n")
