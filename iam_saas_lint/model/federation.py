"""Web-identity trust: which OIDC issuer a role trusts and whether its claims are pinned.

An external id does not apply to ``sts:AssumeRoleWithWebIdentity``; what binds a token to one
customer is a condition on the claim that names the customer (GitHub's ``sub`` = ``repo:OWNER/…``)
or, for issuers whose audience is the customer's own app or pool, on ``aud``.
"""

from __future__ import annotations

import re
from typing import Literal

from ..records import dataclass, replace
from .issuers import Issuer, SubjectClaim, has_wildcard, is_own_provider, issuer_for, normalise_host
from .memo import by_content
from .settings import Settings
from .statements import ConditionEntry, Principal, Statement, grants_action, parse_operator, statements_of
from .values import Unknown

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
#: "owner": the owner is pinned but the repository (or service account, workspace…) is a wildcard.
ClaimState = Literal["pinned", "owner", "unknown", "weak", "missing"]
_RANK: dict[ClaimState, int] = {"pinned": 4, "owner": 3, "unknown": 2, "weak": 1, "missing": 0}
_STRING_MATCH = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike"})
#: Prefixes of global condition keys, never an issuer (``aws:SourceIp``, ``sts:RoleSessionName``).
_GLOBAL_PREFIXES = frozenset({"aws", "sts", "iam", "saml"})


@dataclass(frozen=True)
class ClaimCheck:
    state: ClaimState
    #: The condition entry the verdict is about (``None`` when the claim is not tested at all).
    entry: ConditionEntry | None = None
    reason: str = ""


@dataclass(frozen=True)
class WebIdentityGrant:
    """One ``Federated`` OIDC principal of an Allow that grants ``sts:AssumeRoleWithWebIdentity``."""

    statement: Statement
    principal: Principal
    #: The issuer host (``token.actions.githubusercontent.com``); ``None`` when unknown.
    host: str | None
    #: How the issuer is written before ``:claim`` in this account's condition keys: the provider URL
    #: without its scheme, trailing slash kept (``login.app.env0.com/:sub``).
    key_prefix: str | None
    #: Why the host could not be told (the principal's unresolved value).
    host_unknown: Unknown | None
    #: The host was read from the condition keys because the principal itself is unresolved.
    inferred: bool
    issuer: Issuer | None
    own: bool
    #: ``None`` when the issuer needs no subject pinned.
    subject: ClaimCheck | None
    #: ``None`` when the issuer's audience is not the customer's own.
    audience: ClaimCheck | None

    @property
    def shown_host(self) -> str:
        return self.host or str(self.host_unknown)


def _issuer_of_value(value: str) -> str | None:
    """The issuer a Federated principal value names, as IAM writes it in condition keys; ``None`` for a
    SAML provider (not web identity)."""
    if ":saml-provider/" in value:
        return None
    marker = ":oidc-provider/"
    written = value.split(marker, 1)[1] if marker in value else value
    return written.split("://", 1)[-1]


def _key_parts(key: str) -> tuple[str, str, str] | None:
    """Host, claim and issuer as written of a condition key (``https://gitlab.com:sub`` -> ``gitlab.com``,
    ``sub``, ``gitlab.com``)."""
    prefix, colon, claim = key.rpartition(":")
    if not colon or not prefix or not claim:
        return None
    host = normalise_host(prefix)
    if host.lower() in _GLOBAL_PREFIXES or "." not in host:
        return None
    return host, claim.lower(), prefix.split("://", 1)[-1]


def _issuers_in_conditions(statement: Statement) -> list[tuple[str, str]]:
    """(host, as written) of the issuers the condition keys name."""
    found = {p[0].lower(): (p[0], p[2]) for entry in statement.conditions if (p := _key_parts(entry.key))}
    return list(found.values())


def claim_entries(statement: Statement, host: str, claims: tuple[str, ...]) -> list[ConditionEntry]:
    wanted = {c.lower() for c in claims}
    return [
        entry
        for entry in statement.conditions
        if (parts := _key_parts(entry.key)) is not None and parts[0].lower() == host.lower() and parts[1] in wanted
    ]


