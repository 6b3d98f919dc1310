"""Normalised statements: every scalar-or-list, element spelling and operator form made uniform."""

from __future__ import annotations

import re
from functools import lru_cache

from ..records import dataclass
from .memo import Memo, content_key, on_forget
from .values import JsonPath, Unknown

Value = str | Unknown

CANONICAL_OPERATORS = frozenset(
    {
        "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
        "StringLike", "StringNotLike",
        "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
        "NumericGreaterThan", "NumericGreaterThanEquals",
        "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
        "DateGreaterThan", "DateGreaterThanEquals",
        "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
        "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
    }
)  # fmt: skip
NEGATED_OPERATORS = frozenset(
    {
        "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
        "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike",
    }
)  # fmt: skip
_CANONICAL_BY_LOWER = {name.lower(): name for name in CANONICAL_OPERATORS}


@dataclass(frozen=True)
class Operator:
    """A condition operator split into its parts, e.g. ``ForAnyValue:StringLikeIfExists``."""

    written: str
    qualifier: str | None  # "ForAllValues" | "ForAnyValue" | None
    base: str  # canonical base name, or the written base when unrecognised
    if_exists: bool
    recognised: bool  # a known operator
    canonical: bool  # spelled exactly as AWS documents it

    @property
    def negated(self) -> bool:
        return self.base in NEGATED_OPERATORS


@lru_cache(maxsize=512, typed=True)  # typed: the operator keeps its spelling, which may be sensitive
def parse_operator(written: str) -> Operator:
    qualifier: str | None = None
    rest = written
    canonical = True
    if ":" in rest:
        prefix, rest = rest.split(":", 1)
        for known in ("ForAllValues", "ForAnyValue"):
            if prefix.lower() == known.lower():
                qualifier = known
                canonical = canonical and prefix == known
                break
        else:
            return Operator(written, None, written, False, False, False)
    if_exists = False
    if rest.lower().endswith("ifexists") and rest.lower() != "ifexists":
        if_exists = True
        canonical = canonical and rest.endswith("IfExists")
        rest = rest[: -len("IfExists")]
    base = _CANONICAL_BY_LOWER.get(rest.lower())
    if base is None:
        return Operator(written, qualifier, rest, if_exists, False, False)
    return Operator(written, qualifier, base, if_exists, True, canonical and base == rest)


@dataclass(frozen=True)
class Principal:
    """One principal value. ``kind`` is ``*`` for a bare ``"*"`` principal."""

    kind: str | Unknown  # "*", "AWS", "Service", "Federated", "CanonicalUser", other text
    value: Value
    path: JsonPath  # inside the document

    @property
    def is_wildcard(self) -> bool:
        return self.kind == "*" or (self.kind == "AWS" and self.value == "*")


@dataclass(frozen=True)
class ConditionEntry:
    operator: Operator
    key: str  # as written
    values: tuple[object, ...]  # str | bool | int | float | Unknown
    values_unknown: Unknown | None  # the whole value list could not be resolved
    path: JsonPath  # of the key, inside the document

    @property
    def key_lower(self) -> str:
        return self.key.lower()

    def literal_strings(self) -> list[str]:
        return [str(v).lower() if isinstance(v, bool) else str(v) for v in self.values if not isinstance(v, Unknown)]

    def unknown_values(self) -> list[Unknown]:
        found = [v for v in self.values if isinstance(v, Unknown)]
        if self.values_unknown is not None:
            found.append(self.values_unknown)
        return found


@dataclass(frozen=True)
class Statement:
    path: JsonPath  # inside the document
    effect: Value | None
    principal_element: str | None  # "Principal" | "NotPrincipal" | None
    principals: tuple[Principal, ...]
    principals_unknown: Unknown | None
    action_element: str | None  # "Action" | "NotAction" | None
    actions: tuple[Value, ...]
    resource_element: str | None
    resources: tuple[Value, ...]
    conditions: tuple[ConditionEntry, ...]
    conditions_unknown: Unknown | None

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def is_deny(self) -> bool:
        return self.effect == "Deny"

    def conditions_on(self, key: str) -> list[ConditionEntry]:
        lowered = key.lower()
        return [entry for entry in self.conditions if entry.key_lower == lowered]


#: A statement's elements as AWS spells them (the grammar allows no others): a block whose keys are all
#: among them has no other spelling.
STATEMENT_ELEMENTS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)


