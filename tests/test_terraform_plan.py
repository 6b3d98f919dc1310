"""Terraform plan JSON (terraform show -json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run

PLAN = "fixtures/terraform/plan/plan.json"


def test_plan_findings(in_repo: str) -> None:
    result = run([PLAN], Config())
    assert not result.internal_error
    assert [(f.rule, f.line, f.column, f.role) for f in result.findings] == [
        ("ISL007", 43, 11, None),
        # assume_role_policy is known only after apply: it may let anyone in
        ("ISL005", 52, 11, "aws_iam_role.later"),
        ("ISL009", 52, 11, "aws_iam_role.later"),
        # a child module's role: no external id; an org policy outside the plan
        ("ISL001", 70, 17, "module.legacy.aws_iam_role.this[0]"),
        ("ISL009", 79, 19, "module.legacy.aws_iam_role.this[0]"),
        ("ISL005", 90, 17, "module.legacy.aws_iam_role.secret"),
    ]
    # aws_iam_role.vendor is linked to its deny through the configuration's references (the policy
    # ARN is known only after apply); aws_iam_role.old is being deleted
    assert result.roles == 4


def test_sensitive_external_id_is_never_printed(in_repo: str) -> None:
    result = run([PLAN], Config())
    assert all("changeme" not in f.message for f in result.findings)
    assert not [f for f in result.findings if f.rule == "ISL003"]


def test_plan_links_by_role_name_and_policy_arn(tmp_path: Path) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["0.0.0.0/0"]}}}]}  # fmt: skip
    xid = {"StringEquals": {"sts:ExternalId": "k7Qm2xVb9"}}
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": "464622532012"}, "Condition": xid}]}  # fmt: skip
    resources = [
        {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r",
         "values": {"name": "vendor", "assume_role_policy": json.dumps(trust)}},
        {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p",
         "values": {"name": "deny", "arn": "arn:aws:iam::111122223333:policy/deny", "policy": json.dumps(deny)}},
        {"address": "aws_iam_role_policy_attachment.a", "mode": "managed",
         "type": "aws_iam_role_policy_attachment", "name": "a",
         "values": {"role": "vendor", "policy_arn": "arn:aws:iam::111122223333:policy/deny"}},
    ]  # fmt: skip
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}}))
    findings = run([str(plan)], Config()).findings
    assert [(f.rule, f.role) for f in findings] == [("ISL006", "aws_iam_role.r")]


def test_json_only_run_does_not_import_hcl2(in_repo: str) -> None:
    code = (
        "import sys\n"
        "from iam_saas_lint.config import Config\n"
        "from iam_saas_lint.engine import run\n"
        f"assert run([{PLAN!r}], Config()).findings\n"
        "print('hcl2' in sys.modules, 'lark' in sys.modules)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=in_repo)
    assert output.stdout.split() == ["False", "False"]


def test_module_instances_are_linked_within_their_own_instance(in_repo: str) -> None:
    # A real plan (see the fixture's README): only module.vendor["prod"] attaches the Deny.
    result = run(["fixtures/terraform/plan_module_instances/plan.json"], Config())
    assert [(f.rule, f.line, f.column, f.role) for f in result.findings] == [
        ("ISL005", 1, 1797, 'module.vendor["staging"].aws_iam_role.this'),
    ]
    assert result.roles == 2


def _resource(address: str, type_name: str, values: dict[str, object]) -> dict[str, object]:
    return {"address": address, "mode": "managed", "type": type_name, "name": address.split(".")[-1], "values": values}


def test_state_is_read_like_a_plan(tmp_path: Path) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["3.233.144.0/20"]}}}]}  # fmt: skip
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
             "Condition": {"StringEquals": {"sts:ExternalId": "7f3c9a2e41b84d0c9e6a"}}}]}  # fmt: skip
    arn = "arn:aws:iam::111122223333:policy/ip-deny"
    trusted = json.dumps(trust)
    resources = [
        _resource("aws_iam_role.prod", "aws_iam_role", {"name": "datadog-prod", "assume_role_policy": trusted}),
        _resource("aws_iam_role.dev", "aws_iam_role", {"name": "datadog-dev", "assume_role_policy": trusted}),
        _resource("aws_iam_policy.deny", "aws_iam_policy", {"name": "ip-deny", "arn": arn, "policy": json.dumps(deny)}),
        _resource("aws_iam_role_policy_attachment.prod", "aws_iam_role_policy_attachment",
                  {"role": "datadog-prod", "policy_arn": arn}),
    ]  # fmt: skip
    state = tmp_path / "terraform.tfstate.json"
    body = {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {"resources": resources}}}
    state.write_text(json.dumps(body))
    findings = run([str(state)], Config()).findings
    assert [(f.rule, f.role) for f in findings] == [("ISL005", "aws_iam_role.dev")]


def test_an_attachment_to_one_of_several_instances_is_unknown_not_a_deny_for_all(tmp_path: Path) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["3.233.144.0/20"]}}}]}  # fmt: skip
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
             "Condition": {"StringEquals": {"sts:ExternalId": "7f3c9a2e41b84d0c9e6a"}}}]}  # fmt: skip
    resources = [
        _resource('aws_iam_role.r["a"]', "aws_iam_role", {"assume_role_policy": json.dumps(trust)}),
        _resource('aws_iam_role.r["b"]', "aws_iam_role", {"assume_role_policy": json.dumps(trust)}),
        _resource("aws_iam_role_policy.deny", "aws_iam_role_policy", {"policy": json.dumps(deny)}),
    ]
    role_refs = {"role": {"references": ["local.pick", "aws_iam_role.r"]}}
    configuration = {"root_module": {"resources": [{"address": "aws_iam_role_policy.deny", "expressions": role_refs}]}}
    change = {"actions": ["create"], "after": resources[0]["values"], "after_unknown": {"name": True}}
    changes = [{"address": 'aws_iam_role.r["a"]', "mode": "managed", "type": "aws_iam_role", "change": change}]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}},
                                "resource_changes": changes, "configuration": configuration}))  # fmt: skip
    findings = run([str(plan)], Config()).findings
    assert sorted((f.rule, f.role) for f in findings) == [
        ("ISL009", 'aws_iam_role.r["a"]'),
        ("ISL009", 'aws_iam_role.r["b"]'),
    ]


def test_cloudformation_deployed_by_terraform_is_read_with_its_parameters(in_repo: str) -> None:
    # A real plan (see the fixture's README): the template's role trusts the account the stack passes.
    result = run(["fixtures/terraform/plan_cloudformation_stack/plan.json"], Config())
    role = "aws_cloudformation_stack.vendor_role/VendorRole (vendor-scanner)"
    assert [(f.rule, f.line, f.column, f.role) for f in result.findings] == [
        ("ISL005", 1, 806, role),
        ("ISL001", 1, 925, role),
    ]
    assert "Datadog (464622532012)" in result.findings[1].message
