"""Shared selections for the role rules."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.document import Inventory, PolicyDocument, Role
from ..model.trust import AssumeGrant, TrustAnalysis
from ..model.vendors import registry
from .base import Context


def third_party_roles(inventory: Inventory, context: Context) -> Iterator[tuple[Role, PolicyDocument, TrustAnalysis]]:
    """Roles a third party can assume, except human cross-account roles that require MFA."""
    for role in inventory.roles:
        if role.trust is None:
            continue
        analysis = context.trust(role)
        if analysis.third_party and not analysis.human_only:
            yield role, role.trust, analysis


def grants_needing_external_id(
    inventory: Inventory, context: Context
) -> Iterator[tuple[Role, PolicyDocument, AssumeGrant]]:
    """Third-party grants whose external id is not already enforced by a Deny."""
    for role, trust, analysis in third_party_roles(inventory, context):
        if analysis.enforcing_deny is not None:
            continue
        for grant in analysis.grants:
            yield role, trust, grant


def vendor_cidrs(analysis: TrustAnalysis, context: Context) -> list[str]:
    """The configured egress ranges of the vendors a role trusts (empty when none is configured)."""
    vendors = registry(context.settings.vendors)
    cidrs: list[str] = []
    for grant in analysis.grants:
        for verdict in grant.third_parties:
            vendor = vendors.by_account(verdict.account) if verdict.account else None
            cidrs.extend(vendor.source_ips or () if vendor else ())
    return list(dict.fromkeys(cidrs))


def role_label(role: Role) -> str:
    return f'role "{role.name}"'
