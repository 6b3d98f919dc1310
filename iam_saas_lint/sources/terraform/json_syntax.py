"""Terraform's JSON syntax (``.tf.json``, ``.tofu.json``) turned into ``syntax`` nodes.

As Terraform reads it: the root object's keys are block types, labels are nested object keys, and a
block (or a set of them) may be an object or an array of objects. ``"//"`` keys are comments. A
string is a template (``"${var.x}"`` is the value of ``var.x``, ``"a-${var.x}"`` text) unless the
schema says the argument is a literal (a variable's ``default``, ``description``, ``type``…) or a
static expression (``depends_on``, ``provider``, a dynamic block's ``iterator``…). Which object keys
of a body are nested blocks is also the schema's: the blocks the evaluator reads are listed here.

Every node keeps its place: strings are placed character by character, escapes included, so a
finding inside a JSON policy written as an escaped string points into that string.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator

from ...model.document import Problem
from ...model.values import JsonPath, Span
from ...patterns import lazy_compile
from ..text.files import TextFile
from ..text.json_locations import JsonLocations
from ..text.jsonfile import MAX_FILE_NESTING, TooDeep, load_json
from .native import parse_snippet
from .syntax import (
    Attribute,
    Block,
    Body,
    Expr,
    Literal,
    ObjectExpr,
    ObjectItem,
    PendingBlock,
    TemplateText,
    TupleExpr,
    Unsupported,
)

_BLOCK_TYPES = frozenset(
    {"resource", "data", "variable", "output", "locals", "module", "provider", "terraform", "moved", "import",
     "check", "removed", "ephemeral"}
)  # fmt: skip
_LABELS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1, "check": 1}
#: Nested blocks, by the kind of block they are in (any other key of a body is an argument).
_NESTED: dict[str, frozenset[str]] = {
    "resource": frozenset({"lifecycle", "provisioner", "connection", "dynamic", "inline_policy", "timeouts"}),
    "data": frozenset({"lifecycle", "dynamic", "statement"}),
    "statement": frozenset({"principals", "not_principals", "condition", "dynamic"}),
    "variable": frozenset({"validation"}),
    "output": frozenset({"precondition"}),
    "lifecycle": frozenset({"precondition", "postcondition"}),
    "terraform": frozenset({"required_providers", "backend", "cloud"}),
}
#: Arguments whose strings are literal text, by block kind.
_LITERAL = {
    "variable": frozenset({"default", "description", "type", "sensitive", "nullable"}),
    "output": frozenset({"description"}),
    "module": frozenset({"source", "version"}),
    "provider": frozenset({"alias"}),
}
#: Arguments whose strings are expressions (references), in any block.
_STATIC = frozenset({"depends_on", "provider", "ignore_changes", "replace_triggered_by", "iterator"})
_STRING = lazy_compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_MEMBER = lazy_compile(r'"(?:[^"\\]|\\.)*"\s*:\s*', re.DOTALL)


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _decoded_offsets(raw: str, start: int) -> list[int]:
    """For each character of a JSON string token's value, where it is written (and one past the end)."""
    offsets: list[int] = []
    index = 1
    while index < len(raw) - 1:
        offsets.append(start + index)
        if raw[index] != "\\":
            index += 1
        elif raw[index + 1] != "u":
            index += 2
        else:
            high = int(raw[index + 2 : index + 6], 16)
            paired = 0xD800 <= high < 0xDC00 and raw[index + 6 : index + 8] == "\\u"
            index += 12 if paired else 6
    offsets.append(start + len(raw) - 1)
    return offsets


