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


@dataclass(frozen=True)
class ParsedCidr:
    text: str
    network: IPNetwork | None
    problem: str  # empty when the value is usable


# the same few CIDRs are parsed for every request the evaluator tries; typed: a text marked sensitive
# is parsed apart from the same plain text, since the problem quotes it
@lru_cache(maxsize=4096, typed=True)
def parse_cidr(text: str) -> ParsedCidr:
    if not _SHAPE.match(text):
        return ParsedCidr(text, None, f"{text!r} is not a CIDR")
    address = text.split("/", 1)[0]
    if "." in address and ":" not in address and _LEADING_ZERO.search(address):
        return ParsedCidr(text, None, f"{text!r} has a leading zero, which IAM does not accept")
    try:
        network = _ipv4_network(text) or _network(text)
    except ValueError:
        return ParsedCidr(text, None, f"{text!r} is not a valid CIDR")
    if network.prefixlen == 0:
        return ParsedCidr(text, network, f"{text!r} is /0: it allows every address")
    return ParsedCidr(text, network, "")


_IPV4 = lazy_compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,2}))?$")


def _ipv4_network(text: str) -> IPNetwork | None:
    """``ip_network(text, strict=False)`` for an IPv4 CIDR written plainly, from its number (reading
    the text is most of what ``ip_network`` costs); ``None`` for anything else, which it reads."""
    import ipaddress

    found = _IPV4.match(text)
    if found is None or any(len(part) > 1 and part[0] == "0" for part in found.groups() if part is not None):
        return None
    octets = [int(part) for part in found.groups()[:4]]
    prefix = int(found.group(5)) if found.group(5) is not None else 32
    if any(octet > 255 for octet in octets) or prefix > 32:
        return None
    number = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    return ipaddress.IPv4Network((number, prefix), strict=False)


def _network(text: str) -> IPNetwork:
    import ipaddress

    return ipaddress.ip_network(text, strict=False)


def is_non_public(network: IPNetwork) -> bool:
    return any(network.version == other.version and network.subnet_of(other) for other in _non_public())  # type: ignore[arg-type]


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
