"""Template directives: ``%{ if }``/``%{ else }``/``%{ endif }`` and ``%{ for }``/``%{ endfor }``,
with the ``~`` strip markers, in heredocs (``<<EOT`` and ``<<-EOT``), quoted strings, strings of the
JSON syntax, ``file()`` text and ``templatefile()`` templates.

Carried out as HCL does: the template is cut into tokens (literal text, a token per line except in a
quoted string, whose literal runs are one token each; interpolations; directives); a strip marker
trims the whitespace of the literal token next to it, as written, before anything is evaluated; a
``<<-`` heredoc then loses the indentation its lines share (a line that starts with a sequence has
none, a blank line does not count). Every character of the result remembers where in the template
it was written, so a JSON policy in it is placed at its own lines. A condition that is not a boolean,
a collection that is not resolved, a directive Terraform does not know or more than
``MAX_ITERATIONS`` loop iterations make the whole template unknown, never a guess or a truncation.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Literal

from ...model.values import SensitiveText, Unknown
from ...patterns import lazy_compile
from ...records import dataclass, field, replace
from .scope import iterate
from .templates import Piece
from .values import as_text

_FOR = lazy_compile(r"^for\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?in\s+(.+)$", re.DOTALL)
_ESCAPE = lazy_compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
#: Directive nesting and loop iterations rendered, over which the template is unknown.
MAX_DEPTH = 32
MAX_ITERATIONS = 10_000

#: How literal text is cut into tokens: a line each (heredocs, JSON strings, template files), or a
#: run each with HCL's string escapes still to decode (a quoted string of the native syntax).
Mode = Literal["lines", "quoted"]
#: Evaluates an expression piece with extra names bound.
Evaluate = Callable[[Piece, dict[str, object]], object]


class DirectiveError(Exception):
    pass


@dataclass
class _Literal:
    """A literal token: its text in parts, each with the offset in the template it was written at."""

    parts: list[tuple[str, int]]

    def text(self) -> str:
        return "".join(text for text, _ in self.parts)

    def drop_front(self, count: int) -> None:
        """Remove the first ``count`` characters (the offsets of what stays keep their places)."""
        while count > 0 and self.parts:
            text, offset = self.parts[0]
            if len(text) <= count:
                count -= len(text)
                self.parts.pop(0)
            else:
                self.parts[0] = (text[count:], offset + count)
                count = 0

    def lstrip(self) -> None:
        text = self.text()
        self.drop_front(len(text) - len(text.lstrip()))

    def rstrip(self) -> None:
        keep = len(self.text().rstrip())
        kept: list[tuple[str, int]] = []
        for text, offset in self.parts:
            if keep <= 0:
                break
            kept.append((text[:keep], offset))
            keep -= len(text)
        self.parts = kept


_Token = _Literal | Piece


def _decoded(text: str, offset: int) -> list[tuple[str, int]]:
    """A quoted string's literal run with HCL's escapes decoded, each part at its written offset."""
    parts: list[tuple[str, int]] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        if match.start() > position:
            parts.append((text[position : match.start()], offset + position))
        short, long, simple = match.groups()
        code = short or long
        if code is not None:
            decoded = chr(int(code, 16)) if int(code, 16) < 0x110000 else match.group(0)
        else:
            decoded = _SIMPLE_ESCAPES.get(simple, match.group(0))
        parts.append((decoded, offset + match.start()))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], offset + position))
    return parts


def _tokens(text: str, pieces: list[Piece], mode: Mode) -> list[_Token]:
    tokens: list[_Token] = []
    current: list[tuple[str, int]] = []

    def close() -> None:
        if current:
            tokens.append(_Literal(list(current)))
            current.clear()

    def literal(chunk: str, offset: int) -> None:
        if mode == "quoted":
            current.extend(_decoded(chunk, offset))
            return
        start = 0
        while start < len(chunk):
            end = chunk.find("\n", start) + 1 or len(chunk)
            current.append((chunk[start:end], offset + start))
            if chunk[end - 1] == "\n":
                close()
            start = end

    position = 0
    for piece in pieces:
        literal(text[position : piece.start], position)
        position = piece.end
        if piece.kind == "escape":
            current.append((piece.text, piece.start))  # $${ and %%{ are literal text of their token
            continue
        close()
        tokens.append(piece)
    literal(text[position:], position)
    close()
    return tokens


def _strip(tokens: list[_Token]) -> None:
    """``~`` trims the whitespace of the literal token written next to the marker (before evaluation)."""
    for index, token in enumerate(tokens):
        if not isinstance(token, Piece):
            continue
        before = tokens[index - 1] if index > 0 else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.strip_before and isinstance(before, _Literal):
            before.rstrip()
        if token.strip_after and isinstance(after, _Literal):
            after.lstrip()


def _flush(tokens: list[_Token]) -> None:
    """``<<-``: remove the indentation the lines share, counted on the tokens as HCL counts it."""
    fewest: int | None = None
    adjust: list[_Literal] = []
    at_line_start = True
    for token in tokens:
        if at_line_start:
            at_line_start = False
            if isinstance(token, _Literal):
                text = token.text()
                blank = not text.strip() and text.endswith("\n")
                if not blank:
                    spaces = len(text) - len(text.lstrip())
                    adjust.append(token)
                    fewest = spaces if fewest is None else min(fewest, spaces)
            else:
                fewest = 0  # a line that starts with an interpolation or a directive is not indented
        if isinstance(token, _Literal) and token.text().endswith("\n"):
            at_line_start = True
    for token in adjust:
        token.drop_front(fewest or 0)


@dataclass
class _Node:
    opening: Piece | None  # None for the template itself
    body: list[object] = field(default_factory=list)  # _Literal | Piece | _Node
    else_piece: Piece | None = None
    otherwise: list[object] = field(default_factory=list)


def _word(piece: Piece | None) -> str:
    return piece.text.split(None, 1)[0] if piece is not None and piece.text else ""


def _tree(tokens: list[_Token]) -> _Node:
    root = _Node(None)
    stack = [root]
    for token in tokens:
        node = stack[-1]
        target = node.otherwise if node.else_piece is not None else node.body
        if isinstance(token, _Literal) or token.kind != "directive":
            target.append(token)
            continue
        word = _word(token)
        if word in ("if", "for"):
            child = _Node(token)
            target.append(child)
            stack.append(child)
            if len(stack) > MAX_DEPTH:
                raise DirectiveError(f"template directives nested more than {MAX_DEPTH} deep")
        elif token.text == "else" and _word(node.opening) == "if" and node.else_piece is None:
            node.else_piece = token
        elif token.text in ("endif", "endfor") and _word(node.opening) == token.text[3:]:
            stack.pop()
        else:
            raise DirectiveError(f"the template directive %{{{token.text}}} is out of place")
    if len(stack) > 1:
        opening = stack[-1].opening
        raise DirectiveError(f"the template directive %{{{opening.text if opening else ''}}} is not closed")
    return root


def _expression(piece: Piece, keyword_length: int) -> Piece:
    rest = piece.text[keyword_length:]
    skipped = keyword_length + len(rest) - len(rest.lstrip())
    return replace(piece, kind="interpolation", text=rest.strip(), text_start=piece.text_start + skipped)


@dataclass(frozen=True)
class Rendered:
    """A template's text, and for each stretch of it where it was written in the template."""

    text: str
    #: Sorted by ``starts``: a stretch of the text from ``starts[i]`` came from ``sources[i]`` in the
    #: template, character by character for literal text, all at the sequence for a value.
    starts: list[int]
    sources: list[int]
    literal: list[bool]
    #: Stretches of the text that are sensitive values, as (start, end).
    sensitive: list[tuple[int, int]]

    def source(self, offset: int) -> int:
        """Where in the template the character at ``offset`` of the text was written."""
        if not self.starts:
            return 0
        index = max(bisect_right(self.starts, offset) - 1, 0)
        if not self.literal[index]:
            return self.sources[index]
        return self.sources[index] + offset - self.starts[index]

    def is_sensitive(self, start: int, end: int) -> bool:
        return any(low < end and start < high for low, high in self.sensitive)


