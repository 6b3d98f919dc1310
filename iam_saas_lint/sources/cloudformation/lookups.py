"""``Fn::FindInMap`` resolved for one variant: a key that is an input the variant chose a map key
for (``map_keys``) looks up exactly that entry; one it leaves open looks up every entry it may be,
and the value is known only when they agree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ...model.values import JsonPath, Unknown
from .conditions import ParameterValues
from .intrinsic_values import NO_VALUE, NoValue, shown, shown_keys
from .template import Template


class Values(Protocol):
    """What a lookup needs of the resolver."""

    template: Template
    constraints: Mapping[str, ParameterValues]

    def value(self, raw: object, origin: JsonPath) -> object: ...


def _lookup_key(resolver: Values, raw: object, origin: JsonPath) -> object:
    """A ``Fn::FindInMap`` key: a text, or for an input the variant enumerates by map key, the
    keys it may be in this variant (``None`` among them: a value that is no key)."""
    name = raw.get("Ref") if isinstance(raw, dict) and len(raw) == 1 else None
    constraint = resolver.constraints.get(name) if isinstance(name, str) else None
    if constraint is None or not constraint.map_keys or (len(constraint.literals) == 1 and not constraint.other):
        return resolver.value(raw, origin)
    return frozenset(constraint.literals) | ({None} if constraint.other else set())


def find_in_map(resolver: Values, arg: object, origin: JsonPath) -> object:
    """``Fn::FindInMap``, with its ``DefaultValue``; a key the variant leaves open looks up every entry it may name."""
    if not (isinstance(arg, list) and len(arg) in (3, 4)):
        return Unknown("a malformed Fn::FindInMap (it needs [map, key, key])")
    default: object = NO_VALUE
    if len(arg) == 4:
        options = arg[3]
        if isinstance(options, dict) and "DefaultValue" in options:
            default = resolver.value(options["DefaultValue"], origin + (3, "DefaultValue"))
    keys = [_lookup_key(resolver, item, origin + (index,)) for index, item in enumerate(arg[:3])]
    candidates: list[object] = [resolver.template.mappings]
    unknown: Unknown | None = None
    missed = False
    for index, key in enumerate(keys):
        following: list[object] = []
        for candidate in candidates:
            if not isinstance(candidate, dict):
                continue
            if isinstance(key, str):
                if key in candidate:
                    following.append(candidate[key])
            elif isinstance(key, frozenset):
                following.extend(candidate[k] for k in sorted(key - {None}) if k in candidate)
                missed = missed or None in key or any(k not in candidate for k in key - {None})
                unknown = Unknown(f"{shown(arg[index])}, which may be any of several keys in this variant")
            else:
                unknown = key if isinstance(key, Unknown) else Unknown("a map key that is not text")
                following.extend(candidate.values())
        candidates = following
    values = [resolver.value(candidate, ()) for candidate in candidates]
    if missed and not isinstance(default, NoValue):
        values.append(default)
    if not values:
        if not isinstance(default, NoValue):
            return default
        return Unknown(f"Fn::FindInMap {shown_keys(arg[:3])}: no such entry in Mappings")
    if all(value == values[0] for value in values):
        return values[0]
    return Unknown(f"Fn::FindInMap {shown_keys(arg[:3])} depends on {unknown}")