class JsonFront:
    def __init__(self, path: str, text: str, data: dict[str, object]) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.locations = JsonLocations(text)
        self.lines = _Lines(text)

    # -- places ---------------------------------------------------------------------------------

    def _offsets(self, path: JsonPath) -> tuple[int, int]:
        span = self.locations.locate(path)
        if span is None:
            return 0, 0
        starts = self.lines.starts
        return starts[span.line - 1] + span.column - 1, starts[span.end_line - 1] + span.end_column - 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        return Span(line, column, end_line, end_column, self.path)

    def member_span(self, path: JsonPath) -> Span:
        """From a member's key (or an array item's start) to the end of its value."""
        return self.span(*self._offsets(path))

    def value_start(self, path: JsonPath) -> int:
        start, _ = self._offsets(path)
        if path and isinstance(path[-1], str):
            member = _MEMBER.match(self.text, start)
            if member is not None:
                return member.end()
        return start

    def value_span(self, path: JsonPath) -> Span:
        return self.span(self.value_start(path), self._offsets(path)[1])

    def placer(self, start: int) -> Callable[[Span], Span]:
        """Places spans of a string's value (its lines and columns) at the characters that wrote them."""
        token = _STRING.match(self.text, start)
        raw = token.group() if token is not None else '""'
        offsets = _decoded_offsets(raw, start)
        value = json.loads(raw) if "\\" in raw else raw[1:-1]
        lines = _Lines(value)

        def at(line: int, column: int) -> int:
            index = lines.starts[min(line, len(lines.starts)) - 1] + column - 1
            return offsets[max(0, min(index, len(offsets) - 1))]

        def place(span: Span) -> Span:
            return self.span(at(span.line, span.column), at(span.end_line, span.end_column))

        return place

    # -- blocks -----------------------------------------------------------------------------------

    def top_blocks(self) -> Iterator[PendingBlock]:
        for kind, value in self.data.items():
            if kind == "//":
                continue
            yield from self._pending(kind, value, (kind,), _LABELS.get(kind, 0), ())

    def _pending(
        self, kind: str, value: object, path: JsonPath, need: int, labels: tuple[str, ...]
    ) -> Iterator[PendingBlock]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from self._pending(kind, item, (*path, index), need, labels)
        elif need and isinstance(value, dict):
            for key, item in value.items():
                if key != "//":
                    yield from self._pending(kind, item, (*path, key), need - 1, (*labels, key))
        elif not need:
            names = tuple(k for k in value if k != "//") if kind == "locals" and isinstance(value, dict) else ()
            yield PendingBlock(kind, labels, self.path, self._converter(kind, labels, value, path), names)

    def _converter(
        self, kind: str, labels: tuple[str, ...], value: object, path: JsonPath
    ) -> Callable[[], Block | Problem]:
        def convert() -> Block | Problem:
            if not isinstance(value, dict):
                return Problem(self.path, f"a {kind} block must be a JSON object", self.member_span(path))
            return Block(kind, labels, self.body(kind, value, path), self.member_span(path))

        return convert

    def body(self, kind: str, value: dict[str, object], path: JsonPath) -> Body:
        body = Body(self.path)
        nested = _NESTED.get(kind, frozenset())
        for key, item in value.items():
            where = (*path, key)
            if key == "//":
                continue
            if key == "dynamic" and "dynamic" in nested and isinstance(item, (dict, list)):
                body.blocks.extend(self._dynamic(item, where))
            elif key in nested and isinstance(item, (dict, list)):
                body.blocks.extend(self._nested(key, item, where, ()))
            else:
                mode = "literal" if key in _LITERAL.get(kind, ()) or kind == "terraform" else "template"
                mode = "static" if key in _STATIC else mode
                body.attributes[key] = Attribute(key, self.expr(item, where, mode), self.member_span(where))
        return body

    def _nested(self, kind: str, value: object, path: JsonPath, labels: tuple[str, ...]) -> Iterator[Block]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from self._nested(kind, item, (*path, index), labels)
        elif isinstance(value, dict):
            yield Block(kind, labels, self.body(kind, value, path), self.member_span(path))

    def _dynamic(self, value: object, path: JsonPath) -> Iterator[Block]:
        """``"dynamic": {"statement": {"for_each": …, "content": {…}}}``: the content is a body of its label's kind."""
        for holder_path, holder in self._bodies(value, path):
            for label, bodies in holder.items():
                if label == "//":
                    continue
                for body_path, found in self._bodies(bodies, (*holder_path, label)):
                    rest = {key: item for key, item in found.items() if key != "content"}
                    body = self.body("dynamic", rest, body_path)
                    for content_path, content in self._bodies(found.get("content"), (*body_path, "content")):
                        inner = self.body(label, content, content_path)
                        body.blocks.append(Block("content", (), inner, self.member_span(content_path)))
                    yield Block("dynamic", (label,), body, self.member_span(body_path))

    def _bodies(self, value: object, path: JsonPath) -> Iterator[tuple[JsonPath, dict[str, object]]]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from self._bodies(item, (*path, index))
        elif isinstance(value, dict):
            yield path, value

    # -- expressions ------------------------------------------------------------------------------

    def expr(self, value: object, path: JsonPath, mode: str) -> Expr:
        span = self.value_span(path)
        if isinstance(value, str):
            if mode == "literal":
                return Literal(value, span)
            placer = self.placer(self.value_start(path))
            if mode == "static":
                parsed = parse_snippet(value, self.path, placer)
                return parsed if parsed is not None else Unsupported(f"{value[:40]!r} is not an expression", span)
            return TemplateText(value, placer, span, heredoc=False)
        if isinstance(value, list):
            return TupleExpr(tuple(self.expr(item, (*path, i), mode) for i, item in enumerate(value)), span)
        if isinstance(value, dict):
            items = []
            for key, item in value.items():
                where = (*path, key)
                key_start = self._offsets(where)[0]
                token = _STRING.match(self.text, key_start)
                key_span = self.span(key_start, token.end() if token is not None else key_start)
                key_expr: Expr = Literal(key, key_span)
                if mode != "literal" and "${" in key:
                    key_expr = TemplateText(key, self.placer(key_start), key_span, heredoc=False)
                items.append(ObjectItem(key_expr, self.expr(item, where, mode), self.member_span(where)))
            if mode == "literal":
                return Literal(value, span)
            return ObjectExpr(tuple(items), span)
        return Literal(value, span)


def json_blocks(text: TextFile, max_bytes: int) -> list[PendingBlock] | Problem:
    """The top-level blocks of a file of Terraform's JSON syntax, each turned into nodes when needed."""
    try:
        data = load_json(text.text, MAX_FILE_NESTING)
    except json.JSONDecodeError as error:
        span = Span(error.lineno, error.colno, error.lineno, error.colno)
        return Problem(text.path, f"invalid JSON: {error.msg}", span)
    except (TooDeep, ValueError) as error:
        return Problem(text.path, f"invalid JSON: {error}", Span(1, 1, 1, 1))
    if not isinstance(data, dict):
        return Problem(text.path, "a Terraform JSON file must hold one JSON object", Span(1, 1, 1, 1))
    front = JsonFront(text.path, text.text, data)
    unknown = next((key for key in data if key != "//" and key not in _BLOCK_TYPES), None)
    if unknown is not None:
        message = f"not Terraform's JSON syntax: {unknown!r} is not a block type (Terraform rejects the file)"
        return Problem(text.path, message, front.member_span((unknown,)))
    return list(front.top_blocks())
