"""Values of CloudFormation's intrinsic functions that stand for something else (``AWS::NoValue``),
and how unresolved parts are written in messages."""

from __future__ import annotations

from typing import Final

from ...model.values import Unknown


class NoValue:
    """``AWS::NoValue``: the element it stands in for is removed."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = NoValue()


def shown(raw: object) -> str:
    """How an unresolved part of a string is written in messages: ``${Name}``."""
    if isinstance(raw, dict) and len(raw) == 1:
        ((key, arg),) = raw.items()
        if key == "Ref" and isinstance(arg, str):
            return "${" + arg + "}"
        if key == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return "${" + ".".join(arg) + "}"
        return "${" + str(key) + "}"
    return "${...}"


def truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def shown_keys(keys: list[object]) -> str:
    return "/".join(key if isinstance(key, str) else shown(key) for key in keys)


def scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def unknown_in(value: object, otherwise: str) -> Unknown:
    return value if isinstance(value, Unknown) else Unknown(otherwise)


def first_unknown(value: object) -> Unknown | None:
    """The first unknown inside a value (lists and maps walked iteratively)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None
