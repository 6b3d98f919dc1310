"""Where an expression is evaluated (file, resource instance, iteration names) and place helpers."""

from __future__ import annotations

from collections.abc import Mapping

from ...model.values import JsonPath, Span, Unknown
from ...records import dataclass, field, replace
from .module import Declaration
from .values import Places, first_unknown


@dataclass(frozen=True)
class Instance:
    declaration: Declaration
    key: object  # None (single), int (count), str (for_each) or Unknown
    each_value: object
    address: str
    iteration: str | None  # "count" | "for_each" | None
    #: Why the instance may not exist (its count or key set is not resolved); None when it does.
    maybe: Unknown | None = None

    @property
    def file(self) -> str:
        return self.declaration.file

    def scope(self) -> Scope:
        return Scope(self.declaration.file, self)


@dataclass(frozen=True)
class Scope:
    file: str
    instance: Instance | None = None
    names: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)
    #: In a ``templatefile()`` template only the template's variables exist.
    template: bool = False

    def with_names(self, **names: object) -> Scope:
        return replace(self, names={**self.names, **names})


@dataclass(frozen=True)
class BadJsonText:
    """A heredoc or file that starts like JSON but does not parse."""

    text: str | Unknown
    message: str
    span: Span


def sub_places(places: Places, prefix: JsonPath) -> Places:
    size = len(prefix)
    return {path[size:]: span for path, span in places.items() if path[:size] == prefix}


def mount(places: Places, prefix: JsonPath, inner: Places) -> None:
    for path, span in inner.items():
        places[prefix + path] = span


def iterate(value: object) -> list[tuple[object, object]] | Unknown:
    """(key, value) pairs of a collection, in Terraform's order; ``Unknown`` when it cannot be told."""
    if isinstance(value, dict):
        if any(isinstance(k, Unknown) for k in value):
            return first_unknown(value) or Unknown("a map with an unresolved key")
        return sorted(value.items(), key=lambda item: str(item[0]))
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, Unknown):
        return value
    return Unknown(f"cannot iterate over {type(value).__name__}")


def shift(span: Span, file: str, first_line: int, first_column: int) -> Span:
    """A span in a template's text as a span in its file (the text starts at ``first_line``)."""
    column = span.column + (first_column if span.line == 1 else 0)
    end_column = span.end_column + (first_column if span.end_line == 1 else 0)
    return Span(span.line + first_line - 1, column, span.end_line + first_line - 1, end_column, file)