def _element(block: dict[str, object], name: str, spelled_as_aws: bool = False) -> tuple[str, object] | None:
    """Find an element by name, case-insensitively (the grammar rule reports odd spellings);
    ``spelled_as_aws``: every key of ``block`` is one of ``STATEMENT_ELEMENTS``."""
    if name in block:
        return name, block[name]
    if spelled_as_aws:
        return None
    lowered = name.lower()
    for key, value in block.items():
        if isinstance(key, str) and key.lower() == lowered:
            return key, value
    return None


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _values(value: object) -> tuple[Value, ...]:
    if isinstance(value, str):  # the usual one name (``"Action": "sts:AssumeRole"``)
        return (value,)
    result: list[Value] = []
    for item in _as_list(value):
        if isinstance(item, (str, Unknown)):
            result.append(item)
        elif isinstance(item, bool):
            result.append(str(item).lower())
        elif isinstance(item, (int, float)):
            result.append(str(item))
        else:
            result.append(Unknown(f"unexpected value {item!r}"))
    return tuple(result)


def _principals(value: object, base: JsonPath) -> tuple[tuple[Principal, ...], Unknown | None]:
    if isinstance(value, Unknown):
        return (Principal(value, value, base),), value
    if isinstance(value, str):
        if value == "*":
            return (Principal("*", "*", base),), None
        return (Principal(Unknown(f"principal {value!r} has no type"), value, base),), None
    if not isinstance(value, dict):
        unknown = Unknown("principal is not an object")
        return (Principal(unknown, unknown, base),), unknown
    found: list[Principal] = []
    for kind, raw in value.items():
        items = raw if isinstance(raw, list) else [raw]
        for index, item in enumerate(items):
            path = base + (kind, index) if isinstance(raw, list) else base + (kind,)
            if isinstance(item, (Unknown, str)):
                found.append(Principal(kind, item, path))
            else:
                found.append(Principal(kind, Unknown(f"principal value {item!r}"), path))
    return tuple(found), None


#: Condition entries (operator and key pairs) of one statement that are evaluated. AWS takes policies
#: of at most 10,240 characters, so no deployable statement comes near; 100,000 of them, each asked
#: about every request, took 20 s. Past this the statement's conditions are unknown (ISL009).
MAX_CONDITION_ENTRIES = 1000


def _conditions(value: object, base: JsonPath) -> tuple[tuple[ConditionEntry, ...], Unknown | None]:
    if value is None:
        return (), None
    if isinstance(value, Unknown):
        return (), value
    if not isinstance(value, dict):
        return (), Unknown("Condition is not an object")
    size = 0
    for block in value.values():  # a loop, not sum() of a generator: most conditions hold one block
        size += len(block) if isinstance(block, dict) else 1
    if size > MAX_CONDITION_ENTRIES:  # each would be evaluated for every request the evaluator asks about
        return (), Unknown(f"a Condition of {size:,} entries, over the {MAX_CONDITION_ENTRIES:,} evaluated")
    entries: list[ConditionEntry] = []
    unknown: Unknown | None = None
    for operator_name, block in value.items():
        if isinstance(operator_name, Unknown):
            unknown = operator_name
            continue
        operator = parse_operator(str(operator_name))
        if isinstance(block, Unknown):
            unknown = block
            continue
        if not isinstance(block, dict):
            continue
        for key, raw in block.items():
            if isinstance(key, Unknown):
                unknown = key
                continue
            path = base + (operator_name, key)
            if isinstance(raw, Unknown):
                entries.append(ConditionEntry(operator, str(key), (), raw, path))
            else:
                entries.append(ConditionEntry(operator, str(key), tuple(_as_list(raw)), None, path))
    return tuple(entries), unknown


def _pick(block: dict[str, object], spelled_as_aws: bool, *names: str) -> tuple[str | None, object]:
    for name in names:
        found = _element(block, name, spelled_as_aws)
        if found is not None:
            return name, found[1]
    return None, None


