"""Is every request of a role's session from outside the allow-list explicitly denied?

Every Deny statement of the role's permission policies and boundary is evaluated, together, for
every action and resource and every address: the address space is cut at the boundaries of the
CIDRs the policies list (the verdict is the same for every address of a piece), actions and
resources are instances of the patterns the Denies name plus ones they do not name, and every
other condition key takes the values the policies compare it with, or none. The session's own
facts are fixed: its account is the role's, and ``aws:ViaAWSService`` is false for the vendor's
own calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from ..records import dataclass
from .address_space import Breadth, address, family_intervals, held_pieces, holding, union, vpc_probes
from .cidrs import FamilyInterval, parse_cidr
from .conditions import OneOf, Request, in_network
from .document import PolicyDocument, Role
from .logic import Doubt, Truth, all_of, any_of, negate
from .memo import Memo, sensitive_marks
from .requests import (
    action_applies,
    assignments,
    conditions_apply,
    effect_doubt,
    free_values,
    instance_of,
    keys_read,
    read_key,
    resource_applies,
)
from .settings import Settings
from .statements import Statement, statements_of
from .values import OWN_ACCOUNT, Unknown

#: Actions an explicit Deny cannot stop (``GetCallerIdentity`` needs no permission).
UNDENIABLE_ACTIONS = frozenset({"sts:getcalleridentity"})
FRESH_ACTION = "islfresh:UnlistedAction"
FRESH_RESOURCE = "arn:aws:islfresh:us-east-1:000000000404:unlisted/resource"
IP_KEYS = ("aws:sourceip", "aws:vpcsourceip")
_SESSION_KEYS = frozenset({"aws:principalaccount", "aws:viaawsservice", *IP_KEYS})


@dataclass(frozen=True)
class DenyInPolicy:
    statement: Statement
    document: PolicyDocument
    variables: bool


@dataclass(frozen=True)
class Escape:
    """A request of the session that no Deny stops."""

    action: str
    resource: str
    source_ip: str | None
    vpc_source_ip: str | None


@dataclass(frozen=True)
class DocumentDoubt:
    document: PolicyDocument | None
    doubt: Doubt


@dataclass(frozen=True)
class Coverage:
    #: Public addresses from which some request is certainly not denied, per family.
    admitted: dict[int, Breadth]
    #: The same, counting requests whose denial depends on an unresolved value.
    maybe_admitted: dict[int, Breadth]
    #: A request through a VPC endpoint, from an address no policy lists, that is not denied.
    vpc_escape: Escape | None
    witness: Escape | None
    doubt: DocumentDoubt | None


def rejected_reason(statement: Statement) -> str:
    """Why AWS would refuse the statement's document (a malformed address), or ``""``."""
    for entry in statement.conditions:
        if entry.operator.base in ("IpAddress", "NotIpAddress"):
            for value in entry.literal_strings():
                parsed = parse_cidr(value)
                if parsed.span is None:
                    return parsed.problem
    return ""


def permission_documents(role: Role) -> list[PolicyDocument]:
    """The role's permission policies and boundary, each once (one policy may be linked twice)."""
    seen: set[tuple[str, object, int]] = set()
    found = []
    for document in role.policies:
        anchor = document.anchor
        place = (anchor.file, anchor.path, 0 if anchor.path else id(anchor.locator))
        if document.kind in ("permissions", "boundary") and place not in seen:
            seen.add(place)
            found.append(document)
    return found


def denies_of(documents: Sequence[PolicyDocument]) -> list[DenyInPolicy]:
    groups: dict[object, DenyInPolicy] = {}
    for document in documents:
        data = document.data
        variables = isinstance(data, dict) and data.get("Version") == "2012-10-17"
        for statement in statements_of(data):
            if statement.effect == "Allow" or (statement.effect is not None and not _may_deny(statement)):
                continue
            if rejected_reason(statement):
                continue
            groups.setdefault(_statement_key(statement, variables), DenyInPolicy(statement, document, variables))
    return list(groups.values())


def _may_deny(statement: Statement) -> bool:
    return statement.effect == "Deny" or isinstance(statement.effect, Unknown)


def session_request(role: Role, settings: Settings) -> dict[str, tuple[str, ...]]:
    own = frozenset({OWN_ACCOUNT, *settings.own_accounts, *role.own_accounts})
    return {"aws:principalaccount": (OneOf(own),), "aws:viaawsservice": ("false",)}


def _networks(denies: Sequence[DenyInPolicy], key: str) -> list[FamilyInterval]:
    """The addresses of the CIDRs listed for ``key`` that parse, as (family, first, last)."""
    found = []
    for deny in denies:
        for entry in deny.statement.conditions:
            if entry.key_lower == key:
                for value in entry.literal_strings():
                    span = parse_cidr(value).span
                    if span is not None:
                        found.append(span)
    return found


