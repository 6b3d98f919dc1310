"""Where each JSON value sits in its text, found by a small iterative scanner.

The standard ``json`` module parses fast but forgets positions. Positions are needed only for
findings, so the scan runs lazily, once per file, the first time a finding asks for a place.
It is iterative, so deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ..model.values import JsonKey, JsonPath, Span

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


@dataclass
class _Frame:
    path: JsonPath
    is_object: bool
    start: int
    next_index: int = 0
    key: JsonKey = ""
    key_start: int = 0
    expect_value: bool = False
    keys: set[str] = field(default_factory=set)


class JsonLocations:
    """A ``Locator`` over JSON text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._offsets: dict[JsonPath, tuple[int, int]] | None = None
        self._line_starts: list[int] = []
        self.duplicates: list[JsonPath] = []

    @property
    def text(self) -> str:
        return self._text

    def locate(self, path: JsonPath) -> Span | None:
        if self._offsets is None:
            self._scan()
        assert self._offsets is not None
        found = self._offsets.get(path)
        if found is None:
            return None
        (line, column), (end_line, end_column) = self.position(found[0]), self.position(found[1])
        return Span(line, column, end_line, end_column)

    def position(self, offset: int) -> tuple[int, int]:
        if not self._line_starts:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self._text)]
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def duplicate_keys(self) -> list[JsonPath]:
        if self._offsets is None:
            self._scan()
        return self.duplicates

    def _value_place(self, stack: list[_Frame], start: int) -> tuple[JsonPath, int]:
        if not stack:
            return (), start
        top = stack[-1]
        if top.is_object:
            top.expect_value = False
            return top.path + (top.key,), top.key_start
        top.next_index += 1
        return top.path + (top.next_index - 1,), start

    def _scan(self) -> None:
        offsets: dict[JsonPath, tuple[int, int]] = {}
        stack: list[_Frame] = []
        value_place = self._value_place
        for match in _TOKEN.finditer(self._text):
            token = match.group()
            first = token[0]
            if first == '"' and stack and stack[-1].is_object and not stack[-1].expect_value:
                top = stack[-1]
                key = token[1:-1] if "\\" not in token else _decode_key(token)
                top.key, top.key_start = key, match.start()
                if key in top.keys:
                    self.duplicates.append(top.path + (key,))
                top.keys.add(key)
            elif first == ",":
                continue
            elif first == ":":
                if stack:
                    stack[-1].expect_value = True
            elif first == "{" or first == "[":
                path, value_start = value_place(stack, match.start())
                stack.append(_Frame(path, first == "{", value_start))
            elif first == "}" or first == "]":
                if stack:
                    frame = stack.pop()
                    offsets[frame.path] = (frame.start, match.end())
            else:
                path, value_start = value_place(stack, match.start())
                offsets[path] = (value_start, match.end())
        self._offsets = offsets


def _decode_key(token: str) -> str:
    try:
        return str(json.loads(token))
    except ValueError:
        return token
