"""``Fn::FindInMap`` looked up by the deployment's region or by a parameter, enumerated like ``Fn::If``.

A map keyed by ``!Ref AWS::Region`` or ``!Ref Environment`` gives a role one shape per key: each key
is a value the input can take where it matters, so each is tried (``[map Region=eu-west-1]``)
instead of assuming the parameter's ``Default`` or giving up. Keys whose entries look up the same
values make the same role and are tried once, together (``eu-west-1|eu-west-2``). A lookup with a
``DefaultValue`` can also miss every key: that is one more choice (another value).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from ...records import dataclass
from .template import Template

REGION = "AWS::Region"


@dataclass(frozen=True)
class KeyedInput:
    """An input that maps are looked up by: its keys grouped by what they look up, and whether a
    lookup has a ``DefaultValue`` for a value that is no key."""

    groups: tuple[frozenset[str], ...]
    misses: bool

    @property
    def keys(self) -> frozenset[str]:
        return frozenset().union(*self.groups)


def shown_input(name: str) -> str:
    """How a variant names the input: ``map Region``, ``map Environment``."""
    return "map " + (name.split("::", 1)[1] if name == REGION else name)


def keyed_inputs(template: Template, material: object) -> dict[str, KeyedInput]:
    """The inputs ``Fn::FindInMap`` in ``material`` looks up by whose entries differ, in order of appearance."""
    signatures: dict[str, dict[str, list[str]]] = {}
    misses: dict[str, bool] = {}
    for name, keys, level, lookup, has_default in _lookups(template, material):
        for key, entry in keys.items():
            signatures.setdefault(name, {}).setdefault(key, []).append(_entry_text(entry, level, lookup))
        misses[name] = misses.get(name, False) or has_default
        for key in set(signatures[name]) - set(keys):  # a key this lookup does not have: a miss here
            signatures[name][key].append("\0miss")
    found: dict[str, KeyedInput] = {}
    for name, by_key in signatures.items():
        groups: dict[str, set[str]] = {}
        for key, parts in by_key.items():
            groups.setdefault("\0".join(parts), set()).add(key)
        if len(groups) > 1 or misses[name]:
            found[name] = KeyedInput(tuple(frozenset(keys) for keys in groups.values()), misses[name])
    return found


def _entry_text(entry: object, level: int, lookup: list[object]) -> str:
    """What one key's entry gives this lookup (the second key's value when it is literal)."""
    if level == 1 and isinstance(lookup[2], str) and isinstance(entry, dict):
        entry = entry.get(lookup[2], "\0miss")
    return json.dumps(entry, sort_keys=True, default=str)


def _lookups(template: Template, material: object) -> Iterator[tuple[str, dict[str, object], int, list[object], bool]]:
    """Each ``Fn::FindInMap`` by an input: (input, its keys there with their entries, level, arguments,
    whether it has a ``DefaultValue``)."""
    stack: list[object] = [material]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
            continue
        if not isinstance(value, dict):
            continue
        stack.extend(reversed(list(value.values())))
        lookup = value.get("Fn::FindInMap") if len(value) == 1 else None
        if not (isinstance(lookup, list) and len(lookup) in (3, 4) and isinstance(lookup[0], str)):
            continue
        table = template.mappings.get(lookup[0])
        if not isinstance(table, dict):
            continue
        options = lookup[3] if len(lookup) == 4 else None
        has_default = isinstance(options, dict) and "DefaultValue" in options
        for level in (1, 2):
            name = _input(template, lookup[level])
            if name is None:
                continue
            keys = _keys_at(table, level, lookup[1])
            if keys:
                yield name, keys, level, lookup, has_default


def _input(template: Template, raw: object) -> str | None:
    if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Ref"), str):
        name = str(raw["Ref"])
        if name == REGION or name in template.parameters:
            return name
    return None


def _keys_at(table: Mapping[str, object], level: int, first: object) -> dict[str, object]:
    if level == 1:
        return dict(table)
    if isinstance(first, str):
        entry = table.get(first)
        return dict(entry) if isinstance(entry, dict) else {}
    # both keys are inputs: the second level's keys of every entry
    found: dict[str, list[object]] = {}
    for entry in table.values():
        if isinstance(entry, dict):
            for key, value in entry.items():
                found.setdefault(key, []).append(value)
    return dict(found)
