"""Where each JSON value sits in its text, found by a small iterative scanner.

The standard ``json`` module parses fast but forgets positions. Positions are needed only for
findings, so nothing is scanned until a finding asks for a place. Then the outline of valid JSON
(``json_outline``) reads only the containers on the path; other text, and callers that want every
value (``spans``) or the duplicate keys, get the scan below, once per file.
It is iterative, so deep nesting cannot exhaust the stack, and compact: each value costs a few
machine words in arrays (numbered in document order), not a dictionary entry keyed by its whole
path, so that a 5 MB file of millions of tiny values stays small. A path is looked up by walking
from the root; the children of a container are indexed the first time a lookup passes through it.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import TypeVar

from ...model.values import JsonKey, JsonPath, Span
from ...patterns import lazy_compile
from .json_outline import JsonOutline, NotOutlined, find_in_valid

_TOKEN = lazy_compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)
_SCALAR, _OBJECT, _ARRAY = 0, 1, 2
_NO_KEY = -1


def _key_text(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] == '"' and "\\" not in token:
        return token[1:-1]  # no escapes: the text between the quotes
    try:
        return str(json.loads(token))
    except ValueError:
        return token


class _Frame:
    """An open object or array while scanning (a plain class: one is made for every container)."""

    __slots__ = ("expect_value", "is_object", "key", "key_start", "key_token", "keys", "label", "next_index", "value")

    def __init__(self, value: int, is_object: bool, label: JsonKey | None) -> None:
        self.value = value
        self.is_object = is_object
        self.label = label
        self.next_index = 0
        self.key: JsonKey = ""
        self.key_start = 0
        #: Where the current key's token starts; ``_NO_KEY`` until the object has seen a key.
        self.key_token = _NO_KEY
        self.expect_value = False
        self.keys: set[str] = set()


class _Index:
    """Every value's start and end offsets, in document order, and how to find its children."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = array("q")
        self.ends = array("q")
        #: The number of the first value after this one's subtree: its next sibling, if any.
        self.after = array("q")
        #: Where the key of an object member starts in the text (``_NO_KEY``: an array item or a root).
        self.keys = array("q")
        self.kinds = bytearray()
        self.roots: list[int] = []
        self.duplicates: list[JsonPath] = []
        self._items: dict[int, array[int]] = {}
        self._members: dict[int, dict[str, int]] = {}

    def scan(self) -> None:
        # one pass over the tokens, with the arrays' appends bound once (a finding in each of 5,000
        # small files scans each: per token, every attribute lookup counts)
        stack: list[_Frame] = []
        starts, ends, after, keys, kinds = self.starts, self.ends, self.after, self.keys, self.kinds
        add_start, add_end, add_after, add_key, add_kind = (
            starts.append,
            ends.append,
            after.append,
            keys.append,
            kinds.append,
        )
        for match in _TOKEN.finditer(self.text):
            token = match.group()
            first = token[0]
            if first in "{[" and len(token) == 1:
                start, label, key = match.start(), None, _NO_KEY
                if stack:
                    top = stack[-1]
                    if top.is_object:
                        top.expect_value = False
                        label, start, key = top.key, top.key_start, top.key_token
                    else:
                        label = top.next_index
                        top.next_index += 1
                number = len(starts)
                add_start(start)
                add_end(-1)
                add_after(-1)
                add_key(key)
                add_kind(_OBJECT if first == "{" else _ARRAY)
                if not stack:
                    self.roots.append(number)
                stack.append(_Frame(number, first == "{", label))
            elif first in "}]" and len(token) == 1:
                if stack:
                    frame = stack.pop()
                    ends[frame.value] = match.end()
                    after[frame.value] = len(starts)
            elif token == ":":
                if stack:
                    stack[-1].expect_value = True
            elif token == ",":
                continue
            elif stack and stack[-1].is_object and not stack[-1].expect_value:
                top = stack[-1]
                start = match.start()
                top.key, top.key_start, top.key_token = _key_text(token), start, start
                if top.key in top.keys:
                    self.duplicates.append(self._path(stack) + (top.key,))
                top.keys.add(str(top.key))
            else:
                start, label, key = match.start(), None, _NO_KEY
                if stack:
                    top = stack[-1]
                    if top.is_object:
                        top.expect_value = False
                        label, start, key = top.key, top.key_start, top.key_token
                    else:
                        top.next_index += 1
                number = len(starts)
                add_start(start)
                add_end(match.end())
                add_after(number + 1)
                add_key(key)
                add_kind(_SCALAR)
                if not stack:
                    self.roots.append(number)
        for frame in stack:  # never closed: not located, but their children are
            after[frame.value] = len(starts)

    @staticmethod
    def _path(stack: list[_Frame]) -> JsonPath:
        return tuple(frame.label for frame in stack if frame.label is not None)

    def _children(self, number: int) -> array[int]:
        found = self._items.get(number)
        if found is None:
            found = array("q")
            child, stop = number + 1, self.after[number]
            while child < stop:
                found.append(child)
                child = self.after[child]
            self._items[number] = found
        return found

    def walk(self) -> Iterator[tuple[JsonPath, int]]:
        """Every located value with its path, in document order (what ``find`` would give each path)."""
        if not self.roots:
            return
        stack: list[tuple[int, JsonPath]] = [(self.roots[-1], ())]
        while stack:
            number, path = stack.pop()
            if self.ends[number] >= 0:
                yield path, number
            kind = self.kinds[number]
            if kind == _ARRAY:
                items = self._children(number)
                stack.extend((items[i], (*path, i)) for i in range(len(items) - 1, -1, -1))
            elif kind == _OBJECT:
                self._member(number, "")
                members = list(self._members[number].items())
                stack.extend((child, (*path, key)) for key, child in reversed(members))

    def _member(self, number: int, key: str) -> int | None:
        members = self._members.get(number)
        if members is None:
            members = {}
            for child in self._children(number):
                offset = self.keys[child]
                if offset == _NO_KEY:
                    members[""] = child
                    continue
                token = _TOKEN.match(self.text, offset)
                members[_key_text(token.group()) if token else ""] = child  # the last copy wins, as in json
            self._members[number] = members
        return members.get(key)

    def find(self, path: JsonPath) -> int | None:
        if not self.roots:
            return None
        number: int | None = self.roots[-1]
        for step in path:
            assert number is not None
            kind = self.kinds[number]
            if kind == _ARRAY and isinstance(step, int):
                items = self._children(number)
                number = items[step] if 0 <= step < len(items) else None
            elif kind == _OBJECT and isinstance(step, str):
                number = self._member(number, step)
            else:
                return None
            if number is None:
                return None
        return number if number is not None and self.ends[number] >= 0 else None


