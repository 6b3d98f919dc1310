"""Who a trust-policy principal is: own account, third party, wildcard or a service."""

from __future__ import annotations

import re

from ..patterns import lazy_compile
from ..records import dataclass
from .settings import Settings
from .statements import ConditionEntry, Principal, Statement
from .values import OWN_ACCOUNT, Unknown, is_account_id
from .vendors import registry

_ARN = lazy_compile(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|[^:]*):(iam|sts)::([^:]*):(.*)$", re.DOTALL)
_UNIQUE_ID = lazy_compile(r"^A[A-Z]{3}[A-Z0-9]{12,}$")


@dataclass(frozen=True)
class AccountOf:
    account: str | None  # 12 digits, OWN_ACCOUNT, or None when it cannot be told
    why_unknown: str = ""


def account_of(value: str) -> AccountOf:
    """The account a principal string belongs to (``123…``, ``arn:…:iam::123…:…``)."""
    if is_account_id(value) or value == OWN_ACCOUNT:
        return AccountOf(value)
    arn = _ARN.match(value)
    if arn:
        account = arn.group(3)
        if is_account_id(account) or account == OWN_ACCOUNT:
            return AccountOf(account)
        return AccountOf(None, f"the account in {value!r} is not a 12-digit id")
    if _UNIQUE_ID.match(value):
        return AccountOf(None, f"{value} is a unique id (the role or user was deleted, or the id hides the account)")
    return AccountOf(None, f"{value!r} is not an account id or IAM ARN")


def is_own(account: str, settings: Settings) -> bool:
    return account == OWN_ACCOUNT or account in settings.own_accounts


@dataclass(frozen=True)
class PrincipalVerdict:
    principal: Principal
    third_party: bool
    #: A wildcard principal that no condition narrows to your organization or accounts.
    open_wildcard: bool
    #: A human-readable name: "account 123456789012", "everyone (*)", ...
    description: str
    account: str | None = None


def _positive_string(entry: ConditionEntry) -> bool:
    op = entry.operator
    return (
        op.recognised
        and not op.if_exists
        and op.qualifier != "ForAllValues"
        and op.base in {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"}
        and bool(entry.values)
        and entry.values_unknown is None
    )


def _org_of_path(value: str) -> str:
    return value.split("/", 1)[0]


def narrowed_to_own(statement: Statement, settings: Settings) -> bool:
    """Whether a wildcard principal is restricted to your organization or your accounts."""
    for entry in statement.conditions:
        if not _positive_string(entry):
            continue
        key = entry.key_lower
        literal = entry.literal_strings()
        has_unknown = bool(entry.unknown_values())
        if key in {"aws:principalorgid", "aws:principalorgpaths"}:
            orgs = [_org_of_path(v) for v in literal]
            if any(org in {"", "*"} for org in orgs):
                continue
            if not settings.own_organizations:
                return True
            if not has_unknown and all(org in settings.own_organizations for org in orgs):
                return True
        elif key == "aws:principalaccount":
            if not has_unknown and all(is_own(v, settings) for v in literal):
                return True
        elif key == "aws:principalarn":
            accounts = [account_of(v).account for v in literal]
            if not has_unknown and all(a is not None and is_own(a, settings) for a in accounts):
                return True
    return False


def classify(principal: Principal, statement: Statement, settings: Settings) -> PrincipalVerdict | None:
    """Classify one principal of an Allow; ``None`` for principals out of scope here."""
    if statement.principal_element == "NotPrincipal":
        return PrincipalVerdict(principal, True, False, "everyone except the NotPrincipal list")
    kind = principal.kind
    if principal.is_wildcard:
        if narrowed_to_own(statement, settings):
            return PrincipalVerdict(principal, False, False, "everyone in your organization")
        return PrincipalVerdict(principal, True, True, "everyone (*)")
    if isinstance(kind, Unknown) or kind == "AWS":
        value = principal.value
        if isinstance(value, Unknown):
            return _unresolved(principal, f"an unresolved principal ({value})", settings)
        if isinstance(kind, Unknown):
            return _unresolved(principal, f"{value!r} ({kind})", settings)
        found = account_of(value)
        if found.account is None:
            return _unresolved(principal, f"{value} (account unknown: {found.why_unknown})", settings)
        if is_own(found.account, settings):
            return PrincipalVerdict(principal, False, False, "your own account", found.account)
        vendor = registry(settings.vendors).by_account(found.account)
        description = vendor.describe(found.account) if vendor else f"account {found.account}"
        return PrincipalVerdict(principal, True, False, description, found.account)
    return None


def _unresolved(principal: Principal, description: str, settings: Settings) -> PrincipalVerdict:
    third_party = settings.unresolved_principals == "third-party"
    note = "treated as third-party" if third_party else "treated as your own"
    return PrincipalVerdict(principal, third_party, False, f"{description}; {note}")


def requires_mfa(statement: Statement) -> bool:
    for entry in statement.conditions_on("aws:MultiFactorAuthPresent"):
        op = entry.operator
        if op.base == "Bool" and op.recognised and not op.if_exists and op.qualifier is None:
            literal = entry.literal_strings()
            if literal and not entry.unknown_values() and all(v.lower() == "true" for v in literal):
                return True
    return False
