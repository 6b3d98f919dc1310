"""Shared selections for the web-identity rules (ISL012-ISL014)."""

from __future__ import annotations

from collections.abc import Iterator

from ..fixes import Fix
from ..model.document import Inventory, PolicyDocument, Role
from ..model.federation import ClaimCheck, WebIdentityGrant
from ..model.issuers import Issuer, has_wildcard
from ..model.values import Anchor
from .base import Context, Unverifiable, Violation


def federated_grants(inventory: Inventory, context: Context) -> Iterator[tuple[Role, PolicyDocument, WebIdentityGrant]]:
    for role in inventory.roles:
        if role.trust is None:
            continue
        for grant in context.federation(role.trust):
            yield role, role.trust, grant


def claim_anchor(trust: PolicyDocument, grant: WebIdentityGrant, check: ClaimCheck) -> Anchor:
    """The weak condition entry; else the statement's Condition; else the principal."""
    statement = grant.statement
    if check.entry is not None:
        return trust.anchor.child(*check.entry.path)
    if statement.conditions or statement.conditions_unknown is not None:
        return trust.anchor.child(*statement.path, "Condition")
    return trust.anchor.child(*grant.principal.path)


def subject_fix(issuer: Issuer, host: str) -> Fix | None:
    if issuer.subject is None:
        return None
    value = issuer.subject.suggest.format(owner="OWNER", repository="REPO")
    operator = "StringLike" if has_wildcard(value) else "StringEquals"
    condition: dict[str, object] = {operator: {f"{host}:{issuer.subject.claim}": value}}
    return Fix("condition", condition, "add this to the statement's Condition (replace the weak test)")


def audience_fix(issuer: Issuer, host: str) -> Fix | None:
    if issuer.audience is None:
        return None
    condition: dict[str, object] = {"StringEquals": {f"{host}:{issuer.audience.claim}": issuer.audience.value}}
    return Fix("condition", condition, f"add this to the statement's Condition, with {issuer.audience.what}")


def unknown_provider(role: Role, trust: PolicyDocument, grant: WebIdentityGrant) -> Iterator[Violation]:
    """A Federated principal whose provider is unresolved: whether its claims must be pinned is unknown."""
    if grant.host is None:
        yield Unverifiable(
            f": cannot tell which identity provider the Federated principal names ({grant.host_unknown}), "
            "so whether its claims must be pinned",
            trust.anchor.child(*grant.principal.path),
            role,
            trust,
            str(grant.principal.value),
        )


def unknown_claim(
    role: Role, trust: PolicyDocument, grant: WebIdentityGrant, check: ClaimCheck | None, claim: str
) -> Iterator[Violation]:
    """A claim condition that depends on an unresolved value."""
    if check is not None and check.state == "unknown":
        key = f"{grant.key_prefix or grant.host}:{claim}"
        yield Unverifiable(
            f": cannot tell whether {key} is pinned: {check.reason}",
            claim_anchor(trust, grant, check),
            role,
            trust,
            key,
        )
