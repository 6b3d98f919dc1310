"""Where an expression is evaluated (file, resource instance, iteration names) and tree helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ...model.values import JsonPath, Span, Unknown
from ..text.jsonfile import bounded_int
from .module import Declaration, Node
from .values import Places, first_unknown

Step = tuple[str, Any]


@dataclass(frozen=True)
class Instance:
    declaration: Declaration
    key: object  # None (single), int (count), str (for_each) or Unknown
    each_value: object
    address: str
    iteration: str | None  # "count" | "for_each" | None

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
    #: For an interpolation parsed on its own: where its text starts in the file (line, column).
    origin: tuple[int, int] | None = None

    def with_names(self, **names: object) -> Scope:
        return replace(self, names={**self.names, **names})


@dataclass(frozen=True)
class BadJsonText:
    """A heredoc or file that starts like JSON but does not parse."""

    text: str | Unknown
    message: str
    span: Span


def _attr_name(get_attr: Node) -> str:
    return str(get_attr.children[-1].token.value)


def _accessor_step(node: Node) -> Step:
    name = type(node).__name__
    if name == "GetAttrRule":
        return ("attr", _attr_name(node))
    if name == "ShortIndexRule":
        return ("key", bounded_int(str(node.index.value)))
    return ("index", node.index_expression)


def flatten(node: Node) -> tuple[Node, list[Step]]:
    """A traversal ``a.b[0].c`` as its root node and its steps."""
    steps: list[Step] = []
    while True:
        name = type(node).__name__
        if name == "ExprTermRule" and not node.parentheses:
            node = node.expression
        elif name == "GetAttrExprTermRule":
            steps.append(("attr", _attr_name(node.get_attr)))
            node = node.expr_term
        elif name == "IndexExprTermRule":
            steps.append(_accessor_step(node.children[1]))
            node = node.children[0]
        elif name in ("AttrSplatExprTermRule", "FullSplatExprTermRule"):
            steps.append(("splat", [_accessor_step(item) for item in node.attr_splat.get_attrs]))
            node = node.expr_term
        else:
            steps.reverse()
            return node, steps


def sub_places(places: Places, prefix: JsonPath) -> Places:
    size = len(prefix)
    return {path[size:]: span for path, span in places.items() if path[:size] == prefix}


def mount(places: Places, prefix: JsonPath, inner: Places) -> None:
    for path, span in inner.items():
        places[prefix + path] = span


def iterate(value: object) -> list[tuple[object, object]] | Unknown:
    """(key, value) pairs of a collection, in Terraform's order; ``Unknown`` when it cannot be told."""
    unknown = first_unknown(value)
    if isinstance(value, dict):
        if unknown is not None and any(isinstance(k, Unknown) for k in value):
            return unknown
        return sorted(value.items(), key=lambda item: str(item[0]))
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, Unknown):
        return value
    return Unknown(f"cannot iterate over {type(value).__name__}")


def is_literal(node: Node) -> bool:
    root, steps = flatten(node)
    name = type(root).__name__
    if name in ("IntLitRule", "TupleRule", "ObjectRule") and not steps:
        return True
    return name == "ExprTermRule" and is_literal(root.expression)


def shift(span: Span, file: str, first_line: int, first_column: int) -> Span:
    """A span in a template's text as a span in its file (the text starts at ``first_line``)."""
    column = span.column + (first_column if span.line == 1 else 0)
    end_column = span.end_column + (first_column if span.end_line == 1 else 0)
    return Span(span.line + first_line - 1, column, span.end_line + first_line - 1, end_column, file)
