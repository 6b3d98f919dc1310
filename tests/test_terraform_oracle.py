"""Differential check of the Terraform evaluator against Terraform itself.

A folder of only variables, tfvars, locals, outputs, override files and ``terraform_data`` resources
(Terraform's built-in resource, which takes ``count``/``for_each``) is planned offline by
``terraform`` (no provider is downloaded); the values of its outputs and the instances it plans are
compared with what the evaluator makes of the same folder. Skipped where ``terraform`` is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import terraform_plan

from iam_saas_lint.model.values import Span, Unknown
from iam_saas_lint.sources.terraform import ModuleFiles
from iam_saas_lint.sources.terraform.evaluate import Evaluator
from iam_saas_lint.sources.terraform.module import load_module
from iam_saas_lint.sources.terraform.values import first_unknown, plain_data

TERRAFORM = shutil.which("terraform")
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed: the differential check needs it")

MAIN = r"""
variable "enable_deny" {
  type    = bool
  default = false
}

variable "enable_from_tfvars" {
  type    = bool
  default = false
}

variable "vendors" {
  type    = map(string)
  default = { datadog = "464622532012", snowflake = "898466741470" }
}

variable "nobody" {
  type    = map(string)
  default = {}
}

variable "external_id" {
  type      = string
  default   = "changeme"
  sensitive = true
}

variable "overridden" {
  type    = string
  default = "from main.tf"
}

locals {
  deny_count = 2
  principals = formatlist("arn:aws:iam::%s:root", values(var.vendors))
  labelled   = formatlist("%s=%s", keys(var.vendors), "x")
  range_max  = length(range(1024))
  stepped    = range(10, 0, -3)
  policy     = templatefile("${path.module}/policy.tftpl", { accounts = values(var.vendors), deny = true })
  no_deny    = templatefile("${path.module}/policy.tftpl", { accounts = [], deny = false })
  heredoc    = <<EOT
%{~ for name, account in var.vendors ~}
  ${name}:${account}
%{ endfor ~}
%{ if length(var.nobody) == 0 }none%{ else }some%{ endif }
  %{~ if true ~}
    kept
  %{~ endif }
EOT
  secret      = sensitive("k7Qm2xVb9Lp4")
  secret_len  = length(nonsensitive(var.external_id))
  replaced    = "written in main.tf"
  overridden  = "written in main.tf"
  conditional = var.enable_deny ? "on" : "off"
}

resource "terraform_data" "from_default" {
  count = var.enable_deny ? 1 : 0
}

resource "terraform_data" "from_tfvars" {
  count = var.enable_from_tfvars ? 1 : 0
}

resource "terraform_data" "from_local" {
  count = local.deny_count
  input = "deny-${count.index}"
}

resource "terraform_data" "per_vendor" {
  for_each = var.vendors
  input    = "arn:aws:iam::${each.value}:root"
}

resource "terraform_data" "chained" {
  for_each = terraform_data.per_vendor
  input    = each.value.input
}

resource "terraform_data" "none" {
  for_each = var.nobody
}

resource "terraform_data" "overridden_count" {
  count = 1
}

output "principals" {
  value = local.principals
}

output "labelled" {
  value = local.labelled
}

output "range_max" {
  value = local.range_max
}

output "stepped" {
  value = local.stepped
}

output "policy" {
  value = local.policy
}

output "no_deny" {
  value = local.no_deny
}

output "heredoc" {
  value = local.heredoc
}

output "secret" {
  value     = local.secret
  sensitive = true
}

output "secret_len" {
  value = local.secret_len
}

output "replaced" {
  value = local.replaced
}

output "overridden" {
  value = local.overridden
}

