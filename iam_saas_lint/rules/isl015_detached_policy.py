"""## What it does
Reports a policy attachment, on a role a third party can assume, that another part of the same
Terraform configuration removes on every apply: an `aws_iam_role_policy` or
`aws_iam_role_policy_attachment` whose policy the role's own `inline_policy` blocks or
`managed_policy_arns` do not list (they own the role's policies exclusively; an empty
`inline_policy {}` removes every inline policy), one that `aws_iam_role_policies_exclusive` or
`aws_iam_role_policy_attachments_exclusive` does not list, or one of a policy that an
`aws_iam_policy_attachment` attaches exclusively, across the account, to other roles only. The
finding is on the attachment that loses and names what removes it.

## Why is this bad?
The attachment reads as if the role had the policy, but after `terraform apply` it does not: the
owner detaches it again (and the next plan shows the same fight). A source-IP Deny attached this
way protects nothing, so the role's other findings are judged without it.

## Example
```hcl
resource "aws_iam_role" "vendor" {
  name                = "vendor"
  assume_role_policy  = data.aws_iam_policy_document.trust.json
  managed_policy_arns = [aws_iam_policy.read_only.arn]
}

resource "aws_iam_role_policy_attachment" "deny" {
  role       = aws_iam_role.vendor.name
  policy_arn = aws_iam_policy.deny_outside_vendor.arn
}
```

## Use instead
List every policy in the one place that owns them:
```hcl
resource "aws_iam_role" "vendor" {
  name                = "vendor"
  assume_role_policy  = data.aws_iam_policy_document.trust.json
  managed_policy_arns = [aws_iam_policy.read_only.arn, aws_iam_policy.deny_outside_vendor.arn]
}
```

## References
- Managed policies and inline policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
- aws_iam_role (managed_policy_arns, inline_policy): https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role
- aws_iam_policy_attachment (exclusive): https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_policy_attachment
- aws_iam_role_policy_attachments_exclusive: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy_attachments_exclusive
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation
from .roles import third_party_roles


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, _ in third_party_roles(inventory, context):
        for detached in role.detached:
            yield Violation(f": {detached.reason}", detached.anchor, role, concerns=detached.label)


RULE = Rule(
    "ISL015",
    "detached-policy",
    Severity.WARNING,
    check,
    __doc__ or "",
    hint="list the policy where the role's policies are owned (managed_policy_arns, inline_policy, the exclusive "
    "resource), or drop the owner",
    security_severity="5.0",
    needs_permission_policies=True,
)
