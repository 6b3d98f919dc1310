"""Whether a role's permission policies deny everything from outside the vendor's addresses."""

from __future__ import annotations

from collections.abc import Callable

from ..records import dataclass, field
from .actions import uncovered_share
from .address_space import FAMILY_BITS, public_breadth_of, public_size
from .cidrs import ParsedCidr, parse_cidr
from .document import PolicyDocument, Role, UnresolvedPolicy
from .memo import by_content
from .settings import Settings
from .statements import ConditionEntry, Statement, statements_of
from .values import OWN_ACCOUNT, JsonPath, Unknown

#: Actions an explicit Deny cannot stop (``GetCallerIdentity`` needs no permission).
UNDENIABLE_ACTIONS = frozenset({"sts:getcalleridentity"})

_IP_KEYS = {"aws:sourceip", "aws:vpcsourceip"}


@dataclass(frozen=True)
class Hole:
    reason: str
    path: JsonPath  # inside the document


@dataclass(frozen=True)
class IpDeny:
    """A Deny statement that conditions on the caller's address."""

    statement: Statement
    holes: tuple[Hole, ...]
    unknowns: tuple[tuple[Unknown, JsonPath], ...]
    cidrs: tuple[str, ...] = field(default=())

    @property
    def effective(self) -> bool:
        return not self.holes and not self.unknowns


def _covers_everything(values: tuple[str | Unknown, ...]) -> bool | Unknown:
    unknown: Unknown | None = None
    for value in values:
        if isinstance(value, Unknown):
            unknown = value
        elif value in {"*", "*:*"}:
            return True
    return unknown if unknown is not None else False


def _always_true(entry: ConditionEntry, settings: Settings) -> bool:
    """An extra condition that holds for every request of the role's session (``BoolIfExists
    aws:ViaAWSService false``, ``aws:PrincipalAccount`` equal to your account) does not narrow the Deny."""
    from .conditions import OneOf, evaluate
    from .requests import free_values

    own = frozenset({OWN_ACCOUNT, *settings.own_accounts})
    session: dict[str, tuple[str, ...]] = {"aws:principalaccount": (OneOf(own),), "aws:viaawsservice": ("false",)}
    if entry.key_lower in session:
        return evaluate(entry, session) is True
    options = free_values([entry], session)[entry.key_lower]
    return all(evaluate(entry, {**session, **({entry.key_lower: o} if o else {})}) is True for o in options)


def _check_cidrs(
    entry: ConditionEntry, holes: list[Hole], unknowns: list[tuple[Unknown, JsonPath]], settings: Settings
) -> list[str]:
    unknown_values = entry.unknown_values()
    for unknown in unknown_values:
        unknowns.append((unknown, entry.path))
    literal = entry.literal_strings()
    if not literal and not unknown_values:
        holes.append(Hole("the aws:SourceIp allow-list is empty", entry.path))
        return []
    parsed = [parse_cidr(value) for value in literal]
    problems = [Hole(item.problem, entry.path) for item in parsed if item.problem]
    if problems:
        holes.extend(problems)
    else:
        holes.extend(Hole(reason, entry.path) for reason in union_problems(parsed, settings))
    return literal


def union_problems(parsed: list[ParsedCidr], settings: Settings) -> list[str]:
    """What the union of an allow-list admits beyond any vendor's egress, per address family."""
    spans = [item.span for item in parsed if item.span is not None]
    listed = {4: 0, 6: 0}
    for family, first, last in spans:
        listed[family] += last - first + 1
    found = []
    for family, bound in zip((4, 6), settings.widest_source_ip_range, strict=True):
        if listed[family] <= 2 ** (FAMILY_BITS[family] - bound) and listed[family] < public_size(family):
            continue  # what the ranges admit together is no more than they hold apart
        breadth = public_breadth_of(family, spans)
        name = f"IPv{family}"
        if breadth.everything:
            found.append(f"together the ranges admit every public {name} address, like a /0")
        elif breadth.broader_than(bound):
            found.append(
                f"the {name} ranges ({breadth.shown()}) are broader than any vendor's egress (more than a /{bound})"
            )
    return found


