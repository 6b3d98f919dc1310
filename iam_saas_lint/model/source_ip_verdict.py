"""The source-IP verdict of a role, as an answer of the evaluator.

``protected``: every request of the session from outside the listed CIDRs is denied, for every action
and resource, and what the lists admit is no broader than a vendor's egress. ``hole``: some request
from elsewhere is not denied (``reasons`` say where). ``unusable``: every request from the internet is
denied (only private ranges, or only ``aws:VpcSourceIp``): nothing leaks, but the vendor cannot use
the role. ``doubt``: the verdict depends on a value that could not be resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from ..records import dataclass
from .coverage import Coverage, DocumentDoubt, coverage, permission_documents
from .document import PolicyDocument, Role, UnresolvedPolicy
from .settings import Settings
from .source_ip import IpDeny, ip_denies

State = Literal["protected", "hole", "unusable", "doubt"]


@dataclass(frozen=True)
class SourceIpVerdict:
    state: State
    #: Why the role as a whole is not protected (over all its Denies together). Each Deny that
    #: conditions on the caller's address, with what it leaves open alone: ``deny_verdict``.
    reasons: tuple[str, ...]
    doubt: DocumentDoubt | None
    unresolved: tuple[UnresolvedPolicy, ...]


def _problems(result: Coverage, definite: bool, settings: Settings) -> list[str]:
    admitted = result.admitted if definite else result.maybe_admitted
    found = []
    for family, bound in zip((4, 6), settings.widest_source_ip_range, strict=True):
        breadth = admitted[family]
        if breadth.everything:
            found.append(f"requests from every public IPv{family} address are allowed through")
        elif breadth.broader_than(bound):
            found.append(
                f"requests from {breadth.shown()} are allowed through: broader than any vendor's egress "
                f"(more than a /{bound})"
            )
    if result.vpc_escape is not None:
        found.append(f"requests through a VPC endpoint from {result.vpc_escape.vpc_source_ip} are not denied")
    return found


def judge_source_ip(
    role: Role, settings: Settings, denies_of: Callable[[PolicyDocument], list[IpDeny]] | None = None
) -> SourceIpVerdict:
    """``denies_of`` describes one document's Denies (``ip_denies`` unless a caller caches it)."""
    describe = denies_of or (lambda document: ip_denies(document.data, settings))
    documents = permission_documents(role)
    result, _ = coverage(role, settings, documents)
    definite = _problems(result, True, settings)
    if definite:
        if result.witness is not None and not any("every public" in r for r in definite):
            witness = result.witness
            definite.append(f"{witness.action} on {witness.resource} from {witness.source_ip} is not denied")
        return SourceIpVerdict("hole", tuple(definite), result.doubt, role.unresolved_policies)
    # the same breadths (nothing in doubt) have the same problems: none
    maybe_problems = result.maybe_admitted is not result.admitted and _problems(result, False, settings)
    if maybe_problems or (result.doubt is not None and role.unresolved_policies):
        return SourceIpVerdict("doubt", (), result.doubt, role.unresolved_policies)
    nothing_admitted = result.maybe_admitted[4].count == 0 and result.maybe_admitted[6].count == 0
    if nothing_admitted and not role.unresolved_policies and not _lists_public_addresses(documents, describe):
        return SourceIpVerdict("unusable", (), None, ())
    return SourceIpVerdict("protected", (), None, role.unresolved_policies)


def _lists_public_addresses(
    documents: list[PolicyDocument], describe: Callable[[PolicyDocument], list[IpDeny]]
) -> bool:
    """Whether the Denies' own allow-lists admit a public address: then a role that is unusable from
    the internet is so because of another Deny (one of every request), not because of its lists."""
    from .cidrs import is_non_public, parse_cidr

    for deny in (deny for document in documents for deny in describe(document)):
        for text in deny.cidrs:
            parsed = parse_cidr(text)
            if parsed.span is not None and parsed.prefixlen > 0 and not is_non_public(parsed.span):
                return True
    return False
