"""The Python API, as README shows it."""

from __future__ import annotations

import json

import iam_saas_lint
from iam_saas_lint import Config, lint_policy, lint_role

VENDOR_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}, "Action": "sts:AssumeRole"}
    ],
}
DENY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
        }
    ],
}


def test_lint_policy_trust_from_a_dict() -> None:
    findings = lint_policy(VENDOR_TRUST, kind="trust")
    assert [(f.rule, f.json_path, f.path) for f in findings] == [("ISL001", "$.Statement[0].Principal", "<trust>")]


def test_lint_policy_from_a_json_string_has_positions() -> None:
    text = json.dumps(VENDOR_TRUST, indent=2)
    findings = lint_policy(text)
    assert [(f.rule, f.line, f.column) for f in findings] == [("ISL001", 6, 7)]


def test_lint_policy_permissions_checks_the_grammar_and_lint_role_the_deny() -> None:
    broken = json.loads(json.dumps(DENY))
    broken["Statement"][0]["Action"] = "s3:*"
    broken["Statement"][0]["Effect"] = "deny"
    assert [(f.rule, f.json_path) for f in lint_policy(broken, kind="permissions")] == [
        ("ISL000", "$.Statement[0].Effect")
    ]
    broken["Statement"][0]["Effect"] = "Deny"
    assert lint_policy(broken, kind="permissions") == []
    found = [(f.rule, f.path) for f in lint_role(VENDOR_TRUST, [broken])]
    assert found == [("ISL006", "<policy 0>"), ("ISL001", "<trust>")]


def test_lint_role_sees_the_attached_deny() -> None:
    assert [f.rule for f in lint_role(VENDOR_TRUST, [])] == ["ISL001", "ISL005"]
    assert [f.rule for f in lint_role(VENDOR_TRUST, [DENY])] == ["ISL001"]


def test_config_is_honoured() -> None:
    config = Config().with_overrides(own_accounts=["464622532012"])
    assert lint_role(VENDOR_TRUST, [], config=config) == []


def test_invalid_json_string_is_an_isl000_finding() -> None:
    findings = lint_policy('{"Statement": [')
    assert [(f.rule, f.line, f.column) for f in findings] == [("ISL000", 1, 16)]


def test_findings_are_frozen_and_sorted() -> None:
    findings = lint_role(VENDOR_TRUST, [])
    assert findings == sorted(findings, key=lambda f: f.sort_key())
    assert hash(findings[0]) == hash(findings[0])
    assert iam_saas_lint.__version__
