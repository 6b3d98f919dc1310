"""The action catalogue counts a Deny's actions as policyuniverse did (the figures were taken from
policyuniverse 1.5.1.20231109 on the same patterns), without importing it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

from iam_saas_lint.model.actions import all_actions, expand, uncovered_share


@pytest.mark.parametrize(
    ("patterns", "element", "share"),
    [
        (["s3:*"], "Action", "15,189 of 15,319 known actions"),
        (["S3:Get*", "s3:GetObject"], "Action", "15,268 of 15,319 known actions"),
        (["s3:GetObject", "s3:NoSuchAction"], "Action", "15,317 of 15,319 known actions"),
        (["ec2:Describe?nstances"], "Action", "15,318 of 15,319 known actions"),
        (["nosuchservice:*"], "Action", "15,318 of 15,319 known actions"),
        (["*"], "Action", "0 of 15,319 known actions"),
        (["s3:*", "iam:*"], "NotAction", "301 of 15,319 known actions"),
        (["s3:NoSuchAction"], "NotAction", "0 of 15,319 known actions"),
        ([], "NotAction", "15,319 of 15,319 known actions"),
    ],
)
def test_uncovered_share(patterns: list[str], element: str, share: str) -> None:
    assert uncovered_share(patterns, element) == share


def test_expand_matches_case_insensitively_and_across_services() -> None:
    assert expand("STS:AssumeRole") == {"sts:assumerole"}
    assert {"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity"} <= expand("sts:Assume*")
    assert expand("*:GetCallerIdentity") == {"sts:getcalleridentity"}
    assert len(all_actions()) == 15319


def test_a_run_that_counts_actions_does_not_import_policyuniverse() -> None:
    code = (
        "import sys; from iam_saas_lint.cli import main; "
        "main(['--no-cache', '--format', 'concise', 'fixtures/terraform/split_files/role.tf']); "
        "print('policyuniverse' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert "15,189 of 15,319 known actions" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "False"
