"""Which SaaS vendor an AWS account belongs to: the shipped registry plus configured vendors."""

from __future__ import annotations

import json
import os
from functools import cached_property, lru_cache

from ..records import dataclass


@dataclass(frozen=True)
class Vendor:
    name: str
    accounts: tuple[str, ...]
    sources: tuple[str, ...] = ()
    #: The vendor's published egress ranges, when configured: a source-IP Deny should list exactly these.
    source_ips: tuple[str, ...] | None = None
    aws_service: bool = False
    configured: bool = False

    def describe(self, account: str) -> str:
        return f"{self.name} ({account})"


@lru_cache(maxsize=1)
def builtin_vendors() -> tuple[Vendor, ...]:
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "vendors.json")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return tuple(
        Vendor(v["name"], tuple(v["accounts"]), tuple(v["sources"]), aws_service=bool(v["aws_service"]))
        for v in json.loads(text)["vendors"]
    )


@dataclass(frozen=True)
class VendorRegistry:
    vendors: tuple[Vendor, ...]

    def by_account(self, account: str) -> Vendor | None:
        return self._index.get(account)

    @cached_property
    def any_source_ips(self) -> bool:
        """Whether some vendor's egress ranges are configured (none of the shipped vendors has them)."""
        return any(vendor.source_ips is not None for vendor in self.vendors)

    @cached_property
    def _index(self) -> dict[str, Vendor]:
        return _account_index(self.vendors)

    def find(self, name: str) -> Vendor | None:
        wanted = _key(name)
        return next((v for v in self.vendors if _key(v.name) == wanted), None)


def _key(name: str) -> str:
    return "".join(filter(str.isalnum, name.lower()))


@lru_cache(maxsize=8)
def _account_index(vendors: tuple[Vendor, ...]) -> dict[str, Vendor]:
    index: dict[str, Vendor] = {}
    for vendor in vendors:
        for account in vendor.accounts:
            index.setdefault(account, vendor)
    return index


@lru_cache(maxsize=8)
def registry(configured: tuple[Vendor, ...] = ()) -> VendorRegistry:
    """Configured vendors first (they override a shipped vendor of the same name)."""
    if not configured:
        return VendorRegistry(builtin_vendors())
    names = {_key(v.name) for v in configured}
    shipped = tuple(v for v in builtin_vendors() if _key(v.name) not in names)
    return VendorRegistry(configured + shipped)
