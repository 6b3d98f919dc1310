"""A role written once (a trust policy and named permission policies) as the files of each syntax
the linter reads it in: raw policy JSON, a CloudFormation YAML template, Terraform ``jsonencode``."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import yaml

Files = dict[str, str]
SYNTAXES = ("json", "cloudformation", "terraform")


def raw_json(trust: Any, policies: Mapping[str, Any]) -> Files:
    """The ``roles/<name>/`` layout: a trust policy and the permission policies beside it."""
    files = {"roles/vendor/trust.json": json.dumps(trust, indent=2) + "\n"}
    files.update({f"roles/vendor/{name}.json": json.dumps(p, indent=2) + "\n" for name, p in policies.items()})
    return files


def _yaml(data: Any, indent: int) -> str:
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=1000)
    return "".join(" " * indent + line + "\n" for line in text.splitlines())


def cloudformation_yaml(trust: Any, policies: Mapping[str, Any]) -> Files:
    """One ``AWS::IAM::Role`` with its trust policy and inline ``Policies``."""
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  VendorRole:\n    Type: AWS::IAM::Role\n"
    text += "    Properties:\n      AssumeRolePolicyDocument:\n" + _yaml(trust, 8)
    if policies:
        text += "      Policies:\n"
        for name, policy in policies.items():
            text += f"        - PolicyName: {name}\n          PolicyDocument:\n" + _yaml(policy, 12)
    return {"template.yaml": text}


def _hcl_string(text: str) -> str:
    return json.dumps(text).replace("${", "$${").replace("%{", "%%{")


def hcl(value: Any, indent: int = 0) -> str:
    """``value`` as an HCL expression, the way people write ``jsonencode`` arguments."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}  {_hcl_string(str(k))} = {hcl(v, indent + 2)}\n" for k, v in value.items()]
        return "{\n" + "".join(items) + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return "[" + ", ".join(hcl(item, indent) for item in value) + "]"
        items = [f"{pad}  {hcl(item, indent + 2)},\n" for item in value]
        return "[\n" + "".join(items) + pad + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return _hcl_string(str(value))


def terraform_jsonencode(trust: Any, policies: Mapping[str, Any]) -> Files:
    """An ``aws_iam_role`` and one ``aws_iam_role_policy`` per permission policy."""
    text = 'resource "aws_iam_role" "vendor" {\n  name               = "vendor"\n'
    text += f"  assume_role_policy = jsonencode({hcl(trust, 2)})\n}}\n"
    for name, policy in policies.items():
        text += f'\nresource "aws_iam_role_policy" "{name}" {{\n  name   = "{name}"\n'
        text += f"  role   = aws_iam_role.vendor.id\n  policy = jsonencode({hcl(policy, 2)})\n}}\n"
    return {"main.tf": text}


WRITERS: dict[str, Callable[[Any, Mapping[str, Any]], Files]] = {
    "json": raw_json,
    "cloudformation": cloudformation_yaml,
    "terraform": terraform_jsonencode,
}


def role_files(role: Mapping[str, Any], syntax: str) -> Files:
    return WRITERS[syntax](role["trust"], role.get("policies") or {})
