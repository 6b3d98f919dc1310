"""The instances of a resource or data source, from its ``count`` or ``for_each``, as Terraform makes them.

A count of 0 or an empty collection makes no instance: the resource does not exist, whether the
value is written out or comes from a variable, tfvars or a local. An unresolved count or key set
makes one instance of unknown key that *may* not exist (``Instance.maybe`` says why): it is never
taken for the first instance. Past ``MAX_INSTANCES`` the instances are read as one of unknown key
(all of them exist), never cut.
"""

from __future__ import annotations

import math
from typing import Protocol

from ...model.values import Unknown
from .module import Declaration
from .scope import Instance, Scope, iterate
from .syntax import Expr
from .values import Invalid, first_unknown, format_key

MAX_INSTANCES = 256


class Evaluator(Protocol):
    def value(self, node: Expr, scope: Scope) -> object: ...


def _whole_number(value: object) -> int | None:
    """``count`` as Terraform converts it: a whole number, or a string that spells one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip()) if value.strip() else None
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None


def expand(evaluator: Evaluator, declaration: Declaration) -> list[Instance]:
    base = declaration.address
    attributes = declaration.block.body.attributes
    scope = Scope(declaration.file)
    if "count" in attributes:
        value = evaluator.value(attributes["count"].expr, scope)
        count = _whole_number(value)
        if count is None:
            why = value if isinstance(value, Unknown) else Invalid(f"count = {value!r} is not a whole number")
            reason = Unknown(f"the count of {base} is not resolved ({why})")
            return [Instance(declaration, reason, None, f"{base}[count.index]", "count", maybe=reason)]
        if count > MAX_INSTANCES:
            index = Unknown(f"count.index of {base}: {count:,} instances, over the {MAX_INSTANCES} read one by one")
            return [Instance(declaration, index, None, f"{base}[count.index]", "count")]
        return [Instance(declaration, i, None, f"{base}[{i}]", "count") for i in range(count)]
    if "for_each" in attributes:
        collection = evaluator.value(attributes["for_each"].expr, scope)
        pairs = iterate(collection)
        if isinstance(pairs, list) and len(pairs) > MAX_INSTANCES:
            many = f"{len(pairs):,} instances, over the {MAX_INSTANCES} read one by one"
            key, value = Unknown(f"each.key of {base}: {many}"), Unknown(f"each.value of {base}: {many}")
            return [Instance(declaration, key, value, f"{base}[each.key]", "for_each")]
        unknown_keys = isinstance(collection, list) and first_unknown(collection) is not None
        if isinstance(pairs, Unknown) or unknown_keys:
            unresolved = pairs if isinstance(pairs, Unknown) else first_unknown(collection)
            reason = Unknown(f"the for_each of {base} is not resolved ({unresolved})")
            key, value = Unknown(f"each.key of {base}: {reason}"), Unknown(f"each.value of {base}: {reason}")
            return [Instance(declaration, key, value, f"{base}[each.key]", "for_each", maybe=reason)]
        if isinstance(collection, list):
            pairs = [(value, value) for _, value in pairs]
        return [Instance(declaration, key, value, f"{base}{format_key(key)}", "for_each") for key, value in pairs]
    return [Instance(declaration, None, None, base, None)]
