"""Three-valued truth for the evaluator: ``True``, ``False`` or a ``Doubt`` naming the unresolved value."""

from __future__ import annotations

from collections.abc import Iterable

from ..records import dataclass
from .values import JsonPath, Unknown


@dataclass(frozen=True)
class Doubt:
    """The outcome depends on a value the readers could not resolve (``reason``), found at ``path``
    inside the document the evaluator was judging."""

    reason: Unknown
    path: JsonPath


Truth = bool | Doubt


def all_of(parts: Iterable[Truth]) -> Truth:
    """AND: false wins over doubt, doubt over true."""
    doubt: Doubt | None = None
    for part in parts:
        if part is False:
            return False
        if isinstance(part, Doubt) and doubt is None:
            doubt = part
    return doubt if doubt is not None else True


def any_of(parts: Iterable[Truth]) -> Truth:
    """OR: true wins over doubt, doubt over false."""
    doubt: Doubt | None = None
    for part in parts:
        if part is True:
            return True
        if isinstance(part, Doubt) and doubt is None:
            doubt = part
    return doubt if doubt is not None else False


def negate(value: Truth) -> Truth:
    return value if isinstance(value, Doubt) else not value
