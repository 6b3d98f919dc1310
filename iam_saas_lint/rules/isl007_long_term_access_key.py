"""## What it does
Reports long-term access keys declared in infrastructure code: an `AWS::IAM::AccessKey` for an
`AWS::IAM::User`, or a Terraform `aws_iam_access_key` for an `aws_iam_user`.

## Why is this bad?
An access key is a password that never expires and works from anywhere. Handed to a vendor, it
sits in their systems (and in the state file or stack outputs that created it) until someone
remembers to rotate it. A role with an external id gives the vendor short-lived sessions instead,
and a source-IP Deny limits where they work.

## Example
```yaml
VendorUser:
  Type: AWS::IAM::User
VendorKey:
  Type: AWS::IAM::AccessKey
  Properties:
    UserName: !Ref VendorUser
```

## Use instead
```yaml
VendorRole:
  Type: AWS::IAM::Role
  Properties:
    AssumeRolePolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "arn:aws:iam::464622532012:root"}
          Action: sts:AssumeRole
          Condition: {StringEquals: {"sts:ExternalId": "a1b2c3d4e5f6"}}
```

## References
- Use roles for third-party access: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
- Security best practices in IAM: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for key in inventory.access_keys:
        yield Violation(
            f'long-term access key for user "{key.user}": give a vendor a role with an external id instead',
            key.anchor,
            concerns=key.user,
        )


RULE = Rule(
    "ISL007",
    "long-term-access-key",
    Severity.WARNING,
    check,
    __doc__ or "",
    hint="give the vendor a role with an external id instead of an access key",
    security_severity="6.5",
)