def parse_statement(block: dict[str, object], path: JsonPath) -> Statement:
    spelled_as_aws = block.keys() <= STATEMENT_ELEMENTS
    effect_found = _element(block, "Effect", spelled_as_aws)
    effect: Value | None = None
    if effect_found is not None:
        raw_effect = effect_found[1]
        effect = raw_effect if isinstance(raw_effect, (str, Unknown)) else Unknown(f"Effect {raw_effect!r}")
    principal_element, principal_value = _pick(block, spelled_as_aws, "Principal", "NotPrincipal")
    principals: tuple[Principal, ...] = ()
    principals_unknown = None
    if principal_element is not None:
        principals, principals_unknown = _principals(principal_value, path + (principal_element,))
    action_element, action_value = _pick(block, spelled_as_aws, "Action", "NotAction")
    resource_element, resource_value = _pick(block, spelled_as_aws, "Resource", "NotResource")
    condition_found = _element(block, "Condition", spelled_as_aws)
    conditions, conditions_unknown = (
        _conditions(condition_found[1], path + (condition_found[0],)) if condition_found else ((), None)
    )
    return Statement(
        path=path,
        effect=effect,
        principal_element=principal_element,
        principals=principals,
        principals_unknown=principals_unknown,
        action_element=action_element,
        actions=_values(action_value) if action_element else (),
        resource_element=resource_element,
        resources=_values(resource_value) if resource_element else (),
        conditions=conditions,
        conditions_unknown=conditions_unknown,
    )


def unknown_statement(reason: Unknown, path: JsonPath) -> Statement:
    """A statement the reader could not resolve: it may allow or deny anything, for anyone."""
    return Statement(
        path=path,
        effect=reason,
        principal_element="Principal",
        principals=(Principal(reason, reason, path),),
        principals_unknown=reason,
        action_element="Action",
        actions=(reason,),
        resource_element="Resource",
        resources=(reason,),
        conditions=(),
        conditions_unknown=reason,
    )


#: The statements of the inventory's documents, by identity: every rule and verdict asks for the same
#: document's statements. Forgotten with ``memo.forget`` before the engine checks another inventory.
_PARSED: dict[int, tuple[object, tuple[Statement, ...]]] = {}
on_forget(_PARSED.clear)


#: The statements of documents by content (``memo.content_key``): statements hold only what the
#: document says, with paths inside it, so identical documents (thousands of roles written from one
#: template) share them, as they share the verdicts made of them.
_BY_CONTENT: Memo[tuple[Statement, ...]] = Memo()


def statements_of(data: object) -> list[Statement]:
    """The statements of a policy document; malformed parts are left to the grammar rule, and
    unresolved ones become statements that may do anything (never a silent pass)."""
    parsed = _PARSED.get(id(data))
    if parsed is not None and parsed[0] is data:
        return list(parsed[1])
    text = content_key(data) if isinstance(data, dict) else None
    found = _BY_CONTENT.get(text) if text is not None else None
    if found is None:
        found = tuple(_statements_of(data))
        if text is not None:
            _BY_CONTENT.put(text, found)
    _PARSED[id(data)] = (data, found)  # the entry keeps ``data`` alive, so its id is not reused
    return list(found)


def _statements_of(data: object) -> list[Statement]:
    if isinstance(data, Unknown):
        return [unknown_statement(data, ())]
    if not isinstance(data, dict):
        return []
    found = _element(data, "Statement")
    if found is None:
        return []
    key, value = found
    if isinstance(value, Unknown):
        return [unknown_statement(value, (key,))]
    if isinstance(value, dict):
        return [parse_statement(value, (key,))]
    if not isinstance(value, list):
        return []
    found_statements = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            found_statements.append(parse_statement(item, (key, index)))
        elif isinstance(item, Unknown):
            found_statements.append(unknown_statement(item, (key, index)))
    return found_statements


_WILDCARD_CACHE: dict[str, re.Pattern[str]] = {}


def wildcard_matches(pattern: str, text: str) -> bool:
    """IAM's ``*``/``?`` matching, case-insensitive (used for action names)."""
    compiled = _WILDCARD_CACHE.get(pattern)
    if compiled is None:
        regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        compiled = re.compile(regex, re.IGNORECASE | re.DOTALL)
        _WILDCARD_CACHE[pattern] = compiled
    return compiled.fullmatch(text) is not None


def grants_action(statement: Statement, action: str) -> bool | Unknown:
    """Whether the statement's Action/NotAction covers ``action``."""
    if statement.action_element is None:
        return False
    unknown: Unknown | None = None
    matched = False
    for value in statement.actions:
        if isinstance(value, Unknown):
            unknown = value
        elif wildcard_matches(value, action):
            matched = True
    if statement.action_element == "NotAction":
        if matched:
            return False
        return unknown if unknown is not None else True
    if matched:
        return True
    return unknown if unknown is not None else False
