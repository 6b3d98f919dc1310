"""Generated large inputs for the fuzz harnesses: the sizes hostile files reach, which fixtures never
do (deep nesting, thousands of keys, statements, roles and conditions, duplicate keys), each under
the 5 MB ``max-file-size``. The harnesses use them as seeds, so mutations start from them too."""

from __future__ import annotations

import json

VENDOR = "arn:aws:iam::464622532012:root"
_ALLOW = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": VENDOR}}
_HEAD = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '


def json_inputs() -> list[bytes]:
    deep = 100_000
    return [
        ('{"Statement": ' + "[" * deep + "]" * deep + "}").encode(),
        json.dumps({"Version": "2012-10-17", "Statement": [_ALLOW] * 10_000}).encode(),
        (_HEAD + '"Principal": "*", "Condition": {'
         + ", ".join(f'"StringEquals{i}": {{"aws:x": "y"}}' for i in range(100_000)) + "}}]}").encode(),
        (_HEAD + '"Principal": "*", "Sid": {' + ", ".join(['"a": 1'] * 200_000) + "}}]}").encode(),
        json.dumps(_conditional_template(400)).encode(),
    ]  # fmt: skip


def yaml_inputs() -> list[bytes]:
    head = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument:\n        Statement:\n"
    )
    statement = "          - Effect: Allow\n            Action: sts:AssumeRole\n            Principal: {AWS: '*'}\n"
    return [
        (head + statement * 10_000).encode(),
        (head + statement + "            Sid:\n" + "              a: 1\n" * 200_000).encode(),
        (head + "          - " + "[" * 100_000 + "]" * 100_000 + "\n").encode(),
        json.dumps(_conditional_template(400)).encode(),  # JSON is YAML too
    ]


def hcl_inputs() -> list[bytes]:
    role = (
        'resource "aws_iam_role" "r{0}" {{\n  assume_role_policy = jsonencode({{Statement = [{{Effect = "Allow", '
        'Action = "sts:AssumeRole", Principal = {{AWS = "{1}"}}}}]}})\n}}\n'
    )
    return [
        "".join(role.format(i, VENDOR) for i in range(2000)).encode(),
        ('resource "aws_iam_role" "r" {\n  assume_role_policy = <<EOF\n' + "\n" * 16_000).encode(),
        ('locals {\n  r = range(1000)\n  x = [for a in local.r : [for b in local.r : b]]\n}\n'
         + role.format(0, "${local.x[0][0]}")).encode(),
    ]  # fmt: skip


def plan_inputs() -> list[bytes]:
    values = {"name": "r", "assume_role_policy": json.dumps({"Statement": [_ALLOW] * 5000})}
    resources = [{"address": f"aws_iam_role.r{i}", "mode": "managed", "type": "aws_iam_role", "name": f"r{i}",
                  "values": values} for i in range(2)]  # fmt: skip
    return [json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}}).encode()]


def _conditional_template(count: int) -> dict[str, object]:
    conditions: dict[str, object] = {}
    resources: dict[str, object] = {}
    for role in range(count):
        names = [f"C{role}x{k}" for k in range(4)]
        conditions.update({name: {"Fn::Equals": [{"Ref": "P"}, name]} for name in names})
        principal = {"AWS": {"Fn::If": [names[0], VENDOR, "111122223333"]}}
        statement = {**_ALLOW, "Principal": principal, "Condition": {"Fn::If": [names[1], {}, {"Ref": "AWS::NoValue"}]}}
        resources[f"Role{role}"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": {"Fn::If": [names[2], f"a{role}", {"Fn::If": [names[3], f"b{role}", f"c{role}"]}]},
                "AssumeRolePolicyDocument": {"Statement": [statement]},
            },
        }
    return {"Parameters": {"P": {"Type": "String"}}, "Conditions": conditions, "Resources": resources}
