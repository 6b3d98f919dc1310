"""``iam-saas-lint suggest --vendor NAME``: a trust policy and a source-IP Deny to start from."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from .fixes import _hcl_value, _yaml, source_ip_deny
from .model.vendors import Vendor
from .patterns import lazy_compile

FORMATS = ("json", "cloudformation", "terraform")
EXTERNAL_ID_PATTERN = r"[\w+=,.@:\/-]{2,1224}"
#: What IAM accepts as a role name.
ROLE_NAME = lazy_compile(r"[\w+=,.@-]{1,64}", re.ASCII)


def _identifier(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Vendor"


def _snake(name: str) -> str:
    return "_".join(w.lower() for w in re.findall(r"[A-Za-z0-9]+", name)) or "vendor"


def trust_policy(vendor: Vendor, external_id: object) -> dict[str, object]:
    principals = [f"arn:aws:iam::{account}:root" for account in vendor.accounts]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"{_identifier(vendor.name)}AssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }


def deny_policy(cidrs: Sequence[str]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [source_ip_deny(cidrs).data]}


def _role_name(vendor: Vendor, role_name: str | None) -> str:
    return role_name or f"{_snake(vendor.name).replace('_', '-')}-integration"


def _json(vendor: Vendor, cidrs: Sequence[str], role_name: str | None) -> str:
    document = {
        "trust.json": trust_policy(vendor, "<external id the vendor generated for you>"),
        "deny-outside-vendor-addresses.json": deny_policy(cidrs),
    }
    return json.dumps(document, indent=2) + "\n"


def _cloudformation(vendor: Vendor, cidrs: Sequence[str], role_name: str | None) -> str:
    name = _identifier(vendor.name)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Cross-account role for {vendor.name} with an external id and a source-IP Deny",
        "Parameters": {
            "ExternalId": {
                "Type": "String",
                "Description": f"The external id {vendor.name} generated for your account",
                "AllowedPattern": EXTERNAL_ID_PATTERN,
            }
        },
        "Resources": {
            f"{name}Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": _role_name(vendor, role_name),
                    "AssumeRolePolicyDocument": trust_policy(vendor, {"Ref": "ExternalId"}),
                    "Policies": [{"PolicyName": f"DenyOutside{name}Addresses", "PolicyDocument": deny_policy(cidrs)}],
                },
            }
        },
        "Outputs": {
            "RoleArn": {
                "Description": f"The role ARN to give {vendor.name}",
                "Value": {"Fn::GetAtt": [f"{name}Role", "Arn"]},
            }
        },
    }
    return "\n".join(_yaml(template)) + "\n"


def _terraform(vendor: Vendor, cidrs: Sequence[str], role_name: str | None) -> str:
    name = _snake(vendor.name)
    trust = _hcl_value(trust_policy(vendor, "__EXTERNAL_ID__"), 2).replace('"__EXTERNAL_ID__"', "var.external_id")
    deny = _hcl_value(deny_policy(cidrs), 2)
    return (
        'variable "external_id" {\n'
        "  type        = string\n"
        f'  description = "The external id {vendor.name} generated for your account"\n'
        "}\n\n"
        f'resource "aws_iam_role" "{name}" {{\n'
        f'  name               = "{_role_name(vendor, role_name)}"\n'
        f"  assume_role_policy = jsonencode({trust})\n"
        "}\n\n"
        f'resource "aws_iam_role_policy" "{name}_deny_outside_vendor_addresses" {{\n'
        f'  name   = "deny-outside-{name.replace("_", "-")}-addresses"\n'
        f"  role   = aws_iam_role.{name}.id\n"
        f"  policy = jsonencode({deny})\n"
        "}\n\n"
        'output "role_arn" {\n'
        f'  description = "The role ARN to give {vendor.name}"\n'
        f"  value       = aws_iam_role.{name}.arn\n"
        "}\n"
    )


def suggest(vendor: Vendor, output: str, cidrs: Sequence[str], role_name: str | None = None) -> str:
    """A role for ``vendor`` in ``output`` form (``FORMATS``): its trust policy pins the external id and a
    policy denies every action from outside ``cidrs`` (a placeholder to fill when empty)."""
    render = {"json": _json, "cloudformation": _cloudformation, "terraform": _terraform}[output]
    return render(vendor, cidrs, role_name)
