"""## What it does
Reports an Allow statement in a trust policy that lets another AWS account (or everyone) call
`sts:AssumeRole` with no `sts:ExternalId` condition. The whole trust policy is evaluated: a Deny
with `StringNotEquals sts:ExternalId` enforces the id for every Allow, a statement whose
conditions the vendor can never meet lets nobody in, and `"*"` narrowed by `aws:PrincipalAccount`
or `aws:PrincipalArn` to one third-party account is that account.

## Why is this bad?
Anyone who learns your role ARN can have the vendor assume it on their behalf. A SaaS vendor
assumes roles in many customers' accounts. Without an external id that the vendor generates per
customer, anyone who learns your role ARN can register it with the vendor as their own, and the
vendor will use your role for them: the confused-deputy problem. Allow statements are ORed, so
one unconditioned statement defeats a well-formed one elsewhere in the policy.

## Example
```json
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]}
```

## Use instead
```json
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
                "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3d4e5f6"}}}]}
```

## References
- How to use an external ID: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
- The confused deputy problem: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..fixes import external_id_condition
from ..model.document import Inventory
from .base import Context, Rule, Unverifiable, Violation
from .roles import missing_external_ids, principals_of


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    yield from _doubts(inventory, context)
    for role, trust, missing in missing_external_ids(inventory, context):
        note = (
            " (the external id in another statement does not help: Allow statements are ORed)"
            if missing.enforced_elsewhere
            else ""
        )
        statement = missing.statement
        yield Violation(
            f" can be assumed by {missing.who} without an sts:ExternalId condition{note}",
            trust.anchor.child(*statement.path, statement.principal_element or "Principal"),
            role,
            trust,
            principals_of(statement),
            fix=external_id_condition(),
        )


def _doubts(inventory: Inventory, context: Context) -> Iterator[Violation]:
    """Who can assume the role, and with which external id, depends on an unresolved value."""
    for role in inventory.roles:
        trust = role.trust
        if trust is None:
            continue
        for doubt in context.trust_verdict(role).doubts:
            yield Unverifiable(
                f": cannot tell whether {doubt.about}: {doubt.doubt.reason}",
                trust.anchor.child(*doubt.doubt.path),
                role,
                trust,
                doubt.about,
            )


RULE = Rule(
    "ISL001",
    "missing-external-id",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="add Condition StringEquals sts:ExternalId with the id the vendor generated for you",
    security_severity="8.6",
    tags=("security", "iam", "external-id"),
    fix_kind="condition",
    may_be_unverifiable=True,
)
