"""Templates kept as text: heredocs, strings of the JSON syntax, ``file()`` and ``templatefile()``.

A template that holds a JSON document becomes ``JsonText`` with the place of each of its parts; any
other template becomes its text. Each interpolation is parsed on its own, at its place in the file.
"""

from __future__ import annotations

import textwrap

from ...model.document import Problem
from ...model.values import Span, Unknown
from ...records import replace
from .limits import Budget
from .native import parse_snippet
from .scope import BadJsonText, Scope
from .syntax import Expr, Placer
from .template_directives import render_directives
from .templates import Piece, TemplateError, parse_json, position, render, scan
from .values import JsonText, Result


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

    def template(self, text: str, scope: Scope, placer: Placer, dedent: bool = False, heredoc: bool = True) -> object:
        """A template's value: ``JsonText`` when it holds JSON, else its text (or ``Unknown``)."""
        pieces = scan(text)
        if isinstance(pieces, TemplateError):
            line, column = position(text, pieces.offset)
            return BadJsonText(Unknown(pieces.message), pieces.message, placer(Span(line, column, line, column)))

        def evaluate(piece: Piece) -> object:
            return self.interpolation(text, piece, scope, placer)

        if (
            len(pieces) == 1
            and pieces[0].kind == "interpolation"
            and (pieces[0].start, pieces[0].end) == (0, len(text))
        ):
            return evaluate(pieces[0])  # "${x}" is the value of x, not its text

        if any(piece.kind == "directive" for piece in pieces):
            return self._directives(text, scope, placer, dedent)
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

    def _directives(self, text: str, scope: Scope, placer: Placer, dedent: bool) -> str | Unknown:
        """A template with ``%{…}`` directives: its text (a JSON policy in it is read from the text)."""
        if dedent:  # <<- removes indentation by the template's lines as written, around the directives' output
            return Unknown("template directives in a <<- heredoc are not evaluated")
        pieces = scan(text)
        if isinstance(pieces, TemplateError):
            return Unknown(pieces.message)

        def evaluate(piece: Piece, names: dict[str, object]) -> object:
            return self.interpolation(text, piece, scope.with_names(**names) if names else scope, placer)

        rendered = render_directives(text, pieces, evaluate)
        if isinstance(rendered, str):
            start = placer(Span(1, 1, 1, 1))
            self.budget.check_length(len(rendered), f"{start.file}:{start.line}")
        return rendered

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
