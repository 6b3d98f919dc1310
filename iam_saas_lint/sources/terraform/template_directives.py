"""Template directives: ``%{ if }``/``%{ else }``/``%{ endif }`` and ``%{ for }``/``%{ endfor }``,
with the ``~`` strip markers, in heredocs, ``file()`` text and ``templatefile()`` templates.

The template becomes its text (a JSON policy in it is then read from that text, placed at the
template). A condition that is not a boolean, a collection that is not resolved, or a directive
Terraform does not know makes the whole template unknown, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...model.values import Unknown
from ...records import dataclass, field, replace
from .scope import iterate
from .templates import Piece, strip_first_line, strip_last_line
from .values import as_text

_FOR = re.compile(r"^for\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?in\s+(.+)$", re.DOTALL)
#: Directive nesting and loop iterations rendered, over which the template is unknown.
MAX_DEPTH = 32
MAX_ITERATIONS = 10_000

#: Evaluates an expression piece with extra names bound.
Evaluate = Callable[[Piece, dict[str, object]], object]


@dataclass
class _Node:
    opening: Piece | None  # None for the template itself
    body: list[object] = field(default_factory=list)  # str | Piece | _Node
    else_piece: Piece | None = None
    otherwise: list[object] = field(default_factory=list)
    closing: Piece | None = None


class DirectiveError(Exception):
    pass


def _expression(piece: Piece, keyword_length: int) -> Piece:
    rest = piece.text[keyword_length:]
    skipped = keyword_length + len(rest) - len(rest.lstrip())
    return replace(piece, kind="interpolation", text=rest.strip(), text_start=piece.text_start + skipped)


def _word(piece: Piece | None) -> str:
    return piece.text.split(None, 1)[0] if piece is not None and piece.text else ""


def _tree(text: str, pieces: list[Piece]) -> _Node:
    root = _Node(None)
    stack = [root]
    position = 0
    for piece in pieces:
        node = stack[-1]
        target = node.otherwise if node.else_piece is not None else node.body
        target.append(text[position : piece.start])
        position = piece.end
        word = _word(piece)
        if piece.kind != "directive":
            target.append(piece)
        elif word in ("if", "for"):
            child = _Node(piece)
            target.append(child)
            stack.append(child)
            if len(stack) > MAX_DEPTH:
                raise DirectiveError(f"template directives nested more than {MAX_DEPTH} deep")
        elif piece.text == "else" and _word(node.opening) == "if" and node.else_piece is None:
            node.else_piece = piece
        elif piece.text in ("endif", "endfor") and _word(node.opening) == piece.text[3:]:
            node.closing = piece
            stack.pop()
        else:
            raise DirectiveError(f"the template directive %{{{piece.text}}} is out of place")
    if len(stack) > 1:
        opening = stack[-1].opening
        raise DirectiveError(f"the template directive %{{{opening.text if opening else ''}}} is not closed")
    root.body.append(text[position:])
    return root


def _branch(items: list[object], opening: Piece | None, closing: Piece | None) -> list[object]:
    """A branch's items with the whitespace the ``~`` of its delimiting directives strip."""
    items = list(items)
    if opening is not None and opening.strip_after and items and isinstance(items[0], str):
        items[0] = strip_first_line(items[0])
    if closing is not None and closing.strip_before and items and isinstance(items[-1], str):
        items[-1] = strip_last_line(items[-1])
    return items


def _strip_end(out: list[str]) -> None:
    text = "".join(out)
    out[:] = [strip_last_line(text)]


class _Renderer:
    def __init__(self, evaluate: Evaluate) -> None:
        self.evaluate = evaluate
        self.iterations = 0

    def items(self, items: list[object], names: dict[str, object], out: list[str]) -> None:
        strip_next = False
        for item in items:
            if isinstance(item, str):
                out.append(strip_first_line(item) if strip_next else item)
                strip_next = False
                continue
            piece = item.opening if isinstance(item, _Node) else item
            assert isinstance(piece, Piece)
            if piece.strip_before:
                _strip_end(out)
            if isinstance(item, _Node):
                self.node(item, names, out)
                strip_next = item.closing is not None and item.closing.strip_after
                continue
            if piece.kind == "escape":
                out.append(piece.text)
            elif piece.kind == "interpolation":
                rendered = as_text(self.evaluate(piece, names))
                if isinstance(rendered, Unknown):
                    raise DirectiveError(str(rendered))
                out.append(rendered)
            strip_next = piece.strip_after

    def node(self, node: _Node, names: dict[str, object], out: list[str]) -> None:
        piece = node.opening
        assert piece is not None
        if _word(piece) == "if":
            condition = self.evaluate(_expression(piece, 2), names)
            if not isinstance(condition, bool):
                raise DirectiveError(f"the condition of %{{{piece.text}}} is not resolved ({condition})")
            if condition:
                self.items(_branch(node.body, piece, node.else_piece or node.closing), names, out)
            elif node.else_piece is not None:
                self.items(_branch(node.otherwise, node.else_piece, node.closing), names, out)
            return
        found = _FOR.match(piece.text)
        if found is None:
            raise DirectiveError(f"the template directive %{{{piece.text}}} does not parse")
        first, second, source = found.groups()
        collection = self.evaluate(_expression(piece, piece.text.rindex(source)), names)
        pairs = iterate(collection)
        if isinstance(pairs, Unknown):
            raise DirectiveError(f"%{{{piece.text}}} iterates over an unresolved value ({pairs})")
        body = _branch(node.body, piece, node.closing)
        for key, value in pairs:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise DirectiveError(f"template loops render more than {MAX_ITERATIONS:,} iterations")
            bound = {**names, **({first: key, second: value} if second else {first: value})}
            self.items(body, bound, out)


def render_directives(text: str, pieces: list[Piece], evaluate: Evaluate) -> str | Unknown:
    """The template's text with its directives carried out; ``Unknown`` (with why) when it cannot be."""
    try:
        tree = _tree(text, pieces)
        out: list[str] = []
        _Renderer(evaluate).items(tree.body, {}, out)
    except DirectiveError as error:
        return Unknown(str(error))
    return "".join(out)
