"""Representative request contexts, and whether a statement applies to one.

The values a request may carry for a key are derived from the policies' own values: each literal
a condition names, an instance of each wildcard pattern, the numbers and dates on either side of
each bound, the first and last address of each CIDR and the addresses just outside, a fresh value
that matches nothing, and absence. Any verdict over those values holds for every value.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ..records import dataclass
from .cidrs import parse_cidr
from .conditions import Request, evaluate, substitute
from .logic import Doubt, Truth, all_of, any_of
from .statements import ConditionEntry, Statement, grants_action, wildcard_matches
from .values import Unknown

FRESH_TEXT = "isl-fresh-value"
FRESH_ARN = "arn:aws:iam::000000000404:role/isl-fresh"
#: Combinations of free condition-key values tried for one question; beyond it the answer is a doubt.
MAX_COMBINATIONS = 4096
_ABSENT: tuple[str, ...] | None = None


def instance_of(pattern: str) -> str:
    """A value a ``*``/``?`` pattern matches, other than the pattern's literal text."""
    return pattern.replace("*", "isl").replace("?", "q")


def _shifted(text: str) -> list[str]:
    try:
        number = float(text)
    except ValueError:
        return [text]
    return [text, repr(number - 1), repr(number + 1)]


def _date_shifted(text: str) -> list[str]:
    from .conditions import _date

    moment = _date(text)
    if moment is None:
        return [text]
    return [text, repr(moment - 1), repr(moment + 1)]


def _addresses(text: str) -> list[str]:
    network = parse_cidr(text).network
    if network is None:
        return []
    import ipaddress

    found = [str(network.network_address), str(network.broadcast_address)]
    top = 2**32 - 1 if network.version == 4 else 2**128 - 1
    before, after = int(network.network_address) - 1, int(network.broadcast_address) + 1
    for number in (before, after):
        if 0 <= number <= top:
            found.append(str(ipaddress.ip_address(number)))
    return found


def values_for(entry: ConditionEntry, fixed: Request | None = None) -> list[str]:
    """Request values that decide this entry one way or the other; a policy variable takes its value
    from ``fixed`` (the facts of the request that do not vary) when it is there."""
    base = entry.operator.base
    found: list[str] = []
    for value in entry.values:
        if isinstance(value, Unknown):
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if base in ("IpAddress", "NotIpAddress"):
            found.extend(_addresses(text))
        elif base.startswith("Numeric"):
            found.extend(_shifted(text))
        elif base.startswith("Date"):
            found.extend(_date_shifted(text))
        elif base == "Bool":
            found.extend(("true", "false"))
        elif "${" in text:
            substituted = substitute(text, fixed, like=False) if fixed is not None else None
            if substituted is not None:
                found.append(substituted)
        else:
            found.append(text)
            if "*" in text or "?" in text:
                found.append(instance_of(text))
    if base.startswith("Arn"):
        found.append(FRESH_ARN)
    elif base not in ("IpAddress", "NotIpAddress", "Bool") and not base.startswith(("Numeric", "Date")):
        found.append(FRESH_TEXT)
    return list(dict.fromkeys(found))


def free_values(
    entries: Iterable[ConditionEntry], fixed: Request | None = None
) -> dict[str, list[tuple[str, ...] | None]]:
    """For each key, the request values to try (``None`` is absence)."""
    table: dict[str, list[tuple[str, ...] | None]] = {}
    for entry in entries:
        options = table.setdefault(entry.key_lower, [_ABSENT])
        for value in values_for(entry, fixed):
            if (value,) not in options:
                options.append((value,))
    return table


def assignments(
    table: Mapping[str, Sequence[tuple[str, ...] | None]], keys: Iterable[str]
) -> Iterator[dict[str, tuple[str, ...]]] | None:
    """Every combination of the keys' values; ``None`` when there are more than ``MAX_COMBINATIONS``."""
    chosen = sorted(set(keys))
    total = 1
    for key in chosen:
        total *= len(table[key])
    if total > MAX_COMBINATIONS:
        return None
    return (
        {key: value for key, value in zip(chosen, combination, strict=True) if value is not None}
        for combination in itertools.product(*(table[key] for key in chosen))
    )


@dataclass(frozen=True)
class Target:
    """What a request is for."""

    action: str
    resource: str | None  # ``None`` for a trust policy (no Resource element)


def action_applies(statement: Statement, action: str) -> Truth:
    found = grants_action(statement, action)
    if isinstance(found, Unknown):
        return Doubt(found, statement.path + (statement.action_element or "Action",))
    return found


def resource_applies(statement: Statement, resource: str | None) -> Truth:
    if resource is None or statement.resource_element is None:
        return resource is None or statement.resource_element is None
    doubt: Doubt | None = None
    matched = False
    for value in statement.resources:
        if isinstance(value, Unknown):
            doubt = doubt or Doubt(value, statement.path + (statement.resource_element,))
        elif value == "*" or wildcard_matches(value, resource):
            matched = True
    if statement.resource_element == "NotResource":
        return False if matched else (doubt if doubt is not None else True)
    return True if matched else (doubt if doubt is not None else False)


def conditions_apply(statement: Statement, request: Request, variables: bool) -> Truth:
    parts: list[Truth] = [evaluate(entry, request, variables) for entry in statement.conditions]
    if statement.conditions_unknown is not None:
        parts.append(Doubt(statement.conditions_unknown, statement.path + ("Condition",)))
    return all_of(parts)


def keys_read(entries: Iterable[ConditionEntry]) -> tuple[str, ...] | None:
    """The request keys these conditions read; ``None`` when a policy variable may read any."""
    found = list(entries)
    if any(isinstance(v, str) and "${" in v for entry in found for v in entry.values):
        return None
    return tuple(sorted({entry.key_lower for entry in found}))


def read_key(request: Mapping[str, tuple[object, ...]], keys: Sequence[str]) -> tuple[object, ...]:
    """What conditions that read only ``keys`` see of the request, as a key: requests with the same one
    get the same answer. A ``Fresh``, ``Hidden`` or ``OneOf`` value equals the plain text it is
    spelled as but is judged differently, so the value's type (and spellings) are part of it."""
    return tuple(
        None if values is None else tuple((type(v), v, getattr(v, "spellings", None)) for v in values)
        for values in (request.get(key) for key in keys)
    )


def effect_doubt(statement: Statement) -> Doubt | None:
    if isinstance(statement.effect, Unknown):
        return Doubt(statement.effect, statement.path + ("Effect",))
    return None


def exists(options: Iterable[Truth]) -> Truth:
    return any_of(options)
