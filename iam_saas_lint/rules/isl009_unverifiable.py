"""## What it does
Reports a verdict that depends on a value the linter could not resolve: an external id condition
whose operator or value is unknown, a source-IP Deny whose address list or action is unknown, a
policy attached to a vendor role that is not in the scanned tree, or a web-identity trust whose
provider or subject pattern is unresolved. It names the value. It is not
raised when the outcome does not depend on the value: `StringEquals sts:ExternalId` pinned to a
parameter enforces an external id whatever the parameter holds.

## Why is this bad?
A security check that passes what it could not read gives false assurance. This finding says
exactly what to make visible (a parameter default, the policy file) so the check can decide.

## Example
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": {"Ref": "VendorCidrs"}}}}
```
with a `VendorCidrs` parameter that has no `Default`.

## Use instead
Give the parameter a default with the vendor's published ranges, or keep the list in the
template:
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}
```

## References
- Deny access based on the source IP: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation
from .federated import unverifiable_federation
from .roles import role_label, third_party_roles


def _trust(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role in inventory.roles:
        trust = role.trust
        if trust is None:
            continue
        for doubt in context.trust_verdict(role).doubts:
            yield Violation(
                f"{role_label(role)}: cannot tell whether {doubt.about}: {doubt.doubt.reason}",
                trust.anchor.child(*doubt.doubt.path),
                role.name,
            )


def _source_ip(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, trust, _ in third_party_roles(inventory, context):
        verdict = context.source_ip(role)
        if verdict.state not in ("hole", "doubt"):
            continue
        found = verdict.doubt
        if verdict.state == "doubt" and found is not None:
            document = found.document
            label = document.label if document is not None else "a permission policy"
            anchor = document.anchor if document is not None else trust.anchor
            yield Violation(
                f"{role_label(role)}: cannot tell whether the source-IP Deny in {label} is effective: "
                f"{found.doubt.reason}",
                anchor.child(*found.doubt.path) if document is not None else anchor,
                role.name,
            )
        for policy in verdict.unresolved:
            yield Violation(
                f"{role_label(role)}: cannot tell whether a source-IP Deny is attached: {policy.label} is not "
                f"defined in the scanned files ({policy.reason})",
                policy.anchor,
                role.name,
            )


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    yield from _trust(inventory, context)
    yield from _source_ip(inventory, context)
    for message, anchor, role in unverifiable_federation(inventory, context):
        yield Violation(message, anchor, role)


RULE = Rule(
    "ISL009",
    "unverifiable",
    Severity.WARNING,
    check,
    __doc__ or "",
    hint="make the value visible to the linter (a parameter default, the policy file) so it can decide",
    security_severity="3.0",
)
