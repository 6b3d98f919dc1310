"""Terraform module calls: children judged through their callers, per instance, with the caller's
arguments, outputs flowing back, and calls that cannot be read reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from iam_saas_lint.cli import main
from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding

F = "fixtures/terraform/module_calls/"


def _lint(*paths: str) -> list[Finding]:
    result = run(list(paths), Config())
    assert not result.internal_error, result.tracebacks
    return result.findings


def _rows(findings: list[Finding]) -> list[tuple[str, str, int, int, str | None]]:
    return [(f.rule, f.path.removeprefix(F), f.line, f.column, f.role) for f in findings]


def test_children_are_judged_per_instance_with_the_callers_arguments(in_repo: str) -> None:
    """snowflake leaves out source_ips (optional default 0.0.0.0/0) and passes a placeholder id;
    datadog passes both; cloudzero's deny is attached in the caller through module.cloudzero.role_name;
    the two sandbox instances have none; the audit module is not downloaded. The called folders
    get no verdict of their own."""
    assert _rows(_lint(F)) == [
        ("ISL009", "envs/prod/main.tf", 60, 1, "module.audit"),
        ("ISL009", "envs/prod/main.tf", 60, 1, "module.audit"),
        ("ISL005", "modules/readonly-role/main.tf", 16, 3, "module.sandbox[0].aws_iam_role.this"),
        ("ISL005", "modules/readonly-role/main.tf", 16, 3, "module.sandbox[1].aws_iam_role.this"),
        ("ISL003", "modules/vendor-access/main.tf", 9, 38, 'module.vendor["snowflake"].aws_iam_role.this'),
        ("ISL006", "modules/vendor-access/main.tf", 23, 38, 'module.vendor["snowflake"].aws_iam_role.this'),
    ]


def test_a_bad_value_from_the_caller_names_the_callers_argument(in_repo: str) -> None:
    """The placeholder external id is written in the caller: the finding stays at the child's line
    and names the argument and where the caller sets it; a value the child writes names nothing."""
    messages = {(f.rule, f.role): f.message for f in _lint(F)}
    placeholder = messages[("ISL003", 'module.vendor["snowflake"].aws_iam_role.this')]
    assert placeholder.endswith(
        "external id 'changeme' is a placeholder, not the id the vendor generated for you"
        ' (from argument vendor of module.vendor["snowflake"] at fixtures/terraform/module_calls/envs/prod/main.tf:22)'
    )
    sandbox = messages[("ISL005", "module.sandbox[1].aws_iam_role.this")]
    assert (
        "(from argument account_id of module.sandbox[1] at fixtures/terraform/module_calls/envs/prod/main.tf:38;"
        in sandbox
    )
    assert all("(from" not in m for (rule, _), m in messages.items() if rule == "ISL009")


def test_an_unread_call_names_the_module_and_its_source(in_repo: str) -> None:
    messages = [f.message for f in _lint(F) if f.rule == "ISL009"]
    assert all("module.audit (app.terraform.io/acme/audit-role/aws) is not read: not downloaded" in m for m in messages)


def test_a_folder_nobody_scanned_calls_is_a_root(in_repo: str) -> None:
    """Scanned alone, the shared module is a root: its inputs are unknown, and it says so."""
    rules = {(f.rule, f.role) for f in _lint(F + "modules/readonly-role")}
    assert ("ISL005", "aws_iam_role.this") in rules


TRUST = """resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

output "role_name" {
  value = aws_iam_role.this.name
}
"""

VARIABLES = """variable "name" {
  type = string
}

variable "account_id" {
  type = string
}

