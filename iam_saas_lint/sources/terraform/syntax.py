"""The syntax-neutral nodes the evaluator works on: bodies, blocks, attributes and expressions.

Two front ends build them: ``native`` (tree-sitter-hcl, for ``.tf``/``.tofu``/``.tfvars``) and
``json_syntax`` (Terraform's JSON syntax, for ``.tf.json``/``.tofu.json``). Every node carries the
span it was written at, in its own file; nothing after the front ends looks at text or parse trees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...model.values import Span

#: Turns a span inside a template's text (lines and columns from 1) into a span of its file.
Placer = Callable[[Span], Span]


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, a boolean, ``null`` or a string without interpolations."""

    value: object
    span: Span


@dataclass(frozen=True, slots=True)
class Interpolation:
    expr: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Directive:
    """A ``%{…}`` template directive: not evaluated."""

    span: Span


TemplatePart = str | Interpolation | Directive


@dataclass(frozen=True, slots=True)
class Template:
    """A quoted template: literal text and interpolations, joined into a string."""

    parts: tuple[TemplatePart, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TemplateText:
    """A template kept as text: a heredoc's body or a string of Terraform's JSON syntax.

    Its value may be a JSON document (a policy in a heredoc), whose parts are placed with ``placer``.
    """

    text: str
    placer: Placer = field(compare=False)
    span: Span
    dedent: bool = False
    #: Where a JSON document in the text may start: heredocs always, strings only with ``{`` or ``[``.
    heredoc: bool = True


@dataclass(frozen=True, slots=True)
class TupleExpr:
    elements: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ObjectItem:
    #: The key as written: a bare name (``a = 1``) is a ``Name`` that stands for its text.
    key: Expr
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple[ObjectItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Name:
    """A bare identifier: the root of a reference, or an object key."""

    name: str
    span: Span


#: ("attr", name) | ("key", int) for ``a.0`` | ("index", Expr) | ("splat", tuple of steps)
Step = tuple[str, Any]


@dataclass(frozen=True, slots=True)
class Traversal:
    """``root.a[0].b``: a root (a ``Name`` for references) and its steps."""

    root: Expr
    steps: tuple[Step, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    expand_final: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Conditional:
    condition: Expr
    if_true: Expr
    if_false: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Unary:
    operator: str
    operand: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Binary:
    operator: str
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class ForExpr:
    """``[for k, v in c : v if p]`` (``key`` is None) or ``{for k, v in c : k => v... if p}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None
    value: Expr
    condition: Expr | None
    grouping: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Parens:
    expr: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Unsupported:
    """What the front end does not turn into an expression; evaluates to an unknown saying so."""

    description: str
    span: Span


Expr = (
    Literal
    | Template
    | TemplateText
    | TupleExpr
    | ObjectExpr
    | Name
    | Traversal
    | Call
    | Conditional
    | Unary
    | Binary
    | ForExpr
    | Parens
    | Unsupported
)


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    #: From the name to the end of the value.
    span: Span


@dataclass
class Body:
    """The attributes and nested blocks of a block (or of a file)."""

    file: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, kind: str) -> list[Block]:
        return [block for block in self.blocks if block.kind == kind]


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    body: Body
    span: Span

    @property
    def file(self) -> str:
        return self.body.file


def is_literal(expr: Expr) -> bool:
    """A value written out (a number, a list, an object), not computed."""
    while isinstance(expr, Parens):
        expr = expr.expr
    return isinstance(expr, (TupleExpr, ObjectExpr)) or (
        isinstance(expr, Literal) and isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool)
    )
