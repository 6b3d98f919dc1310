"""## What it does
Reports a trust policy that lets `"*"` or `{"AWS": "*"}` assume the role without narrowing it to
your organization (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`) or your accounts
(`aws:PrincipalAccount`, `aws:PrincipalArn`): an account the policy never names can assume it.
Patterns are judged by what they match: `aws:PrincipalOrgID` `"o-*"` matches every organization.
A trust-policy Deny unless `aws:PrincipalOrgID` is yours narrows it.

## Why is this bad?
Every AWS account in the world can then call `sts:AssumeRole` on the role. An external id does
not save it: the id is not a secret, and whoever learns it (from a ticket, a log, a screenshot)
can use the role from their own account.

## Example
```json
{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"},
 "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3d4e5f6"}}}
```

## Use instead
```json
{"Effect": "Allow", "Action": "sts:AssumeRole",
 "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
 "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3d4e5f6"}}}
```

## References
- AWS JSON policy elements, Principal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- Access Analyzer policy checks: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role in inventory.roles:
        if role.trust is None:
            continue
        for wildcard in context.trust_verdict(role).open_wildcards:
            yield Violation(
                " can be assumed by any AWS principal (*): name the vendor's account "
                "or narrow it with aws:PrincipalOrgID",
                role.trust.anchor.child(*wildcard.principal.path),
                role,
                role.trust,
                str(wildcard.principal.value),
            )


RULE = Rule(
    "ISL004",
    "wildcard-principal",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="name the vendor's account, or narrow * with aws:PrincipalOrgID",
    security_severity="9.1",
)
