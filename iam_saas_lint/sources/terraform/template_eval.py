"""Templates kept as text: heredocs, strings of the JSON syntax, ``file()`` and ``templatefile()``.

A template that holds a JSON document becomes ``JsonText`` with the place of each of its parts; any
other template becomes its text. Each interpolation is parsed on its own, at its place in the file.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ...model.document import Problem
from ...model.values import JsonPath, SensitiveText, Span, Unknown
from ...records import replace
from ..text.json_locations import JsonLocations
from ..text.jsonfile import TooDeep, load_json
from .limits import Budget
from .native import parse_snippet
from .scope import BadJsonText, Scope
from .syntax import Expr, Placer
from .template_directives import Mode, Rendered, render_directives
from .templates import Piece, TemplateError, parse_json, position, render, scan
from .values import JsonText, Places, Result


def shifted(placer: Placer, line: int, column: int) -> Placer:
    """A placer for text that starts at (``line``, ``column``) of the text ``placer`` places."""

    def place(span: Span) -> Span:
        start_column = span.column + (column - 1 if span.line == 1 else 0)
        end_column = span.end_column + (column - 1 if span.end_line == 1 else 0)
        return placer(replace(span, line=span.line + line - 1, column=start_column, end_line=span.end_line + line - 1,
                              end_column=end_column))  # fmt: skip

    return place


def file_placer(file: str) -> Placer:
    """Places a text that is a whole file (``file()``, ``templatefile()``)."""

    def place(span: Span) -> Span:
        return replace(span, file=file)

    return place


class TemplateEvaluation:
    budget: Budget
    problems: list[Problem]

    def __init__(self) -> None:
        self._snippets: dict[tuple[str, Span], Expr | None] = {}

    def value(self, node: Expr, scope: Scope) -> object:
        raise NotImplementedError

    def expr(self, node: Expr, scope: Scope) -> Result:
        raise NotImplementedError

    def template(self, text: str, scope: Scope, placer: Placer, dedent: bool = False, quoted: bool = False) -> object:
        """A template's value: ``JsonText`` when it holds JSON, else its text (or ``Unknown``).

        ``quoted``: the text of a quoted string of the native syntax, as written (escapes undecoded)."""
        pieces = scan(text)
        if isinstance(pieces, TemplateError):
            line, column = position(text, pieces.offset)
            return BadJsonText(Unknown(pieces.message), pieces.message, placer(Span(line, column, line, column)))

        def evaluate(piece: Piece) -> object:
            return self.interpolation(text, piece, scope, placer)

        if (
            not quoted
            and len(pieces) == 1
            and pieces[0].kind == "interpolation"
            and (pieces[0].start, pieces[0].end) == (0, len(text))
        ):
            return evaluate(pieces[0])  # "${x}" is the value of x, not its text

        if quoted or any(piece.kind == "directive" for piece in pieces):
            return self._directives(text, scope, placer, dedent, quoted)
        found = None
        if text.lstrip().startswith(("{", "[")):
            found = parse_json(text, pieces, evaluate, placer)
        if isinstance(found, TemplateError):
            line, column = position(text, found.offset)
            rendered = self._render(text, pieces, [evaluate(p) for p in pieces], placer)
            return BadJsonText(rendered, found.message, placer(Span(line, column, line, column)))
        if found is not None:
            for duplicate in found.duplicates:
                at = found.places.get(duplicate) or placer(Span(1, 1, 1, 1))
                self.problems.append(
                    Problem(
                        at.file or "",
                        f"duplicate key {duplicate[-1]!r} in a JSON policy: parsers disagree on which copy wins",
                        at,
                    )
                )
            return JsonText(found.data, found.places)
        if dedent:
            text = textwrap.dedent(text)
            pieces = scan(text)
            assert not isinstance(pieces, TemplateError)
        return self._render(text, pieces, [self.interpolation(text, p, scope, placer) for p in pieces], placer)

    def _directives(self, text: str, scope: Scope, placer: Placer, dedent: bool, quoted: bool) -> object:
        """A template with ``%{…}`` directives: its text, or the JSON document it holds with the place of
        each part where the template writes it."""
        pieces = scan(text)
        if isinstance(pieces, TemplateError):
            return Unknown(pieces.message)

        def evaluate(piece: Piece, names: dict[str, object]) -> object:
            return self.interpolation(text, piece, scope.with_names(**names) if names else scope, placer)

        start = placer(Span(1, 1, 1, 1))

        def check_length(length: int) -> None:
            self.budget.check_length(length, f"{start.file}:{start.line}")

        mode: Mode = "quoted" if quoted else "lines"
        rendered = render_directives(text, pieces, evaluate, check_length, mode, dedent)
        if isinstance(rendered, Unknown):
            return rendered
        if rendered.text.lstrip().startswith(("{", "[")):
            return self._rendered_json(rendered, text, placer)
        return SensitiveText(rendered.text) if rendered.sensitive else rendered.text

    def _rendered_json(self, rendered: Rendered, text: str, placer: Placer) -> object:
        """The JSON document a rendered template holds, each part placed where the template writes it."""
        template_lines = JsonLocations(text)

        def place(start: int, end: int) -> Span:
            (line, column), (end_line, end_column) = (
                template_lines.position(rendered.source(start)),
                template_lines.position(rendered.source(max(end - 1, start)) + (1 if end > start else 0)),
            )
            return placer(Span(line, column, end_line, end_column))

        try:
            data = load_json(rendered.text)
        except (ValueError, TooDeep) as error:
            offset = getattr(error, "pos", 0)
            message = f"invalid JSON: {getattr(error, 'msg', error)}"
            return BadJsonText(rendered.text, message, place(offset, offset))
        locations = JsonLocations(rendered.text)
        offsets = _Offsets(rendered.text)
        places: Places = {}
        sensitive: list[JsonPath] = []
        for path, span in locations.spans():
            start, end = offsets.of(span.line, span.column), offsets.of(span.end_line, span.end_column)
            places[path] = place(start, end)
            if rendered.sensitive and rendered.is_sensitive(start, end):
                sensitive.append(path)
        for path in sensitive:
            data = _marked_sensitive(data, path)
        for duplicate in locations.duplicate_keys():
            at = places.get(duplicate) or placer(Span(1, 1, 1, 1))
            self.problems.append(
                Problem(
                    at.file or "",
                    f"duplicate key {duplicate[-1]!r} in a JSON policy: parsers disagree on which copy wins",
                    at,
                )
            )
        written = SensitiveText(rendered.text) if rendered.sensitive else rendered.text
        return JsonText(data, places, written=written)

    def _render(self, text: str, pieces: list[Piece], values: list[object], placer: Placer) -> str | Unknown:
        length = len(text) + sum(len(value) for value in values if isinstance(value, str))
        start = placer(Span(1, 1, 1, 1))
        self.budget.check_length(length, f"{start.file}:{start.line}")
        return render(text, pieces, values)

    def interpolation(self, text: str, piece: Piece, scope: Scope, placer: Placer) -> object:
        if piece.kind != "interpolation":
            return None
        line, column = position(text, piece.text_start)
        origin = placer(Span(line, column, line, column))
        key = (piece.text, origin)
        if key not in self._snippets:
            self._snippets[key] = parse_snippet(piece.text, origin.file or "", shifted(placer, line, column))
        node = self._snippets[key]
        if node is None:
            return Unknown(f"the interpolation ${{{piece.text[:40]}}} does not parse")
        return self.value(node, scope)


class _Offsets:
    """Offsets of (line, column) positions in a text."""

    def __init__(self, text: str) -> None:
        self.line_starts = [0]
        newline = text.find("\n")
        while newline != -1:
            self.line_starts.append(newline + 1)
            newline = text.find("\n", newline + 1)

    def of(self, line: int, column: int) -> int:
        return self.line_starts[min(line, len(self.line_starts)) - 1] + column - 1


def _marked_sensitive(data: object, path: JsonPath) -> object:
    """``data`` with the text at ``path`` marked sensitive (a template of a sensitive value is sensitive)."""
    if not path:
        return SensitiveText(data) if isinstance(data, str) else data
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent[path[-1]], str):
        parent[path[-1]] = SensitiveText(parent[path[-1]])
    return data