variable "external_id" {
  type     = string
  default  = "9a7c41e2d0b3"
  nullable = false
}
"""


def _tree(root: Path, files: dict[str, str]) -> None:
    write_tree(root, files)


def test_a_downloaded_module_is_read_from_modules_json(in_tmp: Path) -> None:
    """A registry source is read where terraform init put it; the key names the call path."""
    _tree(
        in_tmp,
        {
            "root/main.tf": (
                'module "datadog" {\n  source  = "DataDog/integration/aws"\n  version = "1.2.0"\n'
                '  name = "datadog"\n  account_id = "464622532012"\n  external_id = ""\n}\n'
            ),
            "root/.terraform/modules/modules.json": (
                '{"Modules":[{"Key":"","Source":"","Dir":"."},'
                '{"Key":"datadog","Source":"registry.terraform.io/DataDog/integration/aws","Version":"1.2.0",'
                '"Dir":".terraform/modules/datadog"}]}'
            ),
            "root/.terraform/modules/datadog/main.tf": TRUST,
            "root/.terraform/modules/datadog/variables.tf": VARIABLES,
        },
    )
    assert _rows(_lint("root")) == [
        ("ISL005", "root/.terraform/modules/datadog/main.tf", 3, 3, "module.datadog.aws_iam_role.this"),
        ("ISL003", "root/.terraform/modules/datadog/main.tf", 9, 38, "module.datadog.aws_iam_role.this"),
    ]


def test_null_for_a_variable_that_is_not_nullable_takes_its_default(in_tmp: Path) -> None:
    _tree(
        in_tmp,
        {
            "root/main.tf": (
                'module "vendor" {\n  source = "../modules/vendor"\n  name = "vendor"\n'
                '  account_id = "464622532012"\n  external_id = null\n}\n'
            ),
            "modules/vendor/main.tf": TRUST,
            "modules/vendor/variables.tf": VARIABLES,
        },
    )
    assert _rows(_lint(".")) == [("ISL005", "modules/vendor/main.tf", 3, 3, "module.vendor.aws_iam_role.this")]


def test_calls_past_the_depth_bound_are_unverifiable(in_tmp: Path) -> None:
    files = {
        f"m{i}/main.tf": f'module "next" {{\n  source = "../m{i + 1}"\n  account_id = "464622532012"\n}}\n'
        for i in range(10)
    }
    files["m10/main.tf"] = 'variable "account_id" {}\n'
    _tree(in_tmp, files)
    found = _lint(".")
    assert [(f.rule, f.path, f.line) for f in found] == [("ISL009", "m8/main.tf", 1)] * 2
    assert "more than 8 levels of module calls" in found[0].message


def test_a_local_source_that_leaves_the_scanned_tree_is_not_followed(in_tmp: Path) -> None:
    _tree(
        in_tmp,
        {
            "outside/vendor/main.tf": TRUST,
            "repo/main.tf": 'module "v" {\n  source = "../outside/vendor"\n  account_id = "1"\n}\n',
        },
    )
    found = _lint("repo")
    assert {(f.rule, f.path, f.line) for f in found} == {("ISL009", "repo/main.tf", 1)}
    assert "is outside the scanned repository: not followed" in found[0].message


DENY_MODULE = """variable "role_name" {
  type = string
}
resource "aws_iam_role_policy" "deny" {
  name = "deny-outside-vendor"
  role = var.role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { NotIpAddress = { "aws:SourceIp" = ["3.233.144.0/20"] } }
    }]
  })
}
"""
CALLER_WITH_DENY_MODULE = """variable "enabled" {
  type = bool
}
resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = "7f3c9a2e41d84b6f9a1e5c2d8b0f4a67" } }
    }]
  })
}
module "deny" {
  source    = "../modules/deny"
  count     = COUNT
  role_name = aws_iam_role.vendor.name
}
"""


def test_a_deny_in_a_module_instance_that_may_not_exist_is_unknown(in_tmp: Path) -> None:
    """`count = var.enabled ? 1 : 0` with `enabled` unset: the module's Deny may not exist, so the
    vendor role's source-IP verdict is ISL009 (never assumed present); with count 0 it is absent."""
    files = {"root/main.tf": CALLER_WITH_DENY_MODULE.replace("COUNT", "var.enabled ? 1 : 0")}
    _tree(in_tmp, {**files, "modules/deny/main.tf": DENY_MODULE})
    found = _lint(".")
    assert _rows(found) == [("ISL009", "modules/deny/main.tf", 4, 1, "aws_iam_role.vendor")]
    assert "module.deny[count.index].aws_iam_role_policy.deny may not exist: the count of module.deny" in (
        found[0].message
    )
    (in_tmp / "root/main.tf").write_text(CALLER_WITH_DENY_MODULE.replace("COUNT", "0"))
    assert _rows(_lint(".")) == [("ISL005", "root/main.tf", 6, 3, "aws_iam_role.vendor")]


