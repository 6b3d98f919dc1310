"""## What it does
Reports an Allow statement with `NotPrincipal` in a trust policy.

## Why is this bad?
`Allow` with `NotPrincipal` grants the role to every principal in every AWS account except the
ones listed. IAM does not support `NotPrincipal` in trust policies; where a tool accepts it, the
result is the opposite of what the author meant.

## Example
```json
{"Effect": "Allow", "Action": "sts:AssumeRole",
 "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}
```

## Use instead
```json
{"Effect": "Allow", "Action": "sts:AssumeRole",
 "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
 "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3d4e5f6"}}}
```

## References
- NotPrincipal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from ..model.statements import statements_of
from .base import Context, Rule, Violation


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role in inventory.roles:
        if role.trust is None or not any(s.principal_element == "NotPrincipal" for s in statements_of(role.trust.data)):
            continue  # no NotPrincipal: no trust analysis needed
        for statement in context.trust(role).not_principal_allows:
            yield Violation(
                ": Allow with NotPrincipal lets every principal except the listed ones assume the role",
                role.trust.anchor.child(*statement.path, "NotPrincipal"),
                role,
                role.trust,
            )


RULE = Rule(
    "ISL008",
    "not-principal-allow",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="use Principal with the vendor's account instead of NotPrincipal",
    security_severity="9.1",
)
