"""The trust-policy verdicts the rules report, as answers of the evaluator.

- A third party gets in with no external id: each Allow that let it in is missing the condition
  (no ``sts:ExternalId`` entry) or has one that pins nothing.
- A third party gets in with an external id of its own choice (another tenant's, a wildcard's, a
  policy variable's): the condition pins nothing.
- An account the policy never names gets in: the wildcard principals of the Allows that let it in.
- A verdict that depends on an unresolved value is a doubt, never a pass.
"""

from __future__ import annotations

from ..records import dataclass
from .account_names import ByShape, Renaming
from .assume import Answer, Caller, ExternalIdChoice, TrustEvaluator
from .logic import Doubt
from .memo import by_content
from .settings import Settings
from .statements import ConditionEntry, Principal, Statement
from .trust import classify_external_id

_XID = "sts:externalid"


@dataclass(frozen=True)
class MissingExternalId:
    statement: Statement
    who: str
    #: Another Allow pins an external id (which does not help: Allows are ORed).
    enforced_elsewhere: bool


@dataclass(frozen=True)
class WeakExternalId:
    statement: Statement
    #: The condition that pins nothing (``None``: the statement has none, a Deny's condition failed).
    entry: ConditionEntry | None
    who: str
    reason: str


@dataclass(frozen=True)
class OpenWildcard:
    statement: Statement
    principal: Principal


@dataclass(frozen=True)
class TrustDoubt:
    doubt: Doubt
    #: What cannot be told: "the external id is enforced" or "only your accounts can assume the role".
    about: str


@dataclass(frozen=True)
class TrustVerdict:
    #: Some third party can assume the role without MFA (or it cannot be told).
    third_party: bool
    #: Third parties can assume it only with MFA: a human cross-account role.
    human_only: bool
    #: The third parties that can assume it, described.
    who: str
    #: Accounts of the third parties that can assume it.
    accounts: tuple[str, ...]
    missing: tuple[MissingExternalId, ...]
    weak: tuple[WeakExternalId, ...]
    open_wildcards: tuple[OpenWildcard, ...]
    doubts: tuple[TrustDoubt, ...]


def _who(caller: Caller, statement: Statement) -> str:
    if caller.kind == "unrelated" and statement.principal_element == "NotPrincipal":
        return "everyone except the NotPrincipal list"
    return caller.description


def _xid_entries(statement: Statement) -> list[ConditionEntry]:
    return [entry for entry in statement.conditions if entry.key_lower == _XID]


def _pins(statement: Statement) -> bool:
    return any(classify_external_id(e).state == "enforced" for e in _xid_entries(statement))


def _weak_reason(entry: ConditionEntry, variables: bool) -> str:
    if variables and any("${" in value for value in entry.literal_strings()):
        return f"{entry.operator.written} compares it with a policy variable, whose value the caller supplies"
    check = classify_external_id(entry)
    if check.state == "weak":
        return check.reason
    return f"{entry.operator.written} also matches an external id other than the one the vendor generated for you"


class _Collector:
    def __init__(self, evaluator: TrustEvaluator) -> None:
        self.evaluator = evaluator
        self.missing: dict[tuple[object, ...], tuple[Statement, list[str]]] = {}
        self.weak: dict[tuple[object, ...], tuple[Statement, ConditionEntry | None, list[str], str]] = {}
        self.wildcards: dict[tuple[object, ...], OpenWildcard] = {}
        #: One per place in the policy; the questions it leaves open are joined.
        self.doubts: dict[tuple[object, ...], TrustDoubt] = {}
        self.deny_entries = [
            entry
            for group in evaluator.groups
            if group.first.effect == "Deny"
            for statement in group.members
            for entry in _xid_entries(statement)
        ]

    def doubt(self, answer: Answer, about: str) -> None:
        if not isinstance(answer.truth, Doubt):
            return
        key = (answer.truth.path, str(answer.truth.reason))
        found = self.doubts.get(key)
        if found is None:
            self.doubts[key] = TrustDoubt(answer.truth, about)
        elif about not in found.about:
            self.doubts[key] = TrustDoubt(found.doubt, f"{found.about}, or whether {about}")

    def no_external_id(self, caller: Caller, answer: Answer) -> None:
        for statement in answer.allowing:
            entries = _xid_entries(statement)
            who = _who(caller, statement)
            if not entries:
                self.missing.setdefault(statement.path, (statement, []))[1].append(who)
            for entry in entries:
                reason = _weak_reason(entry, self.evaluator.variables)
                self.weak.setdefault(entry.path, (statement, entry, [], reason))[2].append(who)

    def other_external_id(self, caller: Caller, answer: Answer) -> None:
        for statement in answer.allowing:
            who = _who(caller, statement)
            entries = _xid_entries(statement) or self.deny_entries
            for entry in entries:
                reason = _weak_reason(entry, self.evaluator.variables)
                self.weak.setdefault(entry.path, (statement, entry, [], reason))[2].append(who)
            if not entries:
                reason = "another tenant's external id is accepted"
                self.weak.setdefault(statement.path, (statement, None, [], reason))[2].append(who)


