"""The syntax-neutral nodes the evaluator works on: bodies, blocks, attributes and expressions.

Expressions are named tuples (cheap to define and to build: a module holds thousands); code tells
them apart by class, never by comparing them.

Two front ends build them: ``native`` (tree-sitter-hcl, for ``.tf``/``.tofu``/``.tfvars``) and
``json_syntax`` (Terraform's JSON syntax, for ``.tf.json``/``.tofu.json``). Every node carries the
span it was written at, in its own file; nothing after the front ends looks at text or parse trees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...model.document import Problem
from ...model.values import Span
from ...records import NamedTuple, dataclass, field

#: Turns a span inside a template's text (lines and columns from 1) into a span of its file.
Placer = Callable[[Span], Span]


class Literal(NamedTuple):
    """A number, a boolean, ``null`` or a string without interpolations."""

    value: object
    span: Span


class Interpolation(NamedTuple):
    expr: Expr
    span: Span


class Directive(NamedTuple):
    """A ``%{…}`` template directive: not evaluated."""

    span: Span


TemplatePart = str | Interpolation | Directive


class Template(NamedTuple):
    """A quoted template: literal text and interpolations, joined into a string."""

    parts: tuple[TemplatePart, ...]
    span: Span


class TemplateText(NamedTuple):
    """A template kept as text: a heredoc's body, a string of Terraform's JSON syntax, or a quoted
    string with template directives (``quoted``: its text as written, escapes not decoded).

    Its value may be a JSON document (a policy in a heredoc), whose parts are placed with ``placer``.
    """

    text: str
    placer: Placer
    span: Span
    dedent: bool = False
    #: Where a JSON document in the text may start: heredocs always, strings only with ``{`` or ``[``.
    heredoc: bool = True
    quoted: bool = False


class TupleExpr(NamedTuple):
    elements: tuple[Expr, ...]
    span: Span


class ObjectItem(NamedTuple):
    #: The key as written: a bare name (``a = 1``) is a ``Name`` that stands for its text.
    key: Expr
    value: Expr
    span: Span


class ObjectExpr(NamedTuple):
    items: tuple[ObjectItem, ...]
    span: Span


class Name(NamedTuple):
    """A bare identifier: the root of a reference, or an object key."""

    name: str
    span: Span


#: ("attr", name) | ("key", int) for ``a.0`` | ("index", Expr) | ("splat", tuple of steps)
Step = tuple[str, Any]


class Traversal(NamedTuple):
    """``root.a[0].b``: a root (a ``Name`` for references) and its steps."""

    root: Expr
    steps: tuple[Step, ...]
    span: Span


class Call(NamedTuple):
    name: str
    args: tuple[Expr, ...]
    expand_final: bool
    span: Span


class Conditional(NamedTuple):
    condition: Expr
    if_true: Expr
    if_false: Expr
    span: Span


class Unary(NamedTuple):
    operator: str
    operand: Expr
    span: Span


class Binary(NamedTuple):
    operator: str
    left: Expr
    right: Expr
    span: Span


class ForExpr(NamedTuple):
    """``[for k, v in c : v if p]`` (``key`` is None) or ``{for k, v in c : k => v... if p}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None
    value: Expr
    condition: Expr | None
    grouping: bool
    span: Span


class Parens(NamedTuple):
    expr: Expr
    span: Span


class Unsupported(NamedTuple):
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


class Attribute(NamedTuple):
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
    #: Override files merged into this block (``overrides``): their content takes part too.
    also_files: tuple[str, ...] = ()

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


@dataclass
class PendingBlock:
    """A top-level block whose header is read and whose body is turned into nodes on demand."""

    kind: str
    labels: tuple[str, ...]
    file: str
    convert: Callable[[], Block | Problem]
    #: What a ``locals`` block declares.
    names: tuple[str, ...] = ()
    #: Where the block is, when that is known without converting it (native syntax): a resource
    #: declared twice is reported from it, and converted only if the evaluation looks it up.
    span: Span | None = None


#: A variable's value from a variables file: the value (JSON files), the file, the attribute (HCL files).


def dynamic_iterator(block: Block, kind: str) -> str:
    """The name a ``dynamic`` block's content uses for the current element (its ``iterator``, else its label)."""
    node = block.body.attributes.get("iterator")
    if node is not None:
        named = node.expr
        if isinstance(named, Name):
            return named.name
        if isinstance(named, Traversal) and isinstance(named.root, Name) and not named.steps:
            return named.root.name
    return kind
