"""Positions inside a policy written as JSON text within a template (``PolicyDocument: |`` or an
escaped JSON string in a JSON template).

The text is found in the file, either line by line (a YAML block or a quoted one-line string) or
in its JSON-escaped form, and each position inside it is mapped back to the file. When the text
cannot be found (escapes the reader does not reproduce), positions fall back to the string.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable

from ...model.values import JsonPath, Locator, Span
from .json_locations import JsonLocations

_SEARCH_LINES = 200


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _by_lines(file_lines: list[str], first_line: int, content: str) -> Callable[[int, int], tuple[int, int]] | None:
    """Content lines that appear in the file one per line at the same column (YAML ``|``)."""
    lines = content.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return None
    first = next(i for i, line in enumerate(lines) if line.strip())
    for start in range(max(first_line - 1, 0), min(len(file_lines), first_line - 1 + _SEARCH_LINES)):
        column = file_lines[start].find(lines[first])
        top = start - first
        if column < 0 or top < 0 or top + len(lines) > len(file_lines):
            continue
        if all(
            not text.strip() or file_lines[top + i][column : column + len(text)] == text for i, text in enumerate(lines)
        ):

            def to_file(line: int, col: int, top: int = top, column: int = column) -> tuple[int, int]:
                return top + line, column + col

            return to_file
    return None


def _by_escapes(file_text: str, first_line: int, content: str) -> Callable[[int, int], tuple[int, int]] | None:
    """Content written as one JSON-escaped string in the file."""
    starts = _line_starts(file_text)
    content_starts = _line_starts(content)
    search_from = starts[min(max(first_line - 1, 0), len(starts) - 1)]
    for ensure_ascii in (False, True):
        escaped = json.dumps(content, ensure_ascii=ensure_ascii)[1:-1]
        found = file_text.find(escaped, search_from)
        if found < 0:
            continue
        widths = [0]
        for character in content:
            widths.append(widths[-1] + len(json.dumps(character, ensure_ascii=ensure_ascii)) - 2)

        def to_file(line: int, col: int, widths: list[int] = widths, found: int = found) -> tuple[int, int]:
            offset = content_starts[line - 1] + col - 1
            absolute = found + widths[min(offset, len(widths) - 1)]
            index = bisect_right(starts, absolute) - 1
            return index + 1, absolute - starts[index] + 1

        return to_file
    return None


class EmbeddedLocator:
    """A ``Locator`` for data parsed from text that sits at ``origin`` in the file.

    ``inner`` locates paths in the text; ``to_file`` maps its positions into the file, or is
    ``None`` when the text could not be found there (then only ``origin`` itself is located)."""

    def __init__(
        self,
        base: Locator,
        origin: JsonPath,
        inner: Locator,
        to_file: Callable[[int, int], tuple[int, int]] | None,
    ) -> None:
        self.base = base
        self.origin = origin
        self.inner = inner
        self.to_file = to_file

    def locate(self, path: JsonPath) -> Span | None:
        if len(path) <= len(self.origin) or path[: len(self.origin)] != self.origin:
            return self.base.locate(path)
        found = self.inner.locate(path[len(self.origin) :]) if self.to_file is not None else None
        if found is None or self.to_file is None:
            return None
        line, column = self.to_file(found.line, found.column)
        end_line, end_column = self.to_file(found.end_line, found.end_column)
        return Span(line, column, end_line, end_column)


def text_in_file(file_text: str, content: str, near_line: int) -> Callable[[int, int], tuple[int, int]] | None:
    """Maps 1-based positions in ``content`` to the file, where ``content`` is written at or after
    ``near_line``; ``None`` when it cannot be found."""
    by_lines = _by_lines(file_text.split("\n"), near_line, content)
    if by_lines is not None:
        to_file = by_lines

        def shifted(line: int, col: int) -> tuple[int, int]:
            file_line, file_col = to_file(line - 1, col - 1)
            return file_line + 1, file_col + 1

        return shifted
    return _by_escapes(file_text, near_line, content)


def embedded_locator(
    base: Locator, origin: JsonPath, file_text: str, content: str, near_line: int
) -> EmbeddedLocator | None:
    """A locator for a policy written as JSON text, when the text can be found in the file."""
    to_file = text_in_file(file_text, content, near_line)
    return EmbeddedLocator(base, origin, JsonLocations(content), to_file) if to_file is not None else None
