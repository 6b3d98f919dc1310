"""A variable's value converted to its ``type`` constraint, as Terraform converts it.

What matters to IAM verdicts: ``optional(type, default)`` attributes of ``object`` types take their
default when the value leaves them out or sets them to null (at any depth: ``map(object(…))``,
``list(object(…))``), attributes the type does not name are dropped, and primitive values become
the primitive the type names (``1`` to ``"1"`` for a ``string``). Anything else is left as it is.
"""

from __future__ import annotations

from typing import Protocol

from ...model.values import Unknown
from .scope import Scope
from .syntax import Call, Expr, Name, ObjectExpr, Parens, Traversal, TupleExpr
from .values import Invalid, as_text


class Evaluates(Protocol):
    def value(self, node: Expr, scope: Scope) -> object: ...


def convert(evaluator: Evaluates, value: object, type_expr: Expr, scope: Scope) -> object:
    while isinstance(type_expr, Parens):
        type_expr = type_expr.expr
    if value is None or isinstance(value, Unknown):
        return value
    name = _type_name(type_expr)
    if name is not None:
        return _primitive(value, name)
    if not isinstance(type_expr, Call) or not type_expr.args:
        return value
    kind, argument = type_expr.name, type_expr.args[0]
    if kind == "object" and isinstance(argument, ObjectExpr) and isinstance(value, dict):
        return _object(evaluator, value, argument, scope)
    if kind == "map" and isinstance(value, dict):
        return {key: convert(evaluator, item, argument, scope) for key, item in value.items()}
    if kind in ("list", "set") and isinstance(value, list):
        return [convert(evaluator, item, argument, scope) for item in value]
    if kind == "tuple" and isinstance(argument, TupleExpr) and isinstance(value, list):
        kinds = argument.elements
        return [convert(evaluator, item, kinds[i], scope) if i < len(kinds) else item for i, item in enumerate(value)]
    if kind == "optional":
        return convert(evaluator, value, argument, scope)
    return value


def _object(evaluator: Evaluates, value: dict[object, object], shape: ObjectExpr, scope: Scope) -> object:
    converted: dict[object, object] = {}
    for item in shape.items:
        key = _key(item.key)
        if key is None:
            return value  # a type this reader does not follow: the value as given
        attribute_type = item.value
        optional = isinstance(attribute_type, Call) and attribute_type.name == "optional"
        given = value.get(key)
        if given is None and optional:
            assert isinstance(attribute_type, Call)
            default = evaluator.value(attribute_type.args[1], scope) if len(attribute_type.args) > 1 else None
            converted[key] = convert(evaluator, default, attribute_type.args[0], scope)
        elif key not in value:
            return Invalid(f"the object has no attribute {key!r}, which its type requires")
        else:
            converted[key] = convert(evaluator, given, attribute_type, scope)
    return converted


def _key(expr: Expr) -> str | None:
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Traversal) and isinstance(expr.root, Name) and not expr.steps:
        return expr.root.name
    found = getattr(expr, "value", None)
    return found if isinstance(found, str) else None


def _type_name(expr: Expr) -> str | None:
    name = _key(expr) if isinstance(expr, (Name, Traversal)) else None
    return name if name in ("string", "number", "bool", "any") else None


def _primitive(value: object, name: str) -> object:
    if name == "string" and isinstance(value, (bool, int, float)):
        return as_text(value)
    if name == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return Invalid(f"{value!r} is not a number")
        return int(number) if number.is_integer() else number
    if name == "bool" and value in ("true", "false"):
        return value == "true"
    return value
