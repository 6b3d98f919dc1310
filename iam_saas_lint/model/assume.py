"""Who can assume a role: every statement of the trust policy, Allow and Deny, over representative requests.

The question is "can a principal of this class, presenting this kind of external id, with or without
MFA, call ``sts:AssumeRole``?". Principal classes are the third-party accounts the policy names (in
``Principal`` or in ``aws:PrincipalAccount``/``aws:PrincipalArn`` conditions), principals whose
account cannot be told, an unrelated account the policy never names, and your own accounts. Every
other condition key is the caller's to choose, so the answer is "yes" when some choice gets in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from ..records import dataclass
from .conditions import Fresh, Hidden, PinnedUnknown, Request
from .logic import Doubt, Truth, all_of, any_of, negate
from .principals import account_of, is_own
from .requests import (
    action_applies,
    assignments,
    conditions_apply,
    effect_doubt,
    free_values,
    instance_of,
    keys_read,
    read_key,
)
from .settings import Settings
from .statements import Principal, Statement, statements_of
from .values import OWN_ACCOUNT, Unknown

ASSUME_ROLE = "sts:AssumeRole"
CallerKind = Literal["vendor", "unresolved", "unrelated", "own"]
ExternalIdChoice = Literal["none", "own-choice", "pinned"]

_XID = "sts:externalid"
_ORG_KEYS = ("aws:principalorgid", "aws:principalorgpaths")
_FIXED_KEYS = frozenset(
    {"aws:principalaccount", "aws:principalarn", *_ORG_KEYS, _XID, "aws:multifactorauthpresent",
     "aws:multifactorauthage"}
)  # fmt: skip
_OTHER_TENANT = Fresh("isl-other-tenant-id")
_WITHOUT_MFA: tuple[Request, ...] = ({}, {"aws:multifactorauthpresent": ("false",)})
_WITH_MFA: tuple[Request, ...] = ({"aws:multifactorauthpresent": ("true",), "aws:multifactorauthage": ("1",)},)


@dataclass(frozen=True)
class Caller:
    kind: CallerKind
    account: str | None  # None: the account cannot be told
    description: str
    arns: tuple[str, ...]
    orgs: tuple[str | None, ...]
    #: For an unresolved principal: the ``(type, value)`` it stands for.
    stands_for: tuple[object, object] | None = None


@dataclass(frozen=True)
class Answer:
    truth: Truth
    #: The Allow statements that let the caller in (when ``truth`` is not ``False``).
    allowing: tuple[Statement, ...]


def _key(principal: Principal) -> tuple[object, object]:
    return (principal.kind, principal.value)


@dataclass
class _Group:
    """Identical statements, judged once."""

    first: Statement
    members: list[Statement]


def _statement_key(statement: Statement) -> object:
    return (
        statement.effect, statement.principal_element, tuple(_key(p) for p in statement.principals),
        statement.principals_unknown, statement.action_element, statement.actions,
        tuple((e.operator.written, e.key, e.values, e.values_unknown) for e in statement.conditions),
        statement.conditions_unknown,
    )  # fmt: skip


class _Plan:
    """A plain class: a ``NamedTuple`` would compile its string annotations at import."""

    __slots__ = ("allows", "decided", "denies", "deny_combinations", "own_combinations", "reads")

    def __init__(
        self,
        denies: list[tuple[_Group, Truth]],
        allows: list[tuple[_Group, Truth]],
        deny_combinations: list[dict[str, tuple[str, ...]]] | None,
        own_combinations: list[list[dict[str, tuple[str, ...]]] | None],
        reads: tuple[str, ...] | None,
        decided: dict[tuple[object, ...], tuple[Truth, tuple[_Group, ...]]],
    ) -> None:
        self.denies = denies
        self.allows = allows
        #: The combinations of values of the keys the Denies name (``None``: too many to try).
        self.deny_combinations = deny_combinations
        #: For each Allow, the combinations of the free keys only it names.
        self.own_combinations = own_combinations
        #: The request keys the statements' conditions read (``None``: a policy variable may read any).
        self.reads = reads
        #: Decisions made, by the values of those keys: the truth and the Allows that let the caller in.
        self.decided = decided


class TrustEvaluator:
    def __init__(self, data: object, settings: Settings) -> None:
        self.settings = settings
        self.variables = isinstance(data, dict) and data.get("Version") == "2012-10-17"
        groups: dict[object, _Group] = {}
        for statement in statements_of(data):
            if statement.principal_element is None or action_applies(statement, ASSUME_ROLE) is False:
                continue
            group = groups.setdefault(_statement_key(statement), _Group(statement, []))
            group.members.append(statement)
        self.groups = list(groups.values())
        entries = [e for g in self.groups for e in g.first.conditions]
        self.table = free_values(e for e in entries if e.key_lower not in _FIXED_KEYS)
        self._own_orgs = self._find_own_orgs()
        self._pinned, self._other = self._external_ids()
        self._callers = self._find_callers()
        self._caller_ids = {id(caller) for caller in self._callers}  # they live as long as this evaluator
        #: The verdicts ask some questions more than once (a wildcard's callers, with and without MFA).
        self._answers: dict[tuple[int, ExternalIdChoice, bool], Answer] = {}
        #: What each of our callers' principals meets, whatever the request (kept for every question).
        self._plans: dict[tuple[int, str], _Plan] = {}
        self._made: dict[frozenset[str], list[dict[str, tuple[str, ...]]] | None] = {}

    # -- the principal classes -----------------------------------------------------------------

    def callers(self, *kinds: CallerKind) -> list[Caller]:
        return [caller for caller in self._callers if caller.kind in kinds]

    def _entries_on(self, key: str) -> Iterator[tuple[str, bool]]:
        """Literal values (and whether each is a pattern) of conditions on a key."""
        for group in self.groups:
            for entry in group.first.conditions:
                if entry.key_lower == key and not entry.operator.negated:
                    for value in entry.literal_strings():
                        yield value, "*" in value or "?" in value

    def _find_own_orgs(self) -> frozenset[str]:
        if self.settings.own_organizations:
            return self.settings.own_organizations
        # without the setting, an organization a policy names literally is taken to be yours
        return frozenset(v for v, pattern in self._entries_on("aws:principalorgid") if not pattern and v)

    def _orgs_for_others(self) -> tuple[str | None, ...]:
        found: list[str | None] = [None, Fresh("o-islfresh00")]
        for value, pattern in self._entries_on("aws:principalorgid"):
            candidate = instance_of(value) if pattern else value
            if candidate and candidate not in self._own_orgs:
                found.append(candidate)
        return tuple(dict.fromkeys(found))

    def _find_callers(self) -> list[Caller]:
        settings = self.settings
        arns_by_account: dict[str, list[str]] = {}
        unresolved: dict[tuple[object, object], str] = {}
        named: set[str] = set()

        def note_account(value: str, arn: bool) -> None:
            account = account_of(value).account
            if account is None or is_own(account, settings):
                return
            named.add(account)
            listed = arns_by_account.setdefault(account, [f"arn:aws:iam::{account}:role/isl-caller"])
            if arn and value.startswith("arn:") and not value.endswith(":root") and value not in listed:
                listed.append(value)

        for group in self.groups:
            for principal in group.first.principals:
                if principal.kind not in ("AWS", "*") and not isinstance(principal.kind, Unknown):
                    continue
                if principal.is_wildcard:
                    continue
                value = principal.value
                if isinstance(value, str) and not isinstance(principal.kind, Unknown):
                    found = account_of(value)
                    if found.account is not None:
                        note_account(value, arn=True)
                        continue
                    why = f"{value} (account unknown: {found.why_unknown})"
                else:
                    why = f"an unresolved principal ({value if isinstance(value, Unknown) else principal.kind})"
                unresolved.setdefault(_key(principal), why)
        for value, pattern in self._entries_on("aws:principalaccount"):
            if not pattern:
                note_account(value, arn=False)
        for value, pattern in self._entries_on("aws:principalarn"):
            note_account(instance_of(value) if pattern else value, arn=True)
        others = self._orgs_for_others()
        callers = [
            Caller("vendor", account, _describe(account, settings), tuple(arns), others)
            for account, arns in sorted(arns_by_account.items())
        ]
        if settings.unresolved_principals == "third-party":
            for key, why in unresolved.items():
                hidden = Hidden(f"the account of {why} is unknown")
                callers.append(Caller("unresolved", None, f"{why}; treated as third-party", (hidden,), others, key))
        stranger = next(a for a in (f"{n:012d}" for n in range(999999999999, 0, -1)) if a not in named)
        callers.append(
            Caller("unrelated", stranger, "everyone (*)", (f"arn:aws:iam::{stranger}:role/isl-caller",), others)
        )
        own_orgs: tuple[str | None, ...] = tuple(sorted(self._own_orgs)) or (None,)
        for account in (OWN_ACCOUNT, *sorted(settings.own_accounts)):
            arn = f"arn:aws:iam::{account}:role/isl-caller"
            callers.append(Caller("own", account, "your own account", (arn,), own_orgs))
        return callers

    # -- external ids ---------------------------------------------------------------------------

    def _external_ids(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        pinned: list[str] = []
        patterns: list[str] = []
        for group in self.groups:
            for entry in group.first.conditions:
                if entry.key_lower != _XID:
                    continue
                if entry.unknown_values() and not entry.operator.negated:
                    pinned.append(PinnedUnknown("the unresolved external id"))
                for value in entry.literal_strings():
                    if "${" in value and self.variables:
                        continue
                    like = entry.operator.base in ("StringLike", "StringNotLike")
                    (patterns if like and ("*" in value or "?" in value) else pinned).append(value)
        pinned = list(dict.fromkeys(pinned)) or [Fresh("isl-vendor-given-id")]
        other = [_OTHER_TENANT, *(instance_of(p) for p in patterns if instance_of(p) not in pinned)]
        return tuple(pinned), tuple(dict.fromkeys(other))

    def _xid_requests(self, choice: ExternalIdChoice) -> tuple[Request, ...]:
        if choice == "none":
            return ({},)
        values = self._pinned if choice == "pinned" else self._other
        return tuple({_XID: (value,)} for value in values)

    # -- the question ---------------------------------------------------------------------------

    def _known(self, caller: Caller) -> bool:
        """One of our own callers, which live as long as the keys taken from their ids."""
        return id(caller) in self._caller_ids

    def can_assume(self, caller: Caller, external_id: ExternalIdChoice, mfa: bool) -> Answer:
        if not self._known(caller):
            return self._can_assume(caller, external_id, mfa)
        key = (id(caller), external_id, mfa)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = self._can_assume(caller, external_id, mfa)
        return found

    def _can_assume(self, caller: Caller, external_id: ExternalIdChoice, mfa: bool) -> Answer:
        results: list[Truth] = []
        allowing: dict[int, _Group] = {}
        known = self._known(caller)
        for arn in caller.arns:
            plan = self._plans.get((id(caller), arn)) if known else None
            if plan is None:
                relevant = [(g, self._principal(g.first, caller, arn)) for g in self.groups]
                plan = self._plan([(g, p) for g, p in relevant if p is not False])
                if known:
                    self._plans[(id(caller), arn)] = plan
            if plan.reads == () and () in plan.decided and caller.orgs and self._xid_requests(external_id):
                # the statements read no key of the request: each request below has the answer made
                results.append(self._decide(plan, {}, allowing))
                continue
            for org in caller.orgs:
                base: dict[str, tuple[str, ...]] = {"aws:principalarn": (arn,)}
                if caller.account is not None:
                    base["aws:principalaccount"] = (caller.account,)
                else:
                    base["aws:principalaccount"] = (Hidden(str(arn)),)
                if org is not None:
                    base["aws:principalorgid"] = (org,)
                    base["aws:principalorgpaths"] = self._paths(org)
                for xid in self._xid_requests(external_id):
                    for mfa_request in _WITH_MFA if mfa else _WITHOUT_MFA:
                        request = {**base, **xid, **mfa_request}
                        results.append(self._decide(plan, request, allowing))
        truth = any_of(results)
        members = tuple(s for g in allowing.values() for s in g.members) if truth is not False else ()
        return Answer(truth, members)

    def _paths(self, org: str) -> tuple[str, ...]:
        found = [f"{org}/r-isl0/ou-isl0-isl00000/"]
        for value, pattern in self._entries_on("aws:principalorgpaths"):
            candidate = instance_of(value) if pattern else value
            if candidate.split("/", 1)[0] == org:
                found.append(candidate)
        return tuple(dict.fromkeys(found))

    def _plan(self, relevant: list[tuple[_Group, Truth]]) -> _Plan:
        """What ``_decide`` needs of the relevant statements, whatever the request."""
        denies = [(g, p) for g, p in relevant if g.first.effect != "Allow"]
        allows = [(g, p) for g, p in relevant if g.first.effect != "Deny"]
        deny_keys = {e.key_lower for g, _ in denies for e in g.first.conditions} - _FIXED_KEYS
        own_keys = [{e.key_lower for e in g.first.conditions} - _FIXED_KEYS - deny_keys for g, _ in allows]
        entries = [e for g, _ in [*denies, *allows] for e in g.first.conditions]
        reads = keys_read(entries)
        combinations = [self._combinations(k) for k in own_keys]
        return _Plan(denies, allows, self._combinations(deny_keys), combinations, reads, {})

    def _combinations(self, keys: set[str]) -> list[dict[str, tuple[str, ...]]] | None:
        """Every combination of the keys' values (``None``: too many), made once per set of keys."""
        frozen = frozenset(keys)
        if frozen not in self._made:
            combos = assignments(self.table, frozen)
            self._made[frozen] = list(combos) if combos is not None else None
        return self._made[frozen]

    def _decide(self, plan: _Plan, request: Request, allowing: dict[int, _Group]) -> Truth:
        """Whether the request gets in; a plan's statements read only some keys of the request, so a
        request that differs in no key they read has the same answer (the verdicts ask many)."""
        key = None if plan.reads is None else read_key(request, plan.reads)
        found = plan.decided.get(key) if key is not None else None
        if found is None:
            letting_in: dict[int, _Group] = {}
            found = (self._decide_now(plan, request, letting_in), tuple(letting_in.values()))
            if key is not None:
                plan.decided[key] = found
        for group in found[1]:
            allowing[id(group)] = group
        return found[0]

    def _decide_now(self, plan: _Plan, request: Request, allowing: dict[int, _Group]) -> Truth:
        combos = plan.deny_combinations
        if combos is None:
            return Doubt(Unknown("too many combinations of condition values to evaluate"), ())
        results: list[Truth] = []
        for combo in combos:
            full = {**request, **combo}
            denied = any_of(self._applies(g.first, p, full, "Deny") for g, p in plan.denies)
            if denied is True:
                results.append(False)
                continue
            parts: list[Truth] = []
            for (group, principal), inner in zip(plan.allows, plan.own_combinations, strict=True):
                if inner is None:
                    part: Truth = Doubt(Unknown("too many combinations of condition values to evaluate"), ())
                else:
                    part = any_of(self._applies(group.first, principal, {**full, **b}, "Allow") for b in inner)
                if all_of([part, negate(denied)]) is not False:
                    allowing[id(group)] = group
                parts.append(part)
            results.append(all_of([any_of(parts), negate(denied)]))
        return any_of(results)

    def _applies(self, statement: Statement, principal: Truth, request: Request, effect: str) -> Truth:
        doubt = effect_doubt(statement)
        parts: list[Truth] = [principal, action_applies(statement, ASSUME_ROLE)]
        if doubt is not None:
            parts.append(doubt)
        elif statement.effect != effect:
            return False
        parts.append(conditions_apply(statement, request, self.variables))
        return all_of(parts)

    def _principal(self, statement: Statement, caller: Caller, arn: str) -> Truth:
        # an unresolved Principal element stands for a principal of its own (a caller of its own class)
        hit = any_of(self._one(p, caller, arn) for p in statement.principals)
        return negate(hit) if statement.principal_element == "NotPrincipal" else hit

    def _one(self, principal: Principal, caller: Caller, arn: str) -> Truth:
        if principal.is_wildcard:
            return True
        if principal.kind != "AWS" or isinstance(principal.value, Unknown):
            return caller.stands_for == _key(principal)
        value = principal.value
        account = account_of(value).account
        if account is None:
            return caller.stands_for == _key(principal)
        if caller.account is None:
            return False
        if is_own(account, self.settings):
            return caller.kind == "own" and (account == caller.account or account == OWN_ACCOUNT)
        if account != caller.account:
            return False
        if value == account or value.endswith(":root"):
            return True
        return value == arn


def _describe(account: str, settings: Settings) -> str:
    from .vendors import registry

    vendor = registry(settings.vendors).by_account(account)
    return vendor.describe(account) if vendor else f"account {account}"
