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
from .roles import grants_needing_external_id, role_label, third_party_roles


def _external_id(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, trust, grant in grants_needing_external_id(inventory, context):
        if grant.external_id != "unknown":
            continue
        statement = grant.statement
        if grant.conditions_unknown is not None:
            yield Violation(
                f"{role_label(role)}: cannot tell whether the external id is enforced: the Condition is "
                f"unresolved ({grant.conditions_unknown})",
                trust.anchor.child(*statement.path, "Condition"),
                role.name,
            )
        for item in grant.checks:
            if item.state == "unknown":
                yield Violation(
                    f"{role_label(role)}: cannot tell whether the external id is enforced: {item.reason}",
                    trust.anchor.child(*item.entry.path),
                    role.name,
                )


def _source_ip(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, _, _ in third_party_roles(inventory, context):
        verdict = context.deny(role)
        if verdict.effective:
            continue
        for document, deny in verdict.candidates:
            if not deny.holes:
                for unknown, path in deny.unknowns:
                    yield Violation(
                        f"{role_label(role)}: cannot tell whether the source-IP Deny in {document.label} is "
                        f"effective: {unknown}",
                        document.anchor.child(*path),
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
    yield from _external_id(inventory, context)
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