def _service_of_resource(resource: str) -> str | None:
    parts = resource.split(":", 3)
    return parts[2].lower() if len(parts) == 4 and parts[0] == "arn" else None


def _targets(denies: Sequence[DenyInPolicy]) -> list[tuple[str, str]]:
    """Actions x resources to try. An action acts on resources of its own service, so a resource
    a Deny names (``arn:aws:s3:::logs/*``) is tried with that service's actions only, and an unnamed
    resource with every action."""
    actions = [FRESH_ACTION]
    resources = [FRESH_RESOURCE]
    for deny in denies:
        for value in deny.statement.actions:
            if isinstance(value, str) and value != "*":
                actions.append(instance_of(value))
        for value in deny.statement.resources:
            if isinstance(value, str) and value != "*":
                resources.append(instance_of(value))
                service = _service_of_resource(instance_of(value))
                if service:
                    actions.append(f"{service}:IslUnlistedAction")
    actions = [a for a in dict.fromkeys(actions) if a.lower() not in UNDENIABLE_ACTIONS]
    pairs: list[tuple[str, str]] = []
    for resource in dict.fromkeys(resources):
        service = None if resource == FRESH_RESOURCE else _service_of_resource(resource)
        pairs.extend((a, resource) for a in actions if service is None or a.lower().startswith(service + ":"))
    return pairs


Answer = tuple[Truth, tuple[str, str] | None]  # the truth, and the (action, resource) that escapes


class _Judge:
    def __init__(self, denies: Sequence[DenyInPolicy], session: Request) -> None:
        self.session = session
        #: Which document each doubt came from (doubts keep their identity through the logic).
        self.origin: dict[int, tuple[Doubt, PolicyDocument]] = {}
        entries = [e for d in denies for e in d.statement.conditions if e.key_lower not in _SESSION_KEYS]
        self.table = free_values(entries, session)
        #: Places that differ in no key the Denies read get the same answer (four VPC probes, one answer),
        #: and so do addresses inside the same of the CIDRs listed for a key only ``IpAddress`` and
        #: ``NotIpAddress`` compare (every piece of the address space outside the allow-list).
        every = [e for d in denies for e in d.statement.conditions]
        self._reads = keys_read(every)
        self._cidrs: dict[str, list[str]] = {}
        for key in IP_KEYS:
            on_key = [e for e in every if e.key_lower == key]
            if all(e.operator.base in ("IpAddress", "NotIpAddress") for e in on_key):
                self._cidrs[key] = [text for e in on_key for text in e.literal_strings()]
        #: The source-IP CIDRs as (family, first, last), ``None`` for one that does not parse: what
        #: ``in_network`` answers for an address of a piece, from its number (no text to write and read).
        self._source_intervals = family_intervals(self._cidrs.get("aws:sourceip", ()))
        self._admitted: dict[tuple[object, ...], Answer] = {}
        #: ``admitted_from``'s answers by which source-IP CIDRs hold the address (all its key can vary in).
        self._admitted_inside: dict[tuple[bool, ...], Answer] = {}
        Combinations = list[dict[str, tuple[str, ...]]] | None
        self.by_target: list[tuple[tuple[str, str], list[tuple[DenyInPolicy, Truth]], Combinations]] = []
        for target in _targets(denies):
            action, resource = target
            relevant: list[tuple[DenyInPolicy, Truth]] = []
            for deny in denies:
                statement = deny.statement
                static = all_of([action_applies(statement, action), resource_applies(statement, resource)])
                doubt = effect_doubt(statement)
                if doubt is not None:
                    static = all_of([static, doubt])
                if static is not False:
                    relevant.append((deny, static))
            keys = {e.key_lower for d, _ in relevant for e in d.statement.conditions} - _SESSION_KEYS
            combos = assignments(self.table, keys)  # made once: every place asks for them again
            self.by_target.append((target, relevant, list(combos) if combos is not None else None))

    def escapes(self, place: Request) -> Iterator[tuple[Truth, tuple[str, str]]]:
        """For each target: whether some request to it from ``place`` is not denied."""
        for target, relevant, combos in self.by_target:
            if combos is None:
                yield Doubt(Unknown("too many combinations of condition values to evaluate"), ()), target
                continue
            outcomes: list[Truth] = []
            for combo in combos:
                request = {**self.session, **place, **combo}
                parts: list[Truth] = []
                for deny, static in relevant:
                    part = all_of([static, conditions_apply(deny.statement, request, deny.variables)])
                    if isinstance(part, Doubt):
                        self.origin[id(part)] = (part, deny.document)
                    parts.append(part)
                    if part is True:
                        break
                denied = any_of(parts)
                outcomes.append(negate(denied))
                if denied is False:
                    break
            yield any_of(outcomes), target

    def admitted(self, place: Request) -> Answer:
        if self._reads is None:
            return self._admitted_now(place)
        merged: Request = {**self.session, **place}
        seen: dict[str, tuple[object, ...]] = dict(merged)
        for ip_key, cidrs in self._cidrs.items():
            values = merged.get(ip_key)
            if values is not None:
                seen[ip_key] = tuple((type(v), tuple(in_network(v, c) for c in cidrs)) for v in values)
        key = read_key(seen, self._reads)
        found = self._admitted.get(key)
        if found is None:
            found = self._admitted[key] = self._admitted_now(place)
        return found

    def admitted_from(self, family: int, number: int, inside: tuple[bool, ...] | None = None) -> Answer:
        """``admitted`` for a request from the address ``number`` of ``family``, the same answer,
        keyed without writing the address out (a role's pieces are many, its answers few); ``inside``:
        which source-IP CIDRs hold the address, when the caller knows."""
        if self._reads is None or "aws:sourceip" not in self._cidrs:
            return self.admitted({"aws:sourceip": (address(family, number),)})
        if inside is None:
            inside = holding(self._source_intervals, family, number)
        found = self._admitted_inside.get(inside)
        if found is None:
            seen: dict[str, tuple[object, ...]] = {**self.session, "aws:sourceip": ((str, inside),)}
            key = read_key(seen, self._reads)
            found = self._admitted.get(key)
            if found is None:
                found = self._admitted[key] = self._admitted_now({"aws:sourceip": (address(family, number),)})
            self._admitted_inside[inside] = found
        return found

    @property
    def answers(self) -> dict[tuple[bool, ...], Answer] | None:
        """``admitted_from``'s answers by which source-IP CIDRs hold the address, when that is all
        they depend on (``None``: a policy variable may read the address, or another operator)."""
        return self._admitted_inside if self._reads is not None and "aws:sourceip" in self._cidrs else None

    def _admitted_now(self, place: Request) -> Answer:
        doubt: Truth = False
        for escaped, target in self.escapes(place):
            if escaped is True:
                return True, target
            if isinstance(escaped, Doubt) and doubt is False:
                doubt = escaped
        return doubt, None


