"""Differential check of module calls against Terraform itself: a caller's arguments become the child's
variables (``optional()`` attribute defaults, ``nullable = false`` with a null passed, defaults where
nothing is passed), ``for_each`` and ``count`` on a call make one instance each (``count = 0`` none),
children call children, and outputs flow back to the caller. ``terraform plan`` reads local module
calls offline; skipped where ``terraform`` is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import terraform_plan, write_tree

from iam_saas_lint.model.values import Span
from iam_saas_lint.sources.terraform import ModuleFiles
from iam_saas_lint.sources.terraform.calls import ModuleTree
from iam_saas_lint.sources.terraform.module import load_module
from iam_saas_lint.sources.terraform.module_sources import Sources, allowed_roots
from iam_saas_lint.sources.terraform.values import first_unknown, plain_data

TERRAFORM = shutil.which("terraform")
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed: the differential check needs it")

ROOT = r"""module "vendor" {
  source   = "./modules/vendor"
  for_each = {
    datadog   = { account_id = "464622532012" }
    snowflake = { account_id = "898466741470", cidrs = null, tags = { team = "data" } }
  }
  name        = each.key
  settings    = each.value
  external_id = each.key == "snowflake" ? null : "dd-5b4a3c2d1e0f"
}

module "counted" {
  source   = "./modules/vendor"
  count    = 2
  name     = "sandbox${count.index}"
  settings = { account_id = "111122223333", cidrs = ["10.0.${count.index}.0/24"] }
}

module "switched_off" {
  source   = "./modules/vendor"
  count    = 0
  name     = "off"
  settings = { account_id = "444455556666" }
}

locals {
  principals  = { for key, vendor in module.vendor : key => vendor.principal }
  cidrs       = { for key, vendor in module.vendor : key => vendor.cidrs }
  external_ids = { for key, vendor in module.vendor : key => vendor.external_id }
  tags        = { for key, vendor in module.vendor : key => vendor.tags }
  counted     = module.counted[*].principal
  counted_cidrs = [for vendor in module.counted : vendor.cidrs]
  none        = length(module.switched_off)
  nested      = { for key, vendor in module.vendor : key => vendor.label }
}
"""

VENDOR = r"""variable "name" {
  type = string
}

variable "settings" {
  type = object({
    account_id = string
    cidrs      = optional(list(string), ["3.233.144.0/20"])
    tags       = optional(map(string), {})
  })
}

variable "external_id" {
  type     = string
  default  = "default-external-id"
  nullable = false
}

module "label" {
  source = "../label"
  name   = var.name
  tags   = var.settings.tags
}

output "principal" {
  value = "arn:aws:iam::${var.settings.account_id}:root"
}

output "cidrs" {
  value = var.settings.cidrs
}

output "external_id" {
  value = var.external_id
}

output "tags" {
  value = var.settings.tags
}

output "label" {
  value = module.label.id
}
"""

LABEL = r"""variable "name" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = { owner = "platform" }
}

output "id" {
  value = join("-", concat([upper(var.name)], [for key in sort(keys(var.tags)) : "${key}=${var.tags[key]}"]))
}
"""

OUTPUTS = ("principals", "cidrs", "external_ids", "tags", "counted", "counted_cidrs", "none", "nested")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("modules")
    outputs = "".join(f'output "{name}" {{\n  value = local.{name}\n}}\n' for name in OUTPUTS)
    write_tree(folder, {"main.tf": ROOT + outputs, "modules/vendor/main.tf": VENDOR, "modules/label/main.tf": LABEL})
    plan = terraform_plan(folder)
    outputs_planned = plan["planned_values"]["outputs"]
    return folder, {name: outputs_planned[name]["value"] for name in OUTPUTS}


@pytest.mark.parametrize("name", OUTPUTS)
def test_module_calls_evaluate_as_terraform_plans_them(planned: tuple[Path, dict[str, object]], name: str) -> None:
    folder, theirs = planned
    directory, limit = str(folder), 1 << 20
    files = [str(folder / "main.tf")]
    sources = Sources(directory, allowed_roots(directory, [directory]), limit)
    tree = ModuleTree(load_module(directory, files, limit), lambda d: ModuleFiles(d, (directory,), limit), sources,
                      limit, None)  # fmt: skip
    tree.build()
    value, _ = tree.root.local(name, files[0], Span(1, 1, 1, 1))
    ours = plain_data(value)
    assert first_unknown(ours) is None, ours
    assert ours == theirs[name]
