"""IAM condition semantics: one condition entry judged against one request context.

A request context maps lower-case key names to the tuple of values the request carries; a key
that is not in it is absent. Operators, ``IfExists``, ``ForAllValues:``/``ForAnyValue:``, negation
and policy variables follow the IAM reference (``reference_policies_elements_condition_operators``
and ``…_multi-value-conditions``); values the readers could not resolve make the answer a ``Doubt``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import lru_cache

from ..patterns import lazy_compile
from .cidrs import parse_cidr
from .logic import Doubt, Truth, all_of, any_of, negate
from .statements import ConditionEntry, Operator
from .values import Unknown

Request = Mapping[str, tuple[str, ...]]


class Fresh(str):
    """A value the caller chose that equals nothing the policy names, not even an unresolved value
    (an external id the vendor generated for another customer)."""

    __slots__ = ()


class Hidden(str):
    """A value the request carries that the linter cannot know (the account or ARN of a principal
    written as an unresolved value). That principal is a third party of its own, whoever the policy
    names: a comparison with it matches (``aws:PrincipalArn`` narrowing to a role of that account)."""

    __slots__ = ()


class PinnedUnknown(str):
    """The external id a role pins to a value the readers could not resolve (a parameter): the vendor
    presents exactly that value."""

    __slots__ = ()


class OneOf(str):
    """A value the request carries that may be spelled several ways (the role's own account: the
    placeholder for "this account" or a configured own account); it equals each spelling."""

    spellings: frozenset[str]

    def __new__(cls, spellings: frozenset[str]) -> OneOf:
        made = super().__new__(cls, sorted(spellings)[0] if spellings else "")
        made.spellings = spellings
        return made


#: Negated operators and the positive operator whose result they invert.
_POSITIVE_OF = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_VARIABLE = lazy_compile(r"\$\{([^}]*)\}")
_SUBSTITUTED_BY = {"*": "*", "?": "?", "$": "$"}


def operator_doubt(entry: ConditionEntry) -> str:
    """Why the operator itself cannot be judged, or ``""``."""
    op = entry.operator
    if not op.recognised:
        return f"operator {op.written!r} is not an IAM condition operator"
    if not op.canonical:
        return f"operator {op.written!r} is not spelled as AWS documents it"
    return ""


def evaluate(entry: ConditionEntry, request: Request, variables: bool = True) -> Truth:
    """Whether one ``operator: {key: values}`` entry holds for the request."""
    op = entry.operator
    why = operator_doubt(entry)
    if why:
        return Doubt(Unknown(why), entry.path)
    present = request.get(entry.key_lower)
    if op.base == "Null":
        return _null(entry, present)
    if present is None:
        if op.if_exists or op.qualifier == "ForAllValues":
            return True
        if op.qualifier == "ForAnyValue":
            return False
        return op.negated
    if variables and _missing_variable(entry, request):
        return False  # a variable whose key the request lacks (and no default) makes the condition false
    positive = _POSITIVE_OF.get(op.base, op.base)
    if op.qualifier == "ForAllValues":
        return all_of(_single(op, positive, entry, value, request, variables) for value in present)
    return any_of(_single(op, positive, entry, value, request, variables) for value in present)


def _single(op: Operator, positive: str, entry: ConditionEntry, value: str, request: Request, variables: bool) -> Truth:
    values = entry.values if entry.values_unknown is None else (*entry.values, entry.values_unknown)
    matched = any_of(_match(positive, value, policy_value, request, variables, entry) for policy_value in values)
    return negate(matched) if op.negated else matched


def _missing_variable(entry: ConditionEntry, request: Request) -> bool:
    base = entry.operator.base
    if not (base.startswith("String") or base.startswith("Arn")):
        return False
    return any(
        isinstance(value, str) and "${" in value and substitute(value, request, like=False) is None
        for value in entry.values
    )


def _null(entry: ConditionEntry, present: tuple[str, ...] | None) -> Truth:
    if entry.values_unknown is not None:
        return Doubt(entry.values_unknown, entry.path)
    results: list[Truth] = []
    for value in entry.values:
        if isinstance(value, Unknown):
            results.append(Doubt(value, entry.path))
        else:
            wanted_absent = str(value).lower() == "true"
            results.append((present is None or present == ()) == wanted_absent)
    return any_of(results)


def _match(
    base: str, value: str, policy_value: object, request: Request, variables: bool, entry: ConditionEntry
) -> Truth:
    if isinstance(value, Hidden):
        return True
    if isinstance(value, OneOf):
        return any_of(_match(base, spelling, policy_value, request, variables, entry) for spelling in value.spellings)
    if isinstance(policy_value, Unknown):
        if isinstance(value, PinnedUnknown) and base in ("StringEquals", "StringEqualsIgnoreCase", "StringLike"):
            return True
        if isinstance(value, Fresh) and base in ("StringEquals", "StringEqualsIgnoreCase"):
            return False
        return Doubt(policy_value, entry.path)
    text = str(policy_value).lower() if isinstance(policy_value, bool) else str(policy_value)
    if base.startswith("String") or base.startswith("Arn"):
        if variables and "${" in text:
            substituted = substitute(text, request, like=base in ("StringLike", "ArnLike", "ArnEquals"))
            if substituted is None:
                return False
            text = substituted
        elif base in ("StringLike", "ArnLike", "ArnEquals"):
            text = _escape_like(text)
        if isinstance(value, Fresh) and variables and "${" in str(policy_value):
            return True  # the caller supplies the value the variable stands for
    if base == "StringEquals":
        return value == text
    if base == "StringEqualsIgnoreCase":
        return value.casefold() == text.casefold()
    if base == "StringLike":
        return _like(text, value, ignore_case=False)
    if base in ("ArnEquals", "ArnLike"):
        return _arn_like(text, value)
    if base == "Bool":
        return value.lower() == text.lower()
    if base == "BinaryEquals":
        return value == text
    if base == "IpAddress":
        return _in_network(value, text)
    if base.startswith("Numeric"):
        return _compare(base[len("Numeric") :], _number(value), _number(text))
    if base.startswith("Date"):
        return _compare(base[len("Date") :], _date(value), _date(text))
    return Doubt(Unknown(f"operator {base} is not evaluated"), entry.path)


def _escape_like(text: str) -> str:
    """Policy text for the wildcard matcher: ``*`` and ``?`` stay wildcards (marked with NUL)."""
    return text.replace("*", "\0*").replace("?", "\0?")


def substitute(text: str, request: Request, like: bool) -> str | None:
    """Replace ``${key}`` and ``${key, 'default'}`` with the request's value; ``None`` when a key is
    absent without a default (the comparison then matches nothing)."""
    parts: list[str] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        literal = text[position : found.start()]
        parts.append(_escape_like(literal) if like else literal)
        inner = found.group(1)
        if inner in _SUBSTITUTED_BY:
            parts.append(_SUBSTITUTED_BY[inner])
        else:
            name, _, default = inner.partition(",")
            values = request.get(name.strip().lower())
            if values:
                parts.append(values[0])
            elif default.strip().startswith("'") and default.strip().endswith("'") and len(default.strip()) >= 2:
                parts.append(default.strip()[1:-1])
            else:
                return None
        position = found.end()
    tail = text[position:]
    parts.append(_escape_like(tail) if like else tail)
    return "".join(parts)


@lru_cache(maxsize=4096)
def _like_pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\0" and index + 1 < len(pattern):
            regex.append(".*" if pattern[index + 1] == "*" else ".")
            index += 2
            continue
        regex.append(re.escape(char))
        index += 1
    return re.compile("".join(regex), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _like(pattern: str, value: str, ignore_case: bool) -> bool:
    return _like_pattern(pattern, ignore_case).fullmatch(value) is not None


def _arn_like(pattern: str, value: str) -> bool:
    wanted = pattern.split(":", 5)
    given = value.split(":", 5)
    if len(wanted) != 6 or len(given) != 6:
        return False
    return all(_like(w, g, ignore_case=False) for w, g in zip(wanted, given, strict=True))


def _ipv4_number(text: str) -> int | None:
    """A dotted quad as ``ipaddress`` reads one (no leading zeros), as a number; else ``None``."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    number = 0
    for part in parts:
        if not (part.isascii() and part.isdigit()) or len(part) > 3 or (len(part) > 1 and part[0] == "0"):
            return None
        octet = int(part)
        if octet > 255:
            return None
        number = number * 256 + octet
    return number


def in_network(value: str, text: str) -> bool:
    """Whether ``IpAddress`` matches the address ``value`` with the policy's CIDR ``text``."""
    return _in_network(value, text)


@lru_cache(maxsize=4096)  # the evaluator asks the same few (address, CIDR) pairs again and again
def _in_network(value: str, text: str) -> bool:
    import ipaddress

    network = parse_cidr(text).network
    if network is None:
        return False
    number = _ipv4_number(value) if network.version == 4 else None
    if number is not None:  # a different address of every role's own pieces: no address object
        return int(network.network_address) <= number <= int(network.broadcast_address)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return address.version == network.version and address in network


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    try:
        return float(text)  # epoch seconds
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _compare(relation: str, left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return False
    return {
        "Equals": left == right,
        "LessThan": left < right,
        "LessThanEquals": left <= right,
        "GreaterThan": left > right,
        "GreaterThanEquals": left >= right,
    }.get(relation, False)
