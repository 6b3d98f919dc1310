"""Where a value sits in JSON text, found by reading only the containers on its path.

A finding asks for one or two places in a file. Scanning every token of the file for them cost more
than the rest of reading a JSON template, so a lookup reads each container on the path member by
member and steps over the other members with the ``json`` module's C scanner, which reads a value
and says where it ends. What a container holds is remembered for the next lookup through it.

The first lookup also reads the whole top-level value, so the outline answers only for text that is
one valid JSON value; for any other text it raises ``NotOutlined`` (the token scanner of
``json_locations`` then answers, as it answers for any text). On valid JSON both give the same offsets.
"""

from __future__ import annotations

import json
import re
from _json import scanstring  # the C reader json.decoder uses (typeshed knows it here)
from array import array
from collections.abc import Callable

from ...model.values import JsonPath

_WHITESPACE = " \t\n\r"
_SKIP = re.compile(r"[ \t\n\r]*")
_Scanner = Callable[[str, int], tuple[object, int]]
_scanner: _Scanner | None = None


class NotOutlined(ValueError):
    """The text is not one valid JSON value (or holds a value the C scanner refuses)."""


def _scan_once() -> _Scanner:
    global _scanner
    if _scanner is None:
        from json.scanner import make_scanner

        _scanner = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed: a scanner's own attributes, which a decoder has
    return _scanner


class JsonOutline:
    """Offsets of values in one JSON text; lookups raise ``NotOutlined`` if it is not valid JSON."""

    def __init__(self, text: str) -> None:
        self.text = text
        #: By an object's offset: each key's last copy by number, and three offsets a member: where its
        #: key starts, where its value starts and ends (arrays, not tuples: an object may have 100,000 keys).
        self._members: dict[int, tuple[dict[str, int], array[int]]] = {}
        #: By an array's offset: its items' starts and ends.
        self._items: dict[int, tuple[array[int], array[int]]] = {}
        #: By a container's offset: where it ends.
        self._ends: dict[int, int] = {}
        self._root: tuple[int, int] | None = None

    def find(self, path: JsonPath) -> tuple[int, int] | None:
        """The start and end of the value at ``path`` (an object member starts at its key); ``None``
        when there is no such value."""
        try:
            start, end = self._root or self._read_root()
            value_start = start
            text = self.text
            for step in path:
                first = text[value_start]
                if first == "[" and isinstance(step, int):
                    starts, ends = self._array(value_start)
                    if not 0 <= step < len(starts):
                        return None
                    start = value_start = starts[step]
                    end = ends[step]
                elif first == "{" and isinstance(step, str):
                    numbers, offsets = self._object(value_start)
                    number = numbers.get(step)
                    if number is None:
                        return None
                    start, value_start, end = offsets[3 * number : 3 * number + 3]
                else:
                    return None
            return start, end
        except (ValueError, StopIteration, IndexError, RecursionError) as error:
            raise NotOutlined(str(error)) from None

    def _read_root(self) -> tuple[int, int]:
        """The top-level value, read whole: the text must be it and whitespace."""
        text = self.text
        start = _skip_in(text, 0)
        first = text[start]
        if first == "{":
            self._object(start)
            end = self._ends[start]
        elif first == "[":
            self._array(start)
            end = self._ends[start]
        else:
            end = _scan_once()(text, start)[1]
        if _skip_in(text, end) != len(text):
            raise NotOutlined("more than one value")
        self._root = start, end
        return start, end

    def _object(self, start: int) -> tuple[dict[str, int], array[int]]:
        found = self._members.get(start)
        if found is not None:
            return found
        text, scan = self.text, _scan_once()
        numbers: dict[str, int] = {}
        offsets = array("q")
        index = _skip_in(text, start + 1)
        if text[index] != "}":
            while True:
                if text[index] != '"':
                    raise NotOutlined("a key must be a string")
                key, after = scanstring(text, index + 1)
                colon = _skip_in(text, after)
                if text[colon] != ":":
                    raise NotOutlined("':' expected after a key")
                value_start = _skip_in(text, colon + 1)
                value_end = scan(text, value_start)[1]
                numbers[key] = len(offsets) // 3  # the last copy wins, as in json
                offsets.extend((index, value_start, value_end))
                index = _skip_in(text, value_end)
                if text[index] == ",":
                    index = _skip_in(text, index + 1)
                elif text[index] == "}":
                    break
                else:
                    raise NotOutlined("',' or '}' expected")
        self._ends[start] = index + 1
        self._members[start] = numbers, offsets
        return numbers, offsets

    def _array(self, start: int) -> tuple[array[int], array[int]]:
        found = self._items.get(start)
        if found is not None:
            return found
        text, scan = self.text, _scan_once()
        starts, ends = array("q"), array("q")
        index = _skip_in(text, start + 1)
        if text[index] != "]":
            while True:
                end = scan(text, index)[1]
                starts.append(index)
                ends.append(end)
                index = _skip_in(text, end)
                if text[index] == ",":
                    index = _skip_in(text, index + 1)
                elif text[index] == "]":
                    break
                else:
                    raise NotOutlined("',' or ']' expected")
        self._ends[start] = index + 1
        self._items[start] = starts, ends
        return starts, ends


def find_in_valid(text: str, path: JsonPath) -> tuple[int, int] | None:
    """``JsonOutline(text).find(path)`` for ``text`` that the ``json`` module parsed as one value
    whose objects repeat no key: the first copy of a key is then its only one, so each object on
    the path is read only up to the member wanted, and the values before it are stepped over (no
    value after it is read, nor anything remembered: a small file is asked for a place or two).
    It raises ``NotOutlined`` where the outline would, and may raise it for valid text."""
    try:
        scan = _scan_once()
        index = _skip_in(text, 0)
        start = index
        for step in path:
            first = text[index]
            if first == "{" and isinstance(step, str):
                member = _skip_in(text, index + 1)
                while text[member] == '"':
                    key, after = scanstring(text, member + 1)
                    value_start = _skip_in(text, _skip_in(text, after) + 1)
                    if key == step:
                        break
                    member = _skip_in(text, scan(text, value_start)[1])
                    if text[member] != ",":
                        return None
                    member = _skip_in(text, member + 1)
                else:
                    return None
                start, index = member, value_start
            elif first == "[" and isinstance(step, int) and step >= 0:
                item = _skip_in(text, index + 1)
                if text[item] == "]":
                    return None
                for _ in range(step):
                    item = _skip_in(text, scan(text, item)[1])
                    if text[item] != ",":
                        return None
                    item = _skip_in(text, item + 1)
                start = index = item
            else:
                return None
        return start, scan(text, index)[1]
    except (ValueError, StopIteration, IndexError, RecursionError) as error:
        raise NotOutlined(str(error)) from None


def _skip_in(text: str, index: int) -> int:
    if index < len(text) and text[index] in _WHITESPACE:
        match = _SKIP.match(text, index)
        assert match is not None  # matches the empty string at worst
        return match.end()
    return index