def test_a_trust_built_from_a_module_output_is_linked(in_tmp: Path) -> None:
    _tree(
        in_tmp,
        {
            "modules/accounts/main.tf": 'output "datadog" {\n  value = "464622532012"\n}\n',
            "root/main.tf": (
                'module "accounts" {\n  source = "../modules/accounts"\n}\n'
                'resource "aws_iam_role" "vendor" {\n  name = "vendor"\n'
                "  assume_role_policy = jsonencode({\n    Statement = [{\n"
                '      Effect = "Allow", Action = "sts:AssumeRole"\n'
                '      Principal = { AWS = "arn:aws:iam::${module.accounts.datadog}:root" }\n'
                "    }]\n  })\n}\n"
            ),
        },
    )
    rows = _rows(_lint("."))
    assert ("ISL001", "root/main.tf", 9, 7, "aws_iam_role.vendor") in rows


UNREAD_CALLER = """module "datadog" {
  source      = "DataDog/integration/aws"
  version     = "2.1.0"
  external_id = "d1c7e2b4a9f84e0fb1c2d3e4f5a6b7c8"
}

module "audit" {
  source     = "app.terraform.io/acme/audit-role/aws"
  account_id = "123456789012"
}

module "network" {
  source = "git::https://github.com/acme/terraform-network.git?ref=v1.4.0"
  cidr   = "10.20.0.0/16"
}

module "billing" {
  source = "../../modules/billing-export"
}

module "shared" {
  source = "../../../platform/shared-roles"
}
"""

DOWNLOADED_DATADOG = """variable "external_id" {
  type = string
}

module "labels" {
  source  = "cloudposse/label/null"
  version = "0.25.0"
  name    = "datadog"
}

resource "aws_iam_role" "this" {
  name = "datadog-integration"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

resource "aws_iam_role_policy" "deny" {
  role = aws_iam_role.this.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { NotIpAddress = { "aws:SourceIp" = ["44.192.28.0/24"] } }
    }]
  })
}
"""


def test_verbose_lists_every_call_that_is_not_read_with_why(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Registry and git calls terraform init did not download (one nested in a downloaded module), a
    local folder that does not exist and one outside the scanned tree: each listed once, by file and
    line. Only audit, whose arguments are IAM's, is a finding; the downloaded datadog call is read."""
    _tree(
        in_tmp,
        {
            "envs/prod/main.tf": UNREAD_CALLER,
            "envs/prod/.terraform/modules/modules.json": (
                '{"Modules":[{"Key":"","Source":"","Dir":"."},'
                '{"Key":"datadog","Source":"registry.terraform.io/DataDog/integration/aws","Version":"2.1.0",'
                '"Dir":".terraform/modules/datadog"}]}'
            ),
            "envs/prod/.terraform/modules/datadog/main.tf": DOWNLOADED_DATADOG,
        },
    )
    assert main(["--verbose", "--format", "concise"]) == 1
    out, err = capsys.readouterr()
    manifest = "envs/prod/.terraform/modules/modules.json"
    outside = in_tmp.parent / "platform" / "shared-roles"
    assert err == (
        "iam-saas-lint: skipped envs/prod/.terraform: skipped folder\n"
        "iam-saas-lint: envs/prod/.terraform/modules/datadog/main.tf:5: module.datadog.labels"
        f" (cloudposse/label/null) is not read: not downloaded: {manifest} does not list module key 'datadog.labels'\n"
        "iam-saas-lint: envs/prod/main.tf:7: module.audit (app.terraform.io/acme/audit-role/aws) is not read:"
        f" not downloaded: {manifest} does not list module key 'audit'\n"
        "iam-saas-lint: envs/prod/main.tf:12: module.network"
        " (git::https://github.com/acme/terraform-network.git?ref=v1.4.0) is not read:"
        f" not downloaded: {manifest} does not list module key 'network'\n"
        "iam-saas-lint: envs/prod/main.tf:17: module.billing (../../modules/billing-export) is not read:"
        " modules/billing-export is not a folder\n"
        "iam-saas-lint: envs/prod/main.tf:21: module.shared (../../../platform/shared-roles) is not read:"
        f" {outside} is outside the scanned repository: not followed\n"
    )
    findings = out.splitlines()[:-1]
    assert [line.split(" cannot tell")[0] for line in findings] == [
        'envs/prod/main.tf:7:1: ISL009 role "module.audit":'
    ] * 2
