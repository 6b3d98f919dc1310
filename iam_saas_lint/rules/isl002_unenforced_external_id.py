"""## What it does
Reports an `sts:ExternalId` condition that does not pin the external id to a value:
`StringLike` with `*` or `?`, any `…IfExists` operator, `ForAllValues:`, a negated operator
(`StringNotEquals`, `StringNotLike`) in an Allow, `Null`, or a policy variable
(`"${aws:PrincipalAccount}"`: the caller supplies the value). It is judged by what the whole
trust policy accepts: a third party that gets in with no external id, or with another tenant's.

## Why is this bad?
These forms look like protection but pin nothing, so the confused-deputy attack still works. The
vendor can assume the role with no external id, or with anyone's: `…IfExists` and
`ForAllValues:` are true when the key is absent, a negated operator matches every other id,
`Null` only checks presence, and a wildcard matches every tenant's id. The confused-deputy
attack works exactly as without a condition.

## Example
```json
{"Effect": "Allow", "Action": "sts:AssumeRole",
 "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
 "Condition": {"StringLike": {"sts:ExternalId": "*"}}}
```

## Use instead
```json
{"Effect": "Allow", "Action": "sts:AssumeRole",
 "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
 "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3d4e5f6"}}}
```

## References
- Condition operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- Multivalued context keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..fixes import external_id_condition
from ..model.document import Inventory
from .base import Context, Rule, Violation


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role in inventory.roles:
        trust = role.trust
        if trust is None:
            continue
        for weak in context.trust_verdict(role).weak:
            statement = weak.statement
            path = weak.entry.path if weak.entry else (*statement.path, statement.principal_element or "Principal")
            yield Violation(
                f" trusts {weak.who} with an external id condition that pins nothing: {weak.reason}",
                trust.anchor.child(*path),
                role,
                trust,
                f"{weak.entry.operator.written} {weak.entry.key}" if weak.entry else weak.who,
                fix=external_id_condition(),
            )


RULE = Rule(
    "ISL002",
    "unenforced-external-id",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="use StringEquals sts:ExternalId with the literal id the vendor gave you",
    security_severity="8.6",
    tags=("security", "iam", "external-id"),
    fix_kind="condition",
)
