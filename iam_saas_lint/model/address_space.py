"""Sets of addresses as sorted, disjoint integer intervals, one family at a time.

Used to judge an allow-list by its union (``0.0.0.0/1`` plus ``128.0.0.0/1`` is every IPv4
address) and to cut the address space into the pieces on which a policy's verdict cannot change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from ..records import dataclass
from .cidrs import NON_PUBLIC_CIDRS, FamilyInterval, IPNetwork, parse_cidr

Interval = tuple[int, int]  # inclusive
FAMILY_BITS = {4: 32, 6: 128}
VPC_PROBES = ("10.0.0.1", "172.31.0.1", "192.168.0.1", "100.64.0.1")
#: Global unicast: every IPv6 address that can reach AWS over the internet.
PUBLIC_IPV6 = "2000::/3"


def interval_of(network: IPNetwork) -> Interval:
    return int(network.network_address), int(network.broadcast_address)


def family_intervals(cidrs: Iterable[str]) -> list[FamilyInterval | None]:
    """The CIDRs' addresses, ``None`` for a CIDR that does not parse."""
    return [parse_cidr(text).span for text in cidrs]


def holding(intervals: Sequence[FamilyInterval | None], family: int, number: int) -> tuple[bool, ...]:
    """Which of the CIDRs hold the address: ``in_network`` for each, from the address's number."""
    return tuple(found is not None and found[0] == family and found[1] <= number <= found[2] for found in intervals)


def union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + 1:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    found: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start <= end:
            found.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return found


def size(intervals: Iterable[Interval]) -> int:
    return sum(end - start + 1 for start, end in intervals)


@lru_cache(maxsize=2)
def public_space(family: int) -> tuple[Interval, ...]:
    """The addresses that can appear as ``aws:SourceIp``."""
    import ipaddress

    if family == 6:
        return (interval_of(ipaddress.ip_network(PUBLIC_IPV6)),)
    private = union(interval_of(n) for n in (ipaddress.ip_network(c) for c in NON_PUBLIC_CIDRS) if n.version == 4)
    found: list[Interval] = []
    position = 0
    for start, end in private:
        if start > position:
            found.append((position, start - 1))
        position = end + 1
    if position <= 2**32 - 1:
        found.append((position, 2**32 - 1))
    return tuple(found)


@lru_cache(maxsize=2)
def public_size(family: int) -> int:
    return size(public_space(family))


def pieces(family: int, spans: Iterable[FamilyInterval]) -> list[Interval]:
    """The public address space of a family cut at every boundary of the networks ``spans``: a policy
    that only compares addresses with these networks gives the same verdict for every address of a piece."""
    cuts: set[int] = set()
    for version, start, end in spans:
        if version == family:
            cuts.update((start, end + 1))
    space = public_space(family)
    if not cuts:
        return list(space)
    ordered = sorted(cuts)
    count = len(ordered)
    found: list[Interval] = []
    passed = 0
    for start, end in space:
        while passed < count and ordered[passed] <= start:
            passed += 1
        position = start
        while passed < count and ordered[passed] <= end:  # the cuts inside the interval
            found.append((position, ordered[passed] - 1))
            position = ordered[passed]
            passed += 1
        found.append((position, end))
    return found


def held_pieces(
    family: int, spans: Iterable[FamilyInterval], intervals: Sequence[FamilyInterval | None]
) -> list[tuple[Interval, tuple[bool, ...]]]:
    """``pieces(family, spans)``, each with ``holding(intervals, family, start)`` for its first address,
    found in one sweep over the intervals' bounds (a role's pieces are many)."""
    bounds: list[tuple[int, int, bool]] = []
    for index, found in enumerate(intervals):
        if found is not None and found[0] == family:
            bounds.append((found[1], index, True))
            bounds.append((found[2] + 1, index, False))
    bounds.sort()
    held = [False] * len(intervals)
    current = tuple(held)  # shared by the pieces between two bounds
    found_pieces = []
    passed, count = 0, len(bounds)
    for piece in pieces(family, spans):
        if passed < count and bounds[passed][0] <= piece[0]:
            while passed < count and bounds[passed][0] <= piece[0]:
                _, index, inside = bounds[passed]
                held[index] = inside
                passed += 1
            current = tuple(held)
        found_pieces.append((piece, current))
    return found_pieces


def address(family: int, number: int) -> str:
    if family == 4:  # as ipaddress writes it, without making an address object (one per piece of every role)
        return ".".join(map(str, number.to_bytes(4, "big")))
    import ipaddress

    return str(ipaddress.IPv6Address(number))


@dataclass(frozen=True)
class Breadth:
    """How much of a family's public space a set of addresses covers."""

    family: int
    intervals: tuple[Interval, ...]

    @property
    def count(self) -> int:
        found: int | None = self.__dict__.get("_count")  # asked for again by every check of a verdict
        if found is None:
            found = self.__dict__["_count"] = size(self.intervals)
        return found

    @property
    def everything(self) -> bool:
        return self.count >= public_size(self.family)

    def broader_than(self, prefix: int) -> bool:
        return bool(self.count > 2 ** (FAMILY_BITS[self.family] - prefix))

    def shown(self, limit: int = 3) -> str:
        """The covered addresses as CIDRs, the first few."""
        import ipaddress

        factory = ipaddress.IPv4Address if self.family == 4 else ipaddress.IPv6Address
        networks: list[str] = []
        for start, end in self.intervals:
            networks.extend(str(n) for n in ipaddress.summarize_address_range(factory(start), factory(end)))
        more = f" and {len(networks) - limit} more" if len(networks) > limit else ""
        return ", ".join(networks[:limit]) + more


def public_breadth(family: int, networks: Iterable[IPNetwork]) -> Breadth:
    """The public part of the union of ``networks`` in one family."""
    return public_breadth_of(family, ((n.version, *interval_of(n)) for n in networks))


def public_breadth_of(family: int, spans: Iterable[FamilyInterval]) -> Breadth:
    """The public part of the union of the networks ``spans`` in one family."""
    listed = union((start, end) for version, start, end in spans if version == family)
    return Breadth(family, tuple(intersect(listed, list(public_space(family)))))


def vpc_probes(networks: Sequence[FamilyInterval]) -> list[str]:
    """Up to four IPv4 addresses outside ``networks`` to try as ``aws:VpcSourceIp`` (a request through a
    VPC endpoint from an address no policy lists): common private ones, then those just outside each network."""
    import ipaddress

    probes = list(VPC_PROBES)
    for family, first, last in networks:
        for number in (first - 1, last + 1):
            if family == 4 and 0 <= number < 2**32:
                probes.append(str(ipaddress.IPv4Address(number)))
    outside = []
    for probe in dict.fromkeys(probes):  # every probe is an IPv4 address
        number = int(ipaddress.IPv4Address(probe))
        if not any(family == 4 and first <= number <= last for family, first, last in networks):
            outside.append(probe)
    return outside[:4]
