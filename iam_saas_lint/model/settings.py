"""The settings that change verdicts (as opposed to which files are read or how output looks)."""

from __future__ import annotations

from typing import Literal

from ..records import dataclass
from .vendors import Vendor

UnresolvedPrincipals = Literal["third-party", "own"]
SubjectScope = Literal["owner", "repository"]


@dataclass(frozen=True)
class Settings:
    own_accounts: frozenset[str] = frozenset()
    own_organizations: frozenset[str] = frozenset()
    unresolved_principals: UnresolvedPrincipals = "third-party"
    #: Vendors from the configuration (accounts and published source ranges).
    vendors: tuple[Vendor, ...] = ()
    #: OIDC issuers that are yours (host globs): ISL014 does not report them.
    own_identity_providers: tuple[str, ...] = ()
    #: How narrowly a federated subject must be pinned: the owner (default), or the repository too.
    federated_subject_scope: SubjectScope = "owner"
    #: Prefix lengths (IPv4, IPv6): a source-IP allow-list whose union admits more addresses than
    #: one range of this size is broader than any vendor's egress.
    widest_source_ip_range: tuple[int, int] = (8, 32)
