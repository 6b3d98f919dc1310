"""CIDR checks for ``aws:SourceIp`` allow-lists.

``ipaddress.is_private`` is not used: it calls AWS's documentation ranges (192.0.2.0/24 …)
private, and those are what AWS's own examples use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..patterns import lazy_compile
from ..records import dataclass

if TYPE_CHECKING:
    import ipaddress

    # ``ipaddress`` is imported where it is used: a run without source-IP Denies does not need it
    # (and a Union of forward references would compile them at import).
    IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
else:
    IPNetwork = "ipaddress.IPv4Network | ipaddress.IPv6Network"  # annotations only

NON_PUBLIC_CIDRS = (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # RFC 1918
    "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",  # loopback, link-local, CGNAT
    "fc00::/7", "fe80::/10", "::1/128",
)  # fmt: skip


@lru_cache(maxsize=1)
def _non_public() -> tuple[IPNetwork, ...]:
    import ipaddress

    return tuple(ipaddress.ip_network(cidr) for cidr in NON_PUBLIC_CIDRS)


_SHAPE = lazy_compile(r"^[0-9A-Fa-f:.]+(/\d{1,3})?$")
_LEADING_ZERO = lazy_compile(r"(^|[.])0\d")


FamilyInterval = tuple[int, int, int]  # (family, first, last)


@dataclass(frozen=True)
class ParsedCidr:
    text: str
    #: The addresses as (family, first, last), ``None`` when the text is not a CIDR.
    span: FamilyInterval | None
    prefixlen: int  # -1 when the text is not a CIDR
    problem: str  # empty when the value is usable

    @property
    def network(self) -> IPNetwork | None:
        """``ip_network(text, strict=False)``, made when first asked for (most callers need only ``span``)."""
        found: IPNetwork | None = self.__dict__.get("_network")
        if found is None and self.span is not None:
            import ipaddress

            family, first, _ = self.span
            factory = ipaddress.IPv4Network if family == 4 else ipaddress.IPv6Network
            found = self.__dict__["_network"] = factory((first, self.prefixlen))
        return found


# the same few CIDRs are parsed for every request the evaluator tries; typed: a text marked sensitive
# is parsed apart from the same plain text, since the problem quotes it
@lru_cache(maxsize=4096, typed=True)
def parse_cidr(text: str) -> ParsedCidr:
    found = _ipv4_span(text)  # most CIDRs: it passes every check below
    if found is None:
        if not _SHAPE.match(text):
            return ParsedCidr(text, None, -1, f"{text!r} is not a CIDR")
        address = text.split("/", 1)[0]
        if "." in address and ":" not in address and _LEADING_ZERO.search(address):
            return ParsedCidr(text, None, -1, f"{text!r} has a leading zero, which IAM does not accept")
        try:
            network = _network(text)
        except ValueError:
            return ParsedCidr(text, None, -1, f"{text!r} is not a valid CIDR")
        found = (network.version, int(network.network_address), int(network.broadcast_address)), network.prefixlen
    span, prefixlen = found
    if prefixlen == 0:
        return ParsedCidr(text, span, prefixlen, f"{text!r} is /0: it allows every address")
    return ParsedCidr(text, span, prefixlen, "")


# octets and prefix without leading zeros (which ``ip_network`` refuses), in ASCII digits (``\d`` is
# any Unicode digit, and ``int`` reads them all; ``ip_network`` refuses them), the whole text (``$``
# would also match before a final newline, which ``ip_network`` refuses too)
_IPV4 = lazy_compile(
    r"(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})(?:/(0|[1-9][0-9]?))?\Z"
)


def _ipv4_span(text: str) -> tuple[FamilyInterval, int] | None:
    """The addresses and prefix length ``ip_network(text, strict=False)`` has, for an IPv4 CIDR
    written plainly, from its octets (reading the text and making the network object is most of what
    ``ip_network`` costs); ``None`` for anything else, which ``ip_network`` reads."""
    found = _IPV4.match(text)
    if found is None:
        return None
    first, second, third, fourth, bits = found.groups()
    octets = (int(first), int(second), int(third), int(fourth))
    prefix = int(bits) if bits is not None else 32
    if octets[0] > 255 or octets[1] > 255 or octets[2] > 255 or octets[3] > 255 or prefix > 32:
        return None
    hostmask = (1 << (32 - prefix)) - 1
    start = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) & ~hostmask
    return (4, start, start | hostmask), prefix


def _network(text: str) -> IPNetwork:
    import ipaddress

    return ipaddress.ip_network(text, strict=False)


def is_non_public(span: FamilyInterval) -> bool:
    """Whether the addresses ``span`` (a ``ParsedCidr.span``) lie inside one non-public network."""
    family, first, last = span
    return any(family == other[0] and other[1] <= first and last <= other[2] for other in _non_public_spans())


@lru_cache(maxsize=1)
def _non_public_spans() -> tuple[FamilyInterval, ...]:
    return tuple((n.version, int(n.network_address), int(n.broadcast_address)) for n in _non_public())


def subtract(networks: list[IPNetwork], minus: list[IPNetwork]) -> list[IPNetwork]:
    """The parts of ``networks`` that no network in ``minus`` covers."""
    remaining: list[IPNetwork] = list(networks)
    for cut in minus:
        next_round: list[IPNetwork] = []
        for network in remaining:
            if network.version != cut.version or not network.overlaps(cut):
                next_round.append(network)
            elif not network.subnet_of(cut):  # type: ignore[arg-type]
                next_round.extend(network.address_exclude(cut))  # type: ignore[arg-type]
        remaining = next_round
    v4 = [n for n in remaining if n.version == 4]
    v6 = [n for n in remaining if n.version == 6]
    import ipaddress

    return [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]
