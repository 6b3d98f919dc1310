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


def test_state_module_instances_attach_only_the_policy_their_arn_names(in_repo: str) -> None:
    # See the fixture's README: staging's ARN names the default path, prod's policy is at /prod/.
    result = run(["fixtures/terraform/state_module_instances/state.json"], Config())
    assert [(f.rule, f.line, f.column, f.role) for f in result.findings] == [
        ("ISL009", 103, 17, 'module.vendor["staging"].aws_iam_role.this'),
    ]
    assert (
        "arn:aws:iam::111122223333:policy/deny-outside-vendor is not defined in this state"
        in result.findings[0].message
    )
    assert result.roles == 2


def _plan_creating_the_deny(tmp_path: Path, caller_account: str | None) -> list[tuple[str, str]]:
    """A plan that creates policy security/deny-outside-vendor (its ARN known only after apply) and
    attaches it by literal ARNs: its own, one at another path, one in another account."""
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["3.233.144.0/20"]}}}]}  # fmt: skip
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
             "Condition": {"StringEquals": {"sts:ExternalId": "7f3c9a2e41b84d0c9e6a"}}}]}  # fmt: skip
    arns = {
        "own": "arn:aws:iam::111122223333:policy/security/deny-outside-vendor",
        "root_path": "arn:aws:iam::111122223333:policy/deny-outside-vendor",
        "other_account": "arn:aws:iam::444455556666:policy/security/deny-outside-vendor",
    }
    resources = [
        _resource("aws_iam_policy.deny", "aws_iam_policy",
                  {"name": "deny-outside-vendor", "path": "/security/", "policy": json.dumps(deny)}),
    ]  # fmt: skip
    for name, arn in arns.items():
        resources += [
            _resource(f"aws_iam_role.{name}", "aws_iam_role", {"name": name, "assume_role_policy": json.dumps(trust)}),
            _resource(f"aws_iam_role_policy_attachment.{name}", "aws_iam_role_policy_attachment",
                      {"role": name, "policy_arn": arn}),
        ]  # fmt: skip
    change = {"actions": ["create"], "after": resources[0]["values"], "after_unknown": {"arn": True, "id": True}}
    changes = [{"address": "aws_iam_policy.deny", "mode": "managed", "type": "aws_iam_policy", "change": change}]
    body: dict[str, object] = {"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}},
                               "resource_changes": changes}  # fmt: skip
    if caller_account is not None:
        identity = {"address": "data.aws_caller_identity.current", "mode": "data", "type": "aws_caller_identity",
                    "name": "current", "values": {"account_id": caller_account}}  # fmt: skip
        body["prior_state"] = {"format_version": "1.0", "values": {"root_module": {"resources": [identity]}}}
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(body))
    return sorted((f.rule, f.role or "") for f in run([str(plan)], Config()).findings)


def test_a_literal_arn_names_a_policy_the_plan_creates_by_account_path_and_name(tmp_path: Path) -> None:
    assert _plan_creating_the_deny(tmp_path, "111122223333") == [
        ("ISL009", "aws_iam_role.other_account"),
        ("ISL009", "aws_iam_role.root_path"),
    ]


def test_without_the_account_a_literal_arn_may_name_the_policy_the_plan_creates(tmp_path: Path) -> None:
    assert _plan_creating_the_deny(tmp_path, None) == [
        ("ISL009", "aws_iam_role.other_account"),
        ("ISL009", "aws_iam_role.own"),
        ("ISL009", "aws_iam_role.root_path"),
    ]
