"""What a trust policy allows: who may assume the role and whether an external id binds them."""

from __future__ import annotations

from typing import Literal

from ..patterns import lazy_compile
from ..records import dataclass
from .memo import by_content
from .principals import PrincipalVerdict, classify, requires_mfa
from .settings import Settings
from .statements import ConditionEntry, Principal, Statement, grants_action, statements_of
from .values import Unknown

ASSUME_ROLE = "sts:AssumeRole"
XidState = Literal["enforced", "weak", "unknown"]

_HAS_WILDCARD = lazy_compile(r"[*?]")


@dataclass(frozen=True)
class ExternalIdCheck:
    entry: ConditionEntry
    state: XidState
    reason: str


@dataclass(frozen=True)
class AssumeGrant:
    """An Allow statement that lets a third party call ``sts:AssumeRole``."""

    statement: Statement
    third_parties: tuple[PrincipalVerdict, ...]
    requires_mfa: bool
    checks: tuple[ExternalIdCheck, ...]
    #: The whole Condition block could not be resolved.
    conditions_unknown: Unknown | None

    @property
    def external_id(self) -> Literal["enforced", "missing", "weak", "unknown"]:
        if any(check.state == "enforced" for check in self.checks):
            return "enforced"
        if self.conditions_unknown is not None or any(check.state == "unknown" for check in self.checks):
            return "unknown"
        return "weak" if self.checks else "missing"

    def who(self) -> str:
        return ", ".join(dict.fromkeys(verdict.description for verdict in self.third_parties))


@dataclass(frozen=True)
class TrustAnalysis:
    grants: tuple[AssumeGrant, ...]
    #: A Deny with ``StringNotEquals sts:ExternalId`` on every principal enforces the id for all Allows.
    enforcing_deny: Statement | None
    not_principal_allows: tuple[Statement, ...]
    service_principals: tuple[tuple[Statement, Principal], ...]
    ip_conditions: tuple[ConditionEntry, ...]

    @property
    def third_party(self) -> bool:
        return bool(self.grants)

    @property
    def human_only(self) -> bool:
        """Every third-party grant requires MFA: a human cross-account role, not a SaaS role."""
        return bool(self.grants) and all(grant.requires_mfa for grant in self.grants)


def classify_external_id(entry: ConditionEntry) -> ExternalIdCheck:
    op = entry.operator
    if not op.recognised:
        return ExternalIdCheck(entry, "unknown", f"operator {op.written!r} is not an IAM condition operator")
    if not op.canonical:
        return ExternalIdCheck(entry, "unknown", f"operator {op.written!r} is not spelled as AWS documents it")
    if op.qualifier == "ForAllValues":
        return ExternalIdCheck(entry, "weak", f"{op.written} is true when the external id is absent")
    if op.if_exists:
        return ExternalIdCheck(entry, "weak", f"{op.written} is true when the external id is absent")
    if op.base == "Null":
        return ExternalIdCheck(entry, "weak", "Null only checks that some external id is present")
    if op.negated:
        return ExternalIdCheck(entry, "weak", f"{op.written} in an Allow matches every other external id and none")
    if op.base in {"StringEquals", "StringEqualsIgnoreCase"} and entry.unknown_values():
        # Pinned to a value the linter cannot see (a parameter): enforced whatever the value is.
        return ExternalIdCheck(entry, "enforced", "")
    if entry.values_unknown is not None:
        return ExternalIdCheck(entry, "unknown", f"the external id value is unresolved ({entry.values_unknown})")
    if not entry.values:
        return ExternalIdCheck(entry, "weak", "an empty value list pins no external id")
    if op.base in {"StringEquals", "StringEqualsIgnoreCase"}:
        return ExternalIdCheck(entry, "enforced", "")
    if op.base == "StringLike":
        literal = entry.literal_strings()
        if any(_HAS_WILDCARD.search(value) for value in literal):
            return ExternalIdCheck(entry, "weak", f"{op.written} with a wildcard accepts any matching external id")
        if entry.unknown_values():
            unknown = entry.unknown_values()[0]
            return ExternalIdCheck(
                entry, "unknown", f"StringLike value is unresolved ({unknown}) and may be a wildcard"
            )
        return ExternalIdCheck(entry, "enforced", "")
    return ExternalIdCheck(entry, "weak", f"{op.written} does not compare the external id as a string")


def _enforcing_deny(statement: Statement) -> bool:
    if not statement.is_deny or statement.principal_element != "Principal":
        return False
    if grants_action(statement, ASSUME_ROLE) is not True:
        return False
    if not all(p.is_wildcard for p in statement.principals) or not statement.principals:
        return False
    if statement.conditions_unknown is not None or not statement.conditions:
        return False
    for entry in statement.conditions:
        op = entry.operator
        if entry.key_lower != "sts:externalid" or not op.canonical or op.qualifier is not None:
            return False
        if op.base not in {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike"}:
            return False
        if not entry.values or entry.values_unknown is not None:
            return False
        if op.base == "StringNotLike" and any(_HAS_WILDCARD.search(v) for v in entry.literal_strings()):
            return False
    return True


@by_content  # once per identical document and settings
def analyze_trust(data: object, settings: Settings) -> TrustAnalysis:
    grants: list[AssumeGrant] = []
    enforcing_deny: Statement | None = None
    not_principal_allows: list[Statement] = []
    services: list[tuple[Statement, Principal]] = []
    ip_conditions: list[ConditionEntry] = []
    for statement in statements_of(data):
        if _enforcing_deny(statement):
            enforcing_deny = statement
        may_allow = statement.is_allow or isinstance(statement.effect, Unknown)
        if not may_allow or statement.principal_element is None:
            continue
        if grants_action(statement, ASSUME_ROLE) is False:
            continue
        conditioned = bool(statement.conditions)
        if conditioned:
            ip_conditions.extend(statement.conditions_on("aws:SourceIp"))
        if statement.principal_element == "NotPrincipal":
            not_principal_allows.append(statement)
        verdicts = [classify(p, statement, settings) for p in statement.principals]
        third = tuple(v for v in verdicts if v is not None and v.third_party)
        services.extend((statement, p) for p in statement.principals if p.kind == "Service")
        if not third:
            continue
        checks: tuple[ExternalIdCheck, ...] = ()
        mfa = False
        if conditioned:
            checks = tuple(classify_external_id(e) for e in statement.conditions_on("sts:ExternalId"))
            mfa = requires_mfa(statement)
        grants.append(AssumeGrant(statement, third, mfa, checks, statement.conditions_unknown))
    return TrustAnalysis(
        tuple(grants), enforcing_deny, tuple(not_principal_allows), tuple(services), tuple(ip_conditions)
    )