def _operator_verdict(entry: ConditionEntry, what: str) -> ClaimCheck | None:
    """What the operator alone decides: ``None`` when it compares the claim as a string."""
    op = entry.operator
    if not op.recognised:
        return ClaimCheck("unknown", entry, f"operator {op.written!r} is not an IAM condition operator")
    if not op.canonical:
        return ClaimCheck("unknown", entry, f"operator {op.written!r} is not spelled as AWS documents it")
    if op.qualifier == "ForAllValues":
        return ClaimCheck("weak", entry, f"{op.written} is true when the {what} is absent")
    if op.if_exists:
        return ClaimCheck("weak", entry, f"{op.written} is true when the {what} is absent")
    if op.base == "Null":
        return ClaimCheck("weak", entry, f"Null only checks that the {what} is present")
    if op.negated:
        return ClaimCheck("weak", entry, f"{op.written} in an Allow accepts every other {what}")
    if op.base not in _STRING_MATCH:
        return ClaimCheck("weak", entry, f"{op.written} does not compare the {what} as a string")
    if entry.values_unknown is None and not entry.values:
        return ClaimCheck("weak", entry, f"an empty value list pins no {what}")
    return None


def _owner_prefix(owner: re.Pattern[str], value: str) -> bool:
    found = owner.match(value)
    return found is not None and bool(found.group("owner"))


def _subject_value(value: str, subject: SubjectClaim) -> ClaimState:
    """``pinned``, ``owner`` or ``weak`` for one ``StringLike`` value."""
    best: ClaimState = "weak"
    for shape in subject.shapes:
        owner = shape.owner.match(value)
        if owner is None or has_wildcard(owner.group("owner")):
            continue
        if shape.repository is None:
            return "pinned"
        repository = shape.repository.match(value)
        if repository is not None and not has_wildcard(repository.group("repository")):
            return "pinned"
        best = "owner"
    return best


def check_subject_entry(entry: ConditionEntry, subject: SubjectClaim) -> ClaimCheck:
    decided = _operator_verdict(entry, "subject")
    if decided is not None:
        return decided
    exact = entry.operator.base != "StringLike"
    if exact and not subject.customizable:
        # An exact value (or a parameter compared exactly) names one subject; wildcards are literal here.
        return ClaimCheck("pinned", entry)
    if exact:
        # Customers choose the claims their subjects are built from, in any order: only a value that
        # starts with the owner names a subject no one else can produce.
        for value in entry.literal_strings():
            if not any(_owner_prefix(shape.owner, value) for shape in subject.shapes):
                return ClaimCheck(
                    "weak",
                    entry,
                    f'{entry.operator.written} "{value}" does not start with the {subject.scope} '
                    f"({subject.example.split(':', 1)[0]}:…): such a subject is never issued, or any owner can "
                    "produce it with a custom subject template",
                )
        return ClaimCheck("pinned", entry)
    unknown = entry.unknown_values()
    states = [(value, _subject_value(value, subject)) for value in entry.literal_strings()]
    for value, state in states:
        if state == "weak":
            return ClaimCheck("weak", entry, f'StringLike "{value}" does not pin the {subject.scope}')
    if unknown:
        return ClaimCheck("unknown", entry, f"the subject pattern is unresolved ({unknown[0]}) and may be a wildcard")
    for value, state in states:
        if state == "owner":
            return ClaimCheck("owner", entry, f'StringLike "{value}" pins the {subject.scope} but not the repository')
    return ClaimCheck("pinned", entry)


def check_audience_entry(entry: ConditionEntry) -> ClaimCheck:
    decided = _operator_verdict(entry, "audience")
    if decided is not None:
        return decided
    if entry.operator.base != "StringLike":
        return ClaimCheck("pinned", entry)
    for value in entry.literal_strings():
        if has_wildcard(value):
            return ClaimCheck("weak", entry, f'StringLike "{value}" accepts other audiences')
    unknown = entry.unknown_values()
    if unknown:
        return ClaimCheck("unknown", entry, f"the audience pattern is unresolved ({unknown[0]}) and may be a wildcard")
    return ClaimCheck("pinned", entry)


def _combine(checks: list[ClaimCheck], statement: Statement) -> ClaimCheck:
    """Conditions are ANDed: the strongest entry decides."""
    if not checks:
        if statement.conditions_unknown is not None:
            return ClaimCheck("unknown", None, f"the Condition is unresolved ({statement.conditions_unknown})")
        return ClaimCheck("missing")
    best = max(checks, key=lambda check: _RANK[check.state])
    if _RANK[best.state] < _RANK["unknown"] and statement.conditions_unknown is not None:
        return ClaimCheck("unknown", None, f"the Condition is unresolved ({statement.conditions_unknown})")
    return best