class _Renderer:
    def __init__(self, evaluate: Evaluate, check_length: Callable[[int], None]) -> None:
        self.evaluate = evaluate
        self.check_length = check_length
        self.iterations = 0
        self.out: list[str] = []
        self.length = 0
        self.starts: list[int] = []
        self.sources: list[int] = []
        self.literal: list[bool] = []
        self.sensitive: list[tuple[int, int]] = []

    def emit(self, text: str, source: int, literal: bool) -> None:
        if not text:
            return
        if isinstance(text, SensitiveText):
            self.sensitive.append((self.length, self.length + len(text)))
        self.starts.append(self.length)
        self.sources.append(source)
        self.literal.append(literal)
        self.out.append(text)
        self.length += len(text)
        self.check_length(self.length)

    def items(self, items: list[object], names: dict[str, object]) -> None:
        for item in items:
            if isinstance(item, _Literal):
                for text, offset in item.parts:
                    self.emit(text, offset, True)
            elif isinstance(item, _Node):
                self.node(item, names)
            elif isinstance(item, Piece) and item.kind == "interpolation":
                rendered = as_text(self.evaluate(item, names))
                if isinstance(rendered, Unknown):
                    raise DirectiveError(str(rendered))
                self.emit(rendered, item.start, False)

    def node(self, node: _Node, names: dict[str, object]) -> None:
        piece = node.opening
        assert piece is not None
        if _word(piece) == "if":
            condition = self.evaluate(_expression(piece, 2), names)
            if not isinstance(condition, bool):
                raise DirectiveError(f"the condition of %{{{piece.text}}} is not resolved ({condition})")
            self.items(node.body if condition else node.otherwise, names)
            return
        found = _FOR.match(piece.text)
        if found is None:
            raise DirectiveError(f"the template directive %{{{piece.text}}} does not parse")
        first, second, source = found.groups()
        collection = self.evaluate(_expression(piece, piece.text.rindex(source)), names)
        pairs = iterate(collection)
        if isinstance(pairs, Unknown):
            raise DirectiveError(f"%{{{piece.text}}} iterates over an unresolved value ({pairs})")
        for key, value in pairs:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise DirectiveError(f"template loops render more than {MAX_ITERATIONS:,} iterations")
            bound = {**names, **({first: key, second: value} if second else {first: value})}
            self.items(node.body, bound)

    def rendered(self) -> Rendered:
        return Rendered("".join(self.out), self.starts, self.sources, self.literal, self.sensitive)


def render_directives(
    text: str,
    pieces: list[Piece],
    evaluate: Evaluate,
    check_length: Callable[[int], None],
    mode: Mode = "lines",
    dedent: bool = False,
) -> Rendered | Unknown:
    """The template's text with its directives carried out; ``Unknown`` (with why) when it cannot be.

    ``check_length`` is told the text's length as it grows (it raises past the evaluation's bound).
    """
    tokens = _tokens(text, pieces, mode)
    _strip(tokens)
    if dedent:
        _flush(tokens)
    renderer = _Renderer(evaluate, check_length)
    try:
        renderer.items(_tree(tokens).body, {})
    except DirectiveError as error:
        return Unknown(str(error))
    return renderer.rendered()