output "conditional" {
  value = local.conditional
}
"""

TEMPLATE = r"""{
  "Version": "2012-10-17",
  "Statement": [
%{ for index, account in accounts ~}
    {"Sid": "Vendor${index}", "Effect": "Allow", "Action": "sts:AssumeRole",
     "Principal": {"AWS": "arn:aws:iam::${account}:root"}},
%{ endfor ~}
%{ if deny ~}
    {"Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}
%{ else ~}
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
%{ endif ~}
  ]
}
"""

OVERRIDE = """
locals {
  replaced   = "written in the override file"
  overridden = var.overridden
}

variable "overridden" {
  default = "from override.tf"
}

resource "terraform_data" "overridden_count" {
  count = 3
}
"""

#: Template directives in quoted strings and heredocs (<<EOT, <<-EOT), with strip markers.
DIRECTIVES = r"""
locals {
  q_if          = "role-%{ if var.enable_deny }deny%{ else }open%{ endif }"
  q_for         = "%{ for name, account in var.vendors }${name}=${account};%{ endfor }"
  q_strip       = "a\n  \n  %{~ if true }x%{ endif }"
  q_strip_after = "%{ if true ~}\n  \n  b%{ endif }"
  q_after_end   = "%{ if true }a  %{ endif }${~"x"}"
  q_escapes     = "\"%{ if true }$${literal} %%{ kept } \\ \u00e9 \t%{ endif }\""
  nest = { a = [1, 2], b = [] }
  q_nested = "%{ for k, v in local.nest }%{ if length(v) > 0 }${k}:%{for n in v}${n}%{ endfor };%{ endif }%{endfor}"
  q_set         = "%{ for x in toset(["b", "a", "c"]) }${x}%{ endfor }"
  q_sensitive   = "%{ if true }id-${var.external_id}%{ endif }"
  h_flush_none  = <<-EOT
    kept
    %{~ if true }
      inner
    %{ endif }
  EOT
  h_flush_lines = <<-EOT
    kept
    %{ if true ~}
      inner
    %{ endif ~}
    after
  EOT
  h_flush_for   = <<-EOT
    line
  %{ for x in ["a", "b"] ~}
      ${x}
  %{ endfor ~}
    end
  EOT
  h_flush_plain = <<-EOT
    start
    %{ for x in ["a", "b"] }
      - ${x}
    %{ endfor }
    end
  EOT
  h_policy      = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        %{~ for index, account in values(var.vendors) ~}
        %{ if index > 0 },%{ endif }{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${account}:root"}}
        %{~ endfor ~}
      ]
    }
  EOT
}
"""

DIRECTIVES_JSON = r"""{
  "locals": {
    "j_strip": "a\n  \n  %{~ if true }x%{ endif }",
    "j_for": "%{ for k, v in var.vendors ~}\n  ${k}=${v}\n%{ endfor ~}",
    "j_policy": "{\"S\": [%{ for i, a in values(var.vendors) }%{ if i > 0 }, %{ endif }{\"AWS\": \"${a}\"}%{ endfor }]}"
  }
}
"""

DIRECTIVE_OUTPUTS = (
    "q_if",
    "q_for",
    "q_strip",
    "q_strip_after",
    "q_after_end",
    "q_escapes",
    "q_nested",
    "q_set",
    "q_sensitive",
    "h_flush_none",
    "h_flush_lines",
    "h_flush_for",
    "h_flush_plain",
    "h_policy",
    "j_strip",
    "j_for",
    "j_policy",
)

OUTPUTS = (
    "principals",
    "labelled",
    "range_max",
    "stepped",
    "policy",
    "no_deny",
    "heredoc",
    "secret",
    "secret_len",
    "replaced",
    "overridden",
    "conditional",
    *DIRECTIVE_OUTPUTS,
)


def _write(folder: Path) -> None:
    (folder / "main.tf").write_text(MAIN)
    (folder / "policy.tftpl").write_text(TEMPLATE)
    (folder / "override.tf").write_text(OVERRIDE)
    (folder / "terraform.tfvars").write_text("enable_from_tfvars = true\n")
    outputs = "".join(
        f'output "{name}" {{\n  value = local.{name}\n  sensitive = {str(name == "q_sensitive").lower()}\n}}\n'
        for name in DIRECTIVE_OUTPUTS
    )
    (folder / "directives.tf").write_text(DIRECTIVES + outputs)
    (folder / "directives.tf.json").write_text(DIRECTIVES_JSON)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("oracle")
    _write(folder)
    plan = terraform_plan(folder)
    assert isinstance(plan, dict)
    return folder, plan


def _evaluator(folder: Path) -> Evaluator:
    files = sorted(str(path) for path in folder.iterdir() if path.name.endswith((".tf", ".tf.json")))
    module = load_module(str(folder), files, 1 << 20)
    assert not module.problems, module.problems
    return Evaluator(module, ModuleFiles(str(folder), (str(folder),), 1 << 20))


def _ours(evaluator: Evaluator, name: str) -> object:
    file = str(Path(evaluator.module.directory) / "main.tf")
    value, _ = evaluator.local(name, file, Span(1, 1, 1, 1))
    value = plain_data(value)
    assert first_unknown(value) is None, value
    return value


@pytest.mark.parametrize("name", OUTPUTS)
def test_the_evaluator_agrees_with_terraform_on_each_value(planned: tuple[Path, dict[str, object]], name: str) -> None:
    folder, plan = planned
    outputs = plan["planned_values"]["outputs"]  # type: ignore[index]
    expected = outputs[name]["value"]
    local = {"overridden": "overridden"}.get(name, name)
    assert _ours(_evaluator(folder), local) == expected


def test_the_evaluator_makes_the_instances_terraform_plans(planned: tuple[Path, dict[str, object]]) -> None:
    folder, plan = planned
    resources = plan["planned_values"]["root_module"]["resources"]  # type: ignore[index]
    theirs = {resource["address"]: resource["values"].get("input") for resource in resources}
    evaluator = _evaluator(folder)
    ours: dict[str, object] = {}
    for declaration in evaluator.module.by_type("resource", "terraform_data"):
        for instance in evaluator.instances(declaration):
            assert instance.maybe is None and not isinstance(instance.key, Unknown), instance.address
            value = evaluator.argument(instance, "input")
            ours[instance.address] = plain_data(value)
    assert ours == theirs


def test_past_terraform_s_bounds_the_value_is_unknown_as_terraform_rejects_it(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("locals {\n  too_many = length(range(1025))\n}\n")
    assert TERRAFORM is not None
    environment = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    done = subprocess.run(
        [TERRAFORM, "console"],
        input="local.too_many\n",
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "1024" in done.stdout + done.stderr  # an error, not a value
    value, _ = _evaluator(tmp_path).local("too_many", str(tmp_path / "main.tf"), Span(1, 1, 1, 1))
    assert isinstance(value, Unknown) and "1,024" in value.description
