"""Terraform's operators on evaluated values (``==``, arithmetic, comparisons)."""

from __future__ import annotations

from ...model.values import Unknown
from .values import JsonText, ResourceAttr, first_unknown


def describe(value: object) -> str:
    return str(value) if isinstance(value, Unknown) else f"a {type(value).__name__}"


def unknown_operand(value: object, operator: str) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Unknown(f"the operator {operator} on {describe(value)}")


#: Terraform's numbers have 512 bits of precision; larger results are not computed.
_MAX_NUMBER = 2**512


def binary(operator: str, left: object, right: object) -> object:
    result = _binary(operator, left, right)
    if isinstance(result, int) and not isinstance(result, bool) and abs(result) > _MAX_NUMBER:
        return Unknown(f"a number too large to compute (the operator {operator})")
    return result


def _binary(operator: str, left: object, right: object) -> object:
    for side in (left, right):
        unknown = first_unknown(side)
        if unknown is not None:
            return unknown
    left, right = _plainish(left), _plainish(right)
    if operator == "==":
        return (left == right and type(left) is type(right)) or _numbers_equal(left, right)
    if operator == "!=":
        return not ((left == right and type(left) is type(right)) or _numbers_equal(left, right))
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
    if not numbers:
        return Unknown(f"the operator {operator} on non-numbers")
    assert isinstance(left, (int, float)) and isinstance(right, (int, float))
    if operator in ("<", ">", "<=", ">="):
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[operator]
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator == "/" and right:
        return left / right
    if operator == "%" and right:
        return left % right
    return Unknown(f"the operator {operator}")


def _numbers_equal(left: object, right: object) -> bool:
    numeric = (int, float)
    return (
        isinstance(left, numeric)
        and isinstance(right, numeric)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
        and left == right
    )


def _plainish(value: object) -> object:
    if isinstance(value, (ResourceAttr, JsonText)):
        return value.text()
    return value
