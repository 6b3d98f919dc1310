"""The settings that change verdicts (as opposed to which files are read or how output looks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .vendors import Vendor

UnresolvedPrincipals = Literal["third-party", "own"]


@dataclass(frozen=True)
class Settings:
    own_accounts: frozenset[str] = frozenset()
    own_organizations: frozenset[str] = frozenset()
    unresolved_principals: UnresolvedPrincipals = "third-party"
    #: Vendors from the configuration (accounts and published source ranges).
    vendors: tuple[Vendor, ...] = ()