def _analyze_deny(statement: Statement, settings: Settings) -> IpDeny:
    if isinstance(statement.effect, Unknown):
        return IpDeny(statement, (), ((statement.effect, statement.path),))
    holes: list[Hole] = []
    unknowns: list[tuple[Unknown, JsonPath]] = []
    cidrs: list[str] = []
    base = statement.path
    if statement.action_element == "NotAction":
        literal_actions = [a for a in statement.actions if isinstance(a, str)]
        if not all(a.lower() in UNDENIABLE_ACTIONS for a in literal_actions):
            share = uncovered_share(literal_actions, "NotAction")
            holes.append(Hole(f"NotAction leaves {share} usable from any address", base + ("NotAction",)))
    else:
        covered = _covers_everything(statement.actions)
        if isinstance(covered, Unknown):
            unknowns.append((covered, base + ("Action",)))
        elif not covered:
            share = uncovered_share([a for a in statement.actions if isinstance(a, str)], "Action")
            holes.append(Hole(f'Action is not "*": {share} stay usable from any address', base + ("Action",)))
    if statement.resource_element == "NotResource":
        holes.append(Hole("NotResource leaves the listed resources usable from any address", base + ("NotResource",)))
    else:
        covered = _covers_everything(statement.resources)
        if isinstance(covered, Unknown):
            unknowns.append((covered, base + ("Resource",)))
        elif not covered:
            holes.append(
                Hole('Resource is not "*": other resources stay usable from any address', base + ("Resource",))
            )
    if statement.conditions_unknown is not None:
        unknowns.append((statement.conditions_unknown, base + ("Condition",)))
    has_not_ip = False
    for entry in statement.conditions:
        op = entry.operator
        if entry.key_lower in _IP_KEYS and op.base == "NotIpAddress" and op.canonical and op.qualifier != "ForAnyValue":
            has_not_ip = True
            if entry.key_lower == "aws:sourceip":
                cidrs.extend(_check_cidrs(entry, holes, unknowns, settings))
        elif entry.key_lower == "aws:sourceip":
            if op.base == "IpAddress":
                holes.append(Hole(f"{op.written} denies the listed addresses instead of all others", entry.path))
            elif op.base == "Null":
                holes.append(Hole("Null on aws:SourceIp exempts requests through VPC endpoints (a bypass)", entry.path))
            else:
                holes.append(Hole(f"{op.written} on aws:SourceIp does not deny other addresses", entry.path))
        elif not _always_true(entry, settings):
            holes.append(Hole(f"the extra condition {op.written} {entry.key} narrows the Deny", entry.path))
    if not has_not_ip and statement.conditions_unknown is None:
        holes.append(Hole("no NotIpAddress condition on aws:SourceIp", base + ("Condition",)))
    return IpDeny(statement, tuple(holes), tuple(unknowns), tuple(cidrs))


def ip_denies(data: object, settings: Settings | None = None) -> list[IpDeny]:
    """Deny statements of a permission policy that condition on the caller's address, each with the
    holes it would leave if it were the only Deny."""
    return list(_ip_denies(data, settings))


@by_content
def _ip_denies(data: object, settings: Settings | None) -> tuple[IpDeny, ...]:
    found: list[IpDeny] = []
    for statement in statements_of(data):
        if not (statement.is_deny or isinstance(statement.effect, Unknown)):
            continue
        if statement.conditions_unknown is None and not any(e.key_lower in _IP_KEYS for e in statement.conditions):
            continue
        found.append(_analyze_deny(statement, settings or Settings()))
    return tuple(found)


def ip_allows(data: object) -> list[ConditionEntry]:
    """``IpAddress`` conditions on Allow statements (which do not stop anything)."""
    found: list[ConditionEntry] = []
    for statement in statements_of(data):
        if statement.is_allow:
            found.extend(e for e in statement.conditions_on("aws:SourceIp") if e.operator.base == "IpAddress")
    return found


@dataclass(frozen=True)
class DenyVerdict:
    """The source-IP Deny situation of one role."""

    candidates: tuple[tuple[PolicyDocument, IpDeny], ...]
    unresolved: tuple[UnresolvedPolicy, ...]

    @property
    def effective(self) -> bool:
        return any(deny.effective for _, deny in self.candidates)


def deny_verdict(role: Role, denies_of: Callable[[PolicyDocument], list[IpDeny]] | None = None) -> DenyVerdict:
    """``denies_of`` analyses one document (``ip_denies`` of its data unless a caller caches it)."""
    analyse = denies_of or (lambda document: ip_denies(document.data))
    seen: set[tuple[str, JsonPath, int]] = set()
    documents = []
    for document in role.policies:
        # the same policy linked twice (ManagedPolicyArns and Roles) is analysed once; documents that
        # are whole texts of their own (path ``()``: Terraform's, a raw file's) differ by their locator
        anchor = document.anchor
        place = (anchor.file, anchor.path, 0 if anchor.path else id(anchor.locator))
        if document.kind in ("permissions", "boundary") and place not in seen:
            seen.add(place)
            documents.append(document)
    candidates = tuple((document, deny) for document in documents for deny in analyse(document))
    return DenyVerdict(candidates, role.unresolved_policies)