def _grant(statement: Statement, principal: Principal, settings: Settings) -> WebIdentityGrant | None:
    value = principal.value
    host: str | None = None
    written: str | None = None
    host_unknown: Unknown | None = None
    inferred = False
    if isinstance(value, str):
        written = _issuer_of_value(value)
        if written is None:
            return None
        host = normalise_host(written)
    else:
        candidates = _issuers_in_conditions(statement)
        if len(candidates) == 1:
            (host, written), inferred = candidates[0], True
        else:
            host_unknown = value
    issuer = issuer_for(host) if host is not None else None
    own = host is not None and is_own_provider(host, settings.own_identity_providers)
    subject: ClaimCheck | None = None
    audience: ClaimCheck | None = None
    if issuer is not None and host is not None:
        if issuer.subject is not None and issuer.subject.required:
            entries = claim_entries(statement, host, (issuer.subject.claim,))
            subject = _combine([check_subject_entry(e, issuer.subject) for e in entries], statement)
        if issuer.audience is not None and issuer.audience.shared:
            entries = claim_entries(statement, host, (issuer.audience.claim, *issuer.audience.also))
            audience = _combine([check_audience_entry(e) for e in entries], statement)
    return WebIdentityGrant(statement, principal, host, written, host_unknown, inferred, issuer, own, subject, audience)


_POSITIVE = {"StringNotEquals": "StringEquals", "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
             "StringNotLike": "StringLike"}  # fmt: skip


def _deny_pin(deny: Statement, grant: WebIdentityGrant) -> ClaimCheck | None:
    """What a Deny of every other subject (``StringNotLike sub`` and nothing else) pins for a grant."""
    issuer, host = grant.issuer, grant.host
    if issuer is None or issuer.subject is None or host is None or deny.conditions_unknown is not None:
        return None
    if grants_action(deny, WEB_IDENTITY) is not True or not deny.principals or len(deny.conditions) != 1:
        return None
    for principal in deny.principals:
        covers = principal.is_wildcard or (
            principal.kind == "Federated"
            and isinstance(principal.value, str)
            and (written := _issuer_of_value(principal.value)) is not None
            and normalise_host(written).lower() == host.lower()
        )
        if not covers:
            return None
    (entry,) = deny.conditions
    op = entry.operator
    if not claim_entries(deny, host, (issuer.subject.claim,)) or not op.canonical or op.qualifier or op.if_exists:
        return None
    positive = _POSITIVE.get(op.base)
    if positive is None:
        return None
    check = check_subject_entry(replace(entry, operator=parse_operator(positive)), issuer.subject)
    return replace(check, entry=entry) if check.state in ("pinned", "owner") else None


def _with_denies(grants: list[WebIdentityGrant], denies: list[Statement]) -> list[WebIdentityGrant]:
    result = []
    for grant in grants:
        subject = grant.subject
        if subject is not None and subject.state in ("missing", "weak", "owner"):
            for deny in denies:
                pinned = _deny_pin(deny, grant)
                if pinned is not None and _RANK[pinned.state] > _RANK[subject.state]:
                    subject = pinned
            grant = replace(grant, subject=subject)
        result.append(grant)
    return result


def web_identity_grants(data: object, settings: Settings) -> tuple[WebIdentityGrant, ...]:
    """The Federated OIDC principals that Allow statements let call ``sts:AssumeRoleWithWebIdentity``;
    a Deny of every subject but the owner's pins the subject for all of them."""
    statements = statements_of(data)
    if not any(
        principal.kind == "Federated"
        for statement in statements
        if statement.principal_element == "Principal"
        for principal in statement.principals
    ):
        return ()  # a policy without Federated principals, most trust policies: nothing to remember
    return _web_identity_grants(data, settings)


@by_content  # once per identical document and settings
def _web_identity_grants(data: object, settings: Settings) -> tuple[WebIdentityGrant, ...]:
    grants: list[WebIdentityGrant] = []
    denies: list[Statement] = []
    for statement in statements_of(data):
        if statement.is_deny and statement.principal_element == "Principal":
            denies.append(statement)
        may_allow = statement.is_allow or isinstance(statement.effect, Unknown)
        if not may_allow or statement.principal_element != "Principal":
            continue
        if grants_action(statement, WEB_IDENTITY) is False:
            continue
        for principal in statement.principals:
            if principal.kind != "Federated":
                continue
            grant = _grant(statement, principal, settings)
            if grant is not None:
                grants.append(grant)
    return tuple(_with_denies(grants, denies) if denies and grants else grants)