#: Small texts scanned lately, by text: an index depends on the text alone (its lookups only add
#: to it what the text says), and files copied from one template scan alike. Bounded in count and
#: size, so a run of large distinct files keeps none of them alive.
SHARED_TEXT_CHARS = 16 * 1024
SHARED_INDEXES = 128
_SHARED: OrderedDict[str, _Index] = OrderedDict()
_SHARED_OUTLINES: OrderedDict[str, JsonOutline] = OrderedDict()
_Kept = TypeVar("_Kept", _Index, JsonOutline)
_Key = TypeVar("_Key")
_Value = TypeVar("_Value")
#: Positions counted in the text before a table of line starts is built (counting is a C loop over
#: the text, the table a Python loop over its lines: a file asked for a place or two never builds it).
COUNTED_POSITIONS = 16


#: ``find_in_valid``'s answers lately, by small text and path (files copied from one template).
_WALKED: OrderedDict[tuple[str, JsonPath], tuple[int, int] | None] = OrderedDict()


def _keep(found: OrderedDict[_Key, _Value], key: _Key, value: _Value) -> None:
    if len(found) >= SHARED_INDEXES:
        found.popitem(last=False)
    found[key] = value


def _shared(found: OrderedDict[str, _Kept], text: str, make: Callable[[str], _Kept]) -> _Kept:
    shared = len(text) <= SHARED_TEXT_CHARS
    value = found.get(text) if shared else None
    if value is None:
        value = make(text)
        if shared:
            _keep(found, text, value)
    return value


def _scan(text: str) -> _Index:
    index = _Index(text)
    index.scan()
    return index


class JsonLocations:
    """A ``Locator`` over JSON text."""

    def __init__(self, text: str, parsed_unique: bool = False) -> None:
        """``parsed_unique``: the ``json`` module parsed ``text``, and no object in it repeats a key."""
        self._text = text
        #: A small such text is asked for a place or two: each lookup reads up to it, keeping nothing.
        self._walk = parsed_unique and len(text) <= SHARED_TEXT_CHARS
        self._index: _Index | None = None
        #: ``None`` until a lookup; ``False`` when the text is not valid JSON (then the scan answers).
        self._outline: JsonOutline | bool | None = None
        self._line_starts: array[int] | None = None
        self._counted = 0

    @property
    def text(self) -> str:
        return self._text

    @property
    def duplicates(self) -> list[JsonPath]:
        return self._scanned().duplicates

    def _scanned(self) -> _Index:
        if self._index is None:
            self._index = _shared(_SHARED, self._text, _scan)
        return self._index

    def locate(self, path: JsonPath) -> Span | None:
        if self._walk and self._index is None:
            key = (self._text, path)
            if key not in _WALKED:
                try:
                    _keep(_WALKED, key, find_in_valid(self._text, path))
                except NotOutlined:
                    self._walk = False
            if self._walk:
                walked = _WALKED[key]
                return self._span(*walked) if walked is not None else None
        if self._index is None and self._outline is not False:
            if self._outline is None:
                self._outline = _shared(_SHARED_OUTLINES, self._text, JsonOutline)
            assert isinstance(self._outline, JsonOutline)
            try:
                outlined = self._outline.find(path)
            except NotOutlined:
                self._outline = False
            else:
                return self._span(*outlined) if outlined is not None else None
        index = self._scanned()
        found = index.find(path)
        if found is None:
            return None
        return self._span(index.starts[found], index.ends[found])

    def _span(self, start: int, end: int) -> Span:
        (line, column), (end_line, end_column) = self.position(start), self.position(end)
        return Span(line, column, end_line, end_column)

    def position(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None and self._counted < COUNTED_POSITIONS:
            self._counted += 1
            return self._text.count("\n", 0, offset) + 1, offset - self._text.rfind("\n", 0, offset)
        if self._line_starts is None:
            starts = array("q", [0])
            newline = self._text.find("\n")
            while newline != -1:
                starts.append(newline + 1)
                newline = self._text.find("\n", newline + 1)
            self._line_starts = starts
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def duplicate_keys(self) -> list[JsonPath]:
        return self._scanned().duplicates

    def spans(self) -> Iterator[tuple[JsonPath, Span]]:
        """The span of every value, with its path: one pass, for callers that want them all."""
        index = self._scanned()
        for path, number in index.walk():
            (line, column), (end_line, end_column) = (
                self.position(index.starts[number]),
                self.position(index.ends[number]),
            )
            yield path, Span(line, column, end_line, end_column)