_COVERAGES: Memo[Coverage] = Memo()


def _statement_key(statement: Statement, variables: bool) -> tuple[object, ...]:
    return (
        statement.effect, statement.action_element, statement.actions, statement.resource_element,
        statement.resources, statement.conditions_unknown, variables,
        tuple((e.operator.written, e.key, e.values, e.values_unknown) for e in statement.conditions),
    )  # fmt: skip


def coverage(
    role: Role, settings: Settings, documents: Sequence[PolicyDocument] | None = None
) -> tuple[Coverage, list[DenyInPolicy]]:
    """What the role's Denies leave open; computed once for identical Denies and sessions (a result
    with a doubt names the document it came from, so it is not shared). Denies that differ only in
    the CIDRs they list for ``aws:SourceIp`` share the answers for each set of CIDRs holding an address.
    ``documents``: ``permission_documents(role)``, when the caller has them."""
    denies = denies_of(permission_documents(role) if documents is None else documents)
    session = session_request(role, settings)
    (own,) = session["aws:principalaccount"]
    spellings = own.spellings if isinstance(own, OneOf) else frozenset({own})
    shape = _shape_key(denies, spellings)
    key: tuple[object, ...]
    texts = tuple(_source_cidrs(denies))
    if shape is not None:
        key = (shape, texts)  # the shape holds all but these CIDRs, plain texts whose number per entry it keeps
    else:
        statements = tuple(_statement_key(d.statement, d.variables) for d in denies)
        key = (statements, spellings, sensitive_marks(statements))  # a sensitive value's verdict is its own
    try:
        found = _COVERAGES.get(key)
    except TypeError:  # an unhashable value: judged every time
        return _judged(denies, session)[0], denies
    if found is not None:
        return found, denies
    known = _SHAPES.get(shape) if shape is not None else None
    if known is not None:
        answers, vpc_escape = known
        shared = _coverage(denies, answers, vpc_escape, texts)
        if shared is not None:
            return shared, denies
    result, judge = _judged(denies, session)
    if result.doubt is None:
        _COVERAGES.put(key, result)
        if shape is not None and judge.answers is not None:
            _SHAPES.put(shape, (judge.answers, result.vpc_escape))
    return result, denies


def _judged(denies: list[DenyInPolicy], session: Request) -> tuple[Coverage, _Judge]:
    judge = _Judge(denies, session)
    result = _coverage(denies, judge.admitted_from, judge)
    assert result is not None  # the judge answers every piece
    return result, judge


#: For Denies of one shape: ``admitted_from``'s answers by which source-IP CIDRs hold the address, and
#: the request through a VPC endpoint that escapes (it carries no ``aws:SourceIp``: the CIDRs do not matter).
_SHAPES: Memo[tuple[dict[tuple[bool, ...], Answer], Escape | None]] = Memo()


