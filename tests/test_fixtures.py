"""The bundled fixtures, linted as the README's first command does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _found(path: str) -> list[str]:
    return [f"{f.rule} {f.path}:{f.line}:{f.column} {f.role}" for f in run([path], Config()).findings]


def test_raw_bundles() -> None:
    assert _found("fixtures/raw") == [
        "ISL005 fixtures/raw/datadog-no-external-id/trust.json:1:1 datadog-no-external-id",
        "ISL001 fixtures/raw/datadog-no-external-id/trust.json:6:7 datadog-no-external-id",
        "ISL006 fixtures/raw/snowflake-weak-conditions/s3-access.json:15:11 snowflake-weak-conditions",
        "ISL002 fixtures/raw/snowflake-weak-conditions/trust.json:12:11 snowflake-weak-conditions",
    ]


def test_account_export() -> None:
    """URL-encoded trust (DatadogIntegrationRole) and a managed Deny resolved to its default
    version pass; the AWS-managed policy is ignored; the boundary's private-only list is a hole;
    a policy missing from the export makes the verdict unverifiable; the service role is out of scope."""
    assert _found(os.path.join("fixtures", "account-export")) == [
        "ISL001 fixtures/account-export/authorization-details.json:33:13 NewRelicInfrastructure",
        "ISL009 fixtures/account-export/authorization-details.json:90:9 CloudSploitScanner",
        "ISL006 fixtures/account-export/authorization-details.json:176:21 NewRelicInfrastructure",
    ]


def test_a_named_file_brings_its_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in pre-commit: only the trust policy changed, but the Deny beside it decides ISL005."""
    assert _found("fixtures/raw/datadog-protected/trust.json") == []
    assert _found("fixtures/raw/snowflake-weak-conditions/trust.json") == [
        "ISL006 fixtures/raw/snowflake-weak-conditions/s3-access.json:15:11 snowflake-weak-conditions",
        "ISL002 fixtures/raw/snowflake-weak-conditions/trust.json:12:11 snowflake-weak-conditions",
    ]
