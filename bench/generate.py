"""Write a synthetic repository of IaC files with the shapes found in real ones, for scale runs.

    python bench/generate.py N DIR [--seed S]

About half the files are raw policy bundles (trust + permissions + sometimes a Deny), a quarter
CloudFormation YAML templates with several roles (short tags, parameters, separate policies), a
fifth Terraform modules split across files, and a few are broken on purpose. The same N and seed
always give the same tree.
"""

from __future__ import annotations

import argparse
import json
import os
import random

VENDORS = ["464622532012", "754728514883", "057012691312", "188619942792", "884866656237", "012345678901"]
CIDRS = ["203.0.113.0/24", "198.51.100.0/25", "192.0.2.0/26", "2001:db8:1000::/36"]


def _trust(rng: random.Random) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{rng.choice(VENDORS)}:root"},
        "Action": "sts:AssumeRole",
    }
    if rng.random() < 0.7:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"{rng.getrandbits(64):016x}"}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _permissions(rng: random.Random) -> dict[str, object]:
    actions = rng.sample(["ec2:Describe*", "s3:GetObject", "s3:ListBucket", "cloudwatch:Get*", "logs:Get*"], 3)
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


def _deny(rng: random.Random) -> dict[str, object]:
    cidrs = rng.sample(CIDRS, 2) + (["0.0.0.0/0"] if rng.random() < 0.1 else [])
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": cidrs}}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _bundle(root: str, index: int, rng: random.Random) -> int:
    folder = os.path.join(root, "iam", f"team{index % 50}", f"role{index}")
    _write(os.path.join(folder, "trust.json"), json.dumps(_trust(rng), indent=2))
    _write(os.path.join(folder, "policy.json"), json.dumps(_permissions(rng), indent=2))
    if rng.random() < 0.6:
        _write(os.path.join(folder, "deny.json"), json.dumps(_deny(rng), indent=2))
        return 3
    return 2


def _template(root: str, index: int, rng: random.Random) -> int:
    roles = []
    for n in range(rng.randint(2, 5)):
        vendor = rng.choice(VENDORS)
        condition = (
            f"\n            Condition:\n              StringEquals:\n                sts:ExternalId: !Ref ExternalId{n}"
            if rng.random() < 0.7
            else ""
        )
        roles.append(
            f"""  VendorRole{n}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:${{AWS::Partition}}:iam::{vendor}:root
            Action: sts:AssumeRole{condition}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/SecurityAudit
  VendorDeny{n}:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: deny-outside-vendor-{n}
      Roles: [!Ref VendorRole{n}]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: "*"
            Resource: "*"
            Condition:
              NotIpAddress:
                aws:SourceIp: [{", ".join(rng.sample(CIDRS, 2))}]
"""
        )
    parameters = "".join(f"  ExternalId{n}:\n    Type: String\n" for n in range(len(roles)))
    text = f'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n{parameters}Resources:\n' + "".join(roles)
    _write(os.path.join(root, "stacks", f"group{index % 40}", f"vendor-{index}.yaml"), text)
    return 1


def _module(root: str, index: int, rng: random.Random) -> int:
    folder = os.path.join(root, "terraform", f"vendor{index}")
    external = "Condition = { StringEquals = { \"sts:ExternalId\" = var.external_id } }" if rng.random() < 0.7 else ""
    _write(
        os.path.join(folder, "variables.tf"),
        f'variable "vendor_account" {{\n  default = "{rng.choice(VENDORS)}"\n}}\n\n'
        'variable "external_id" {\n  type = string\n}\n',
    )
    _write(
        os.path.join(folder, "role.tf"),
        'resource "aws_iam_role" "vendor" {\n  name = "vendor"\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n    Statement = [{\n      Effect = "Allow"\n'
        '      Principal = { AWS = "arn:aws:iam::${var.vendor_account}:root" }\n'
        f'      Action = "sts:AssumeRole"\n      {external}\n    }}]\n  }})\n}}\n',
    )
    cidrs = ", ".join(json.dumps(c) for c in rng.sample(CIDRS, 2))
    _write(
        os.path.join(folder, "deny.tf"),
        'data "aws_iam_policy_document" "deny" {\n  statement {\n    effect = "Deny"\n    actions = ["*"]\n'
        f'    resources = ["*"]\n    condition {{\n      test = "NotIpAddress"\n      variable = "aws:SourceIp"\n'
        f"      values = [{cidrs}]\n    }}\n  }}\n}}\n\n"
        'resource "aws_iam_role_policy" "deny" {\n  role = aws_iam_role.vendor.id\n'
        "  policy = data.aws_iam_policy_document.deny.json\n}\n",
    )
    return 3


def _broken(root: str, index: int, rng: random.Random) -> int:
    text = json.dumps(_trust(rng), indent=2)
    _write(os.path.join(root, "broken", f"trust-{index}.json"), text[: rng.randint(10, len(text) - 2)])
    return 1


def generate(count: int, root: str, seed: int = 7) -> int:
    rng = random.Random(seed)
    written = 0
    index = 0
    while written < count:
        roll = rng.random()
        if roll < 0.5:
            written += _bundle(root, index, rng)
        elif roll < 0.75:
            written += _template(root, index, rng)
        elif roll < 0.97:
            written += _module(root, index, rng)
        else:
            written += _broken(root, index, rng)
        index += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("directory")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    written = generate(args.count, args.directory, args.seed)
    print(f"wrote {written} files to {args.directory}")


if __name__ == "__main__":
    main()
