"""Shared selections for the role rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model.document import Inventory, PolicyDocument, Role
from ..model.statements import Statement
from ..model.trust import AssumeGrant
from ..model.trust_verdict import MissingExternalId
from ..model.vendors import registry
from .base import Context


def principals_of(statement: Statement) -> str:
    """The principals a statement names, as written (what its findings concern)."""
    return ", ".join(dict.fromkeys(str(principal.value) for principal in statement.principals))


def third_party_roles(inventory: Inventory, context: Context) -> Iterator[tuple[Role, PolicyDocument]]:
    """Roles a third party can assume without MFA (human cross-account roles require it), with
    their trust policies (``context.trust(role)`` analyses one, for the rules that need it)."""
    for role in inventory.roles:
        if role.trust is None:
            continue
        if context.trust_verdict(role).third_party:
            yield role, role.trust


def grants_needing_external_id(
    roles: Iterable[tuple[Role, PolicyDocument]], context: Context
) -> Iterator[tuple[Role, PolicyDocument, AssumeGrant]]:
    """The third-party grants of ``roles`` whose external id is not already enforced by a Deny."""
    for role, trust in roles:
        analysis = context.trust(role)
        if analysis.enforcing_deny is not None:
            continue
        for grant in analysis.grants:
            yield role, trust, grant


def missing_external_ids(
    inventory: Inventory, context: Context
) -> Iterator[tuple[Role, PolicyDocument, MissingExternalId]]:
    """Allow statements through which a third party assumes a role with no external id condition."""
    for role in inventory.roles:
        if role.trust is not None:
            for missing in context.trust_verdict(role).missing:
                yield role, role.trust, missing


def vendor_cidrs(role: Role, context: Context) -> list[str]:
    """The configured egress ranges of the vendors that can assume a role (empty when none is configured)."""
    vendors = registry(context.settings.vendors)
    cidrs: list[str] = []
    for account in context.trust_verdict(role).accounts:
        vendor = vendors.by_account(account)
        cidrs.extend(vendor.source_ips or () if vendor else ())
    return list(dict.fromkeys(cidrs))