def _source_cidrs(denies: Sequence[DenyInPolicy]) -> list[str]:
    """The CIDRs listed for ``aws:SourceIp``, in the order the judge keeps them."""
    entries = [e for d in denies for e in d.statement.conditions if e.key_lower == "aws:sourceip"]
    return [text for e in entries for text in e.literal_strings()]


def _shape_key(denies: Sequence[DenyInPolicy], spellings: frozenset[str]) -> tuple[object, ...] | None:
    """The Denies without the CIDRs they list for ``aws:SourceIp`` (their number is kept), when the
    judge's answers depend on those CIDRs only through which of them hold the address: no policy
    variable reads it, only ``IpAddress`` and ``NotIpAddress`` compare it, and with plain texts."""
    statements = []
    for deny in denies:
        entries = []
        for e in deny.statement.conditions:
            values = e.values
            if any(isinstance(v, str) and "${" in v for v in values):
                return None
            if e.key_lower == "aws:sourceip":
                if e.operator.base not in ("IpAddress", "NotIpAddress") or e.values_unknown is not None:
                    return None
                if any(type(v) is not str for v in values):
                    return None
                values = (None,) * len(values)
            entries.append((e.operator.written, e.key, values, e.values_unknown))
        statement = deny.statement
        statements.append(
            (statement.effect, statement.action_element, statement.actions, statement.resource_element,
             statement.resources, statement.conditions_unknown, deny.variables, tuple(entries))
        )  # fmt: skip
    shape = tuple(statements)
    return (shape, spellings, sensitive_marks(shape))


def _coverage(
    denies: list[DenyInPolicy],
    answer: Callable[[int, int, tuple[bool, ...]], Answer] | dict[tuple[bool, ...], Answer],
    judge: _Judge | Escape | None,
    source_cidrs: Sequence[str] | None = None,
) -> Coverage | None:
    """``answer`` for each piece of the address space, from its family, first address and which of the
    source-IP CIDRs (``_source_cidrs``) hold it, or known answers by the CIDRs holding it (one missing:
    the result is unknown, ``None``); the ``judge``
    for requests through a VPC endpoint, or what the caller knows escapes through one; ``source_cidrs``:
    ``_source_cidrs(denies)`` when the caller has them."""
    admitted: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    maybe: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    witness: Escape | None = None
    first_doubt: Doubt | None = None
    intervals = family_intervals(_source_cidrs(denies) if source_cidrs is None else source_cidrs)
    source_networks = [span for span in intervals if span is not None]  # _networks(denies, "aws:sourceip")
    for family in (4, 6):
        for piece, inside in held_pieces(family, source_networks, intervals):
            found = answer.get(inside) if isinstance(answer, dict) else answer(family, piece[0], inside)
            if found is None:
                return None
            truth, target = found
            if truth is not False:
                maybe[family].append(piece)
            if truth is True:
                admitted[family].append(piece)
                # a piece is cut at every bound of the parsed CIDRs: outside them when none holds its start
                if target is not None and witness is None and not any(inside):
                    witness = Escape(target[0], target[1], address(family, piece[0]), None)
            elif isinstance(truth, Doubt) and first_doubt is None:
                first_doubt = truth
    vpc_escape, vpc_doubt = _through_vpc(denies, judge) if isinstance(judge, _Judge) else (judge, None)
    first_doubt = vpc_doubt if first_doubt is None else first_doubt
    doubt = None
    if first_doubt is not None:
        origin = judge.origin.get(id(first_doubt)) if isinstance(judge, _Judge) else None
        doubt = DocumentDoubt(origin[1] if origin and origin[0] is first_doubt else None, first_doubt)
    breadths = {f: Breadth(f, tuple(union(admitted[f]))) for f in (4, 6)}
    # the same Breadths when nothing is in doubt: each counts its addresses once
    maybe_breadths = breadths if maybe == admitted else {f: Breadth(f, tuple(union(maybe[f]))) for f in (4, 6)}
    return Coverage(breadths, maybe_breadths, vpc_escape, witness, doubt)


def _through_vpc(denies: list[DenyInPolicy], judge: _Judge) -> tuple[Escape | None, Doubt | None]:
    """A request through a VPC endpoint, from an address no policy lists, that is not denied, and the
    first doubt met before it."""
    first_doubt: Doubt | None = None
    for probe in vpc_probes(_networks(denies, "aws:vpcsourceip")):
        truth, target = judge.admitted({"aws:vpcsourceip": (probe,)})
        if truth is True and target is not None:
            return Escape(target[0], target[1], None, probe), first_doubt
        if isinstance(truth, Doubt) and first_doubt is None:
            first_doubt = truth
    return None, first_doubt
