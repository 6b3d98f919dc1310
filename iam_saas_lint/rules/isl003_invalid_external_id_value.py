"""## What it does
Reports a literal external id that can never match, because AWS only accepts 2 to 1,224
characters of `[\\w+=,.@:/-]`, or that is a placeholder left from documentation
(`<External Id>`, `changeme`, an empty string).

## Why is this bad?
An impossible value breaks the integration, which invites someone to "fix" it by removing the
condition. A placeholder is guessable: the external id only protects you if the vendor generated
it for your account.

## Example
```json
"Condition": {"StringEquals": {"sts:ExternalId": "<External Id>"}}
```

## Use instead
```json
"Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3d4e5f6"}}
```
Use the value the vendor's console shows for your account.

## References
- AssumeRole API, ExternalId constraints: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
- How to use an external ID: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory, PolicyDocument
from ..model.statements import statements_of
from .base import Context, Rule, Violation
from .roles import grants_needing_external_id, third_party_roles

VALID = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)
PLACEHOLDER = re.compile(
    r"^(<.*>|\{\{.*\}\}|\$\{.*\}|changeme|change[-_ ]me|replace[-_ ]?me|fill[-_ ]?me[-_ ]?in|"
    r"placeholder|todo|tbd|x{3,}|0{4,}|12345\d*|"
    r"(your|my|the)?[-_ ]?external[-_ ]?id([-_ ]?(here|value|goes[-_ ]here))?|example|sample|test|none|null)$",
    re.IGNORECASE,
)


def _names_external_id(trust: PolicyDocument) -> bool:
    """Whether a condition of the trust policy reads ``sts:ExternalId`` (where an ``ExternalIdCheck`` comes from)."""
    return any(e.key_lower == "sts:externalid" for s in statements_of(trust.data) for e in s.conditions)


_POLICY_VARIABLE = re.compile(r"\$\{[A-Za-z0-9-]+:[^}]*\}")


def problem(value: str) -> str:
    if _POLICY_VARIABLE.search(value):
        return ""  # an IAM policy variable: ISL002 says why it pins nothing
    if PLACEHOLDER.match(value.strip()) or not value:
        return "is a placeholder, not the id the vendor generated for you"
    if not VALID.match(value):
        return "can never match: AWS accepts 2 to 1,224 characters of [A-Za-z0-9_+=,.@:/-]"
    return ""


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    # a trust policy that compares no sts:ExternalId has no value to judge, and needs no analysis
    roles = ((role, trust) for role, trust in third_party_roles(inventory, context) if _names_external_id(trust))
    for role, trust, grant in grants_needing_external_id(roles, context):
        for item in grant.checks:
            if item.state != "enforced":
                continue
            for value in item.entry.literal_strings():
                why = problem(value)
                if why:
                    yield Violation(
                        f": external id {value!r} {why}", trust.anchor.child(*item.entry.path), role, trust, value
                    )


RULE = Rule(
    "ISL003",
    "invalid-external-id-value",
    Severity.WARNING,
    check,
    __doc__ or "",
    hint="use the external id the vendor's console shows for your account",
    security_severity="4.0",
    tags=("security", "iam", "external-id"),
)