@by_content
def judge_trust(data: object, settings: Settings) -> TrustVerdict:
    """Who can assume a role with this trust policy (once per identical policy and settings, and once
    per policies that differ only in the third-party accounts their principals name)."""
    return _SHAPES.get(data, settings, lambda: _judge(data, settings), keep=lambda verdict: not verdict.doubts)


def _judge(data: object, settings: Settings) -> TrustVerdict:
    evaluator = TrustEvaluator(data, settings)
    collect = _Collector(evaluator)
    who: list[str] = []
    accounts: list[str] = []
    third_party = False
    with_mfa_only = False
    for caller in evaluator.callers("vendor", "unresolved", "unrelated"):
        none = evaluator.can_assume(caller, "none", mfa=False)
        other = evaluator.can_assume(caller, "own-choice", mfa=False)
        pinned = evaluator.can_assume(caller, "pinned", mfa=False)
        answers = (none, other, pinned)
        if any(a.truth is not False for a in answers):
            third_party = True
            who.extend(_who(caller, s) for a in answers for s in a.allowing)
            if caller.account is not None and caller.kind == "vendor":
                accounts.append(caller.account)
        elif any(evaluator.can_assume(caller, e, mfa=True).truth is not False for e in ("none", "pinned")):
            with_mfa_only = True
        if none.truth is True:
            collect.no_external_id(caller, none)
        elif other.truth is True:
            collect.other_external_id(caller, other)
        else:
            collect.doubt(none, "the external id is enforced")
            collect.doubt(other, "the external id is enforced")
        if caller.kind == "unrelated":
            _wildcards(evaluator, caller, collect)
    pinned_statements = [s for g in evaluator.groups if g.first.effect == "Allow" for s in g.members if _pins(s)]
    return TrustVerdict(
        third_party=third_party,
        human_only=with_mfa_only and not third_party,
        who=", ".join(dict.fromkeys(who)),
        accounts=tuple(dict.fromkeys(accounts)),
        missing=tuple(
            MissingExternalId(s, ", ".join(dict.fromkeys(names)), any(p is not s for p in pinned_statements))
            for s, names in collect.missing.values()
        ),
        weak=tuple(
            WeakExternalId(s, entry, ", ".join(dict.fromkeys(names)), reason)
            for s, entry, names, reason in collect.weak.values()
        ),
        open_wildcards=tuple(collect.wildcards.values()),
        doubts=tuple(collect.doubts.values()),
    )


def _wildcards(evaluator: TrustEvaluator, caller: Caller, collect: _Collector) -> None:
    choices: tuple[ExternalIdChoice, ...] = ("none", "own-choice", "pinned")
    for choice in choices:
        for mfa in (False, True):
            answer = evaluator.can_assume(caller, choice, mfa)
            collect.doubt(answer, "only the accounts it names can assume the role")
            if answer.truth is not True:
                continue
            for statement in answer.allowing:
                if statement.principal_element != "Principal":
                    continue
                for principal in statement.principals:
                    if principal.is_wildcard:
                        collect.wildcards.setdefault(principal.path, OpenWildcard(statement, principal))


# -- policies that differ only in the accounts they name (``account_names``) ----------------------


def _renamed(verdict: TrustVerdict, renaming: Renaming) -> TrustVerdict:
    """``verdict``, made for a policy of the same shape, for the renaming's: its statements, its accounts."""
    text, mine = renaming.text, renaming.statement
    return TrustVerdict(
        third_party=verdict.third_party,
        human_only=verdict.human_only,
        who=text(verdict.who),
        accounts=tuple(renaming.account(a) for a in verdict.accounts),
        missing=tuple(MissingExternalId(mine(m.statement), text(m.who), m.enforced_elsewhere) for m in verdict.missing),
        weak=tuple(
            WeakExternalId(
                mine(w.statement),
                renaming.entry(w.entry) if w.entry is not None else None,
                text(w.who),
                text(w.reason),
            )
            for w in verdict.weak
        )
        if verdict.weak
        else (),
        open_wildcards=tuple(
            OpenWildcard(mine(o.statement), renaming.principal(o.principal)) for o in verdict.open_wildcards
        )
        if verdict.open_wildcards
        else (),
        doubts=(),
    )


#: Verdicts by shape (a doubt is not renamed: its verdict is not kept).
_SHAPES = ByShape(_renamed)
