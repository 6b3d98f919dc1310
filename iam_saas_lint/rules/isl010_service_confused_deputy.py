"""## What it does
Reports a trust policy that lets an AWS service principal (`*.amazonaws.com`) assume the role
without `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID` or `aws:SourceOrgPaths`. Off by
default: enable it with `--select ISL010`.

## Why is this bad?
A service acting for another customer can be tricked into using your role (the cross-service
confused deputy). Services do not pass an external id; the source conditions are their
equivalent.

## Example
```json
{"Effect": "Allow", "Action": "sts:AssumeRole",
 "Principal": {"Service": "config.amazonaws.com"}}
```

## Use instead
```json
{"Effect": "Allow", "Action": "sts:AssumeRole",
 "Principal": {"Service": "config.amazonaws.com"},
 "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}
```

## References
- Cross-service confused deputy prevention: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from ..model.statements import statements_of
from .base import Context, Rule, Violation

SOURCE_KEYS = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths")


def _names_a_service(trust: object) -> bool:
    return any(principal.kind == "Service" for s in statements_of(trust) for principal in s.principals)


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role in inventory.roles:
        if role.trust is None or not _names_a_service(role.trust.data):
            continue  # no trust analysis needed
        for statement, principal in context.trust(role).service_principals:
            if statement.conditions_unknown is not None or any(statement.conditions_on(k) for k in SOURCE_KEYS):
                continue
            yield Violation(
                f": service principal {principal.value} can assume the role without aws:SourceAccount or aws:SourceArn",
                role.trust.anchor.child(*principal.path),
                role,
                role.trust,
                str(principal.value),
            )


RULE = Rule(
    "ISL010",
    "service-confused-deputy",
    Severity.WARNING,
    check,
    __doc__ or "",
    enabled_by_default=False,
    hint="add a Condition on aws:SourceAccount or aws:SourceArn",
    security_severity="5.0",
)
