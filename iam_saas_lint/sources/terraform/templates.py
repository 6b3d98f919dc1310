"""String templates whose text python-hcl2 leaves unparsed: heredocs, ``file()`` and ``templatefile()``.

``scan`` finds the ``${…}`` interpolations, ``%{…}`` directives and ``$${``/``%%{`` escapes of a
template. ``render`` joins the text with evaluated values. ``parse_json`` reads a template that holds a
JSON policy: each interpolation is masked by a placeholder of the same length, so that the JSON text
keeps its positions, then the placeholders are replaced by the values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Literal

from ...model.values import JsonPath, Span, Unknown
from ...records import dataclass
from ..text.json_locations import JsonLocations
from ..text.jsonfile import MAX_DOCUMENT_NESTING, TooDeep, load_json, nesting_depth
from .values import JsonText, Places, as_text

PieceKind = Literal["interpolation", "directive", "escape"]

_MARK = "\ue000"
_PAD = "\ue001"
_INDEX_BASE = 0xE100
_MARKERS = re.compile("\ue000([\ue100-\uf8ff])\ue001*")
#: Where a JSON string ends, or an escape in it starts.
_STRING_STOP = re.compile(r'["\\]')


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    start: int
    end: int
    #: The expression of an interpolation (strip markers removed), or the literal an escape stands for.
    text: str
    #: Where ``text`` starts in the template.
    text_start: int = 0
    strip_before: bool = False
    strip_after: bool = False


@dataclass(frozen=True)
class TemplateError:
    message: str
    offset: int


def _skip_string(text: str, index: int) -> int:
    """The index after the quoted string that starts at ``index``."""
    index += 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        index += 1
    return index


def _closing_brace(text: str, index: int) -> int:
    depth = 1
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _skip_string(text, index)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


#: Each interpolation is parsed on its own; a template file may hold at most this many.
MAX_PIECES = 10_000


def scan(text: str) -> list[Piece] | TemplateError:
    pieces: list[Piece] = []
    index = text.find("{")
    while index != -1:
        if len(pieces) > MAX_PIECES:
            return TemplateError(f"more than {MAX_PIECES:,} interpolations in one template: not evaluated", 0)
        if index >= 1 and text[index - 1] in "$%":
            start = index - 1
            if start >= 1 and text[start - 1] == text[start]:
                pieces.append(Piece("escape", start - 1, index + 1, text[start] + "{"))
            else:
                end = _closing_brace(text, index + 1)
                if end == -1:
                    return TemplateError(f"unclosed {text[start]}{{ in the template", start)
                inner = text[index + 1 : end]
                strip_before, strip_after = inner.startswith("~"), inner.endswith("~")
                inner = inner[1 if strip_before else 0 : len(inner) - (1 if strip_after else 0)]
                text_start = index + 1 + (1 if strip_before else 0) + len(inner) - len(inner.lstrip())
                kind: PieceKind = "interpolation" if text[start] == "$" else "directive"
                pieces.append(Piece(kind, start, end + 1, inner.strip(), text_start, strip_before, strip_after))
                index = end
        index = text.find("{", index + 1)
    return pieces


def strip_first_line(text: str) -> str:
    """What ``~}`` leaves of the text after it: HCL reads template text a line at a time, so the
    whitespace up to and including the first newline goes, the next lines' indentation stays."""
    end = text.find("\n") + 1 or len(text)
    return text[:end].lstrip() + text[end:]


def strip_last_line(text: str) -> str:
    """What ``{~`` leaves of the text before it: the whitespace ending its last line (with that
    line's newline when the text ends with one)."""
    start = text.rfind("\n", 0, len(text) - 1) + 1 if text.endswith("\n") else text.rfind("\n") + 1
    return text[:start] + text[start:].rstrip()


def render(text: str, pieces: Sequence[Piece], values: Sequence[object]) -> str | Unknown:
    """The template's value: its text with the interpolations' values, or an ``Unknown``."""
    parts: list[str] = []
    position = 0
    for piece, value in zip(pieces, values, strict=True):
        literal = text[position : piece.start]
        if piece.strip_before:
            literal = strip_last_line(literal)
        parts.append(literal)
        position = piece.end
        if piece.kind == "escape":
            parts.append(piece.text)
            continue
        if piece.kind == "directive":
            return Unknown(f"the template directive %{{{piece.text}}} is not evaluated")
        rendered = as_text(value)
        if isinstance(rendered, Unknown):
            return rendered
        parts.append(rendered)
        if piece.strip_after:
            rest = text[position:]
            position += len(rest) - len(strip_first_line(rest))
    parts.append(text[position:])
    return "".join(parts)


def _mask(text: str, pieces: Sequence[Piece]) -> tuple[str, list[bool]]:
    """Replace each interpolation by a same-length placeholder; note which stood outside a JSON string.

    The text between interpolations is copied a run at a time (only quotes and, in a string, backslashes
    matter). An escape that ends on an interpolation's first character takes it: that interpolation and
    the ones after it are then left as written."""
    out: list[str] = []
    bare: list[bool] = []
    in_string = False
    index = 0
    waiting = 0  # the next piece
    while index < len(text):
        if waiting < len(pieces) and pieces[waiting].start < index:
            waiting = len(pieces)  # stepped over by an escape: never masked
        if waiting < len(pieces) and pieces[waiting].start == index:
            number, piece = waiting, pieces[waiting]
            waiting += 1
            length = piece.end - piece.start
            if piece.kind == "escape":
                out.append(text[piece.start : piece.end])
                bare.append(False)
            elif in_string:
                out.append((_MARK + chr(_INDEX_BASE + number)).ljust(length, _PAD))
                bare.append(False)
            else:
                out.append('"' + (_MARK + chr(_INDEX_BASE + number)).ljust(length - 2, _PAD) + '"')
                bare.append(True)
            index = piece.end
            continue
        limit = pieces[waiting].start if waiting < len(pieces) else len(text)
        start = index
        while index < limit:
            if not in_string:
                quote = text.find('"', index, limit)
                if quote < 0:
                    index = limit
                    break
                in_string, index = True, quote + 1
                continue
            found = _STRING_STOP.search(text, index, limit)
            if found is None:
                index = limit
            elif found.group() == '"':
                in_string, index = False, found.end()
            else:  # a backslash: it and the next character, if there is one
                index = min(found.start() + 2, len(text))
        out.append(text[start:index])
    return "".join(out), bare


@dataclass(frozen=True)
class JsonTemplate:
    data: object
    places: Places
    duplicates: tuple[JsonPath, ...]


class _Substitution:
    def __init__(self, values: Sequence[object], bare: Sequence[bool], places: Places) -> None:
        self.values = values
        self.bare = bare
        self.places = places

    def string(self, text: str, path: JsonPath) -> object:
        if _MARK not in text:
            return text.replace("$${", "${").replace("%%{", "%{")
        whole = _MARKERS.fullmatch(text)
        if whole is not None:
            number = ord(whole.group(1)) - _INDEX_BASE
            value = self.values[number]
            return self._splice(value, path) if self.bare[number] else as_text(value)
        parts: list[str] = []
        position = 0
        for match in _MARKERS.finditer(text):
            parts.append(text[position : match.start()].replace("$${", "${").replace("%%{", "%{"))
            rendered = as_text(self.values[ord(match.group(1)) - _INDEX_BASE])
            if isinstance(rendered, Unknown):
                return Unknown(f"the string interpolates an unresolved value ({rendered})")
            parts.append(rendered)
            position = match.end()
        parts.append(text[position:].replace("$${", "${").replace("%%{", "%{"))
        return "".join(parts)

    def _splice(self, value: object, path: JsonPath) -> object:
        """A value written bare into the JSON text: its JSON text becomes part of the document."""
        if isinstance(value, JsonText):
            for inner, span in value.places.items():
                if inner:
                    self.places[path + inner] = span
            return value.data
        if isinstance(value, Unknown):
            return value
        if isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            try:
                return load_json(value)
            except ValueError:
                return Unknown(f"the interpolated text {value[:40]!r} is not JSON")
        return Unknown("an interpolated value that is not JSON text")

    def walk(self, value: object, path: JsonPath) -> object:
        if isinstance(value, str):
            return self.string(value, path)
        if isinstance(value, list):
            return [self.walk(item, path + (index,)) for index, item in enumerate(value)]
        if isinstance(value, dict):
            result: dict[object, object] = {}
            for key, item in value.items():
                new_key = self.string(key, path) if isinstance(key, str) else key
                name = new_key if isinstance(new_key, str) else key
                if name != key and path + (key,) in self.places:
                    self.places[path + (name,)] = self.places.pop(path + (key,))
                result[new_key] = self.walk(item, path + (name,))
            return result
        return value


def _all_paths(value: object, path: JsonPath, into: list[JsonPath]) -> None:
    into.append(path)
    if isinstance(value, dict):
        for key, item in value.items():
            _all_paths(item, path + (key,), into)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _all_paths(item, path + (index,), into)


def parse_json(
    text: str,
    pieces: Sequence[Piece],
    evaluate: Callable[[Piece], object],
    place: Callable[[Span], Span],
) -> JsonTemplate | TemplateError | None:
    """The JSON document a template holds; ``None`` when the text is not JSON.

    ``evaluate`` gives each interpolation's value; ``place`` turns a span in ``text`` into a span in
    the file.
    """
    if any(piece.kind == "directive" for piece in pieces):
        return None
    masked, bare = _mask(text, pieces)
    try:
        raw = json.loads(masked)
    except json.JSONDecodeError as error:
        stripped = masked.lstrip()
        if stripped.startswith(("{", "[")):
            return TemplateError(f"invalid JSON: {error.msg}", error.pos)
        return None
    except RecursionError:
        return TemplateError(f"invalid JSON: {TooDeep(MAX_DOCUMENT_NESTING)}", 0)
    if nesting_depth(raw, MAX_DOCUMENT_NESTING) > MAX_DOCUMENT_NESTING:
        return TemplateError(f"invalid JSON: {TooDeep(MAX_DOCUMENT_NESTING)}", 0)
    locations = JsonLocations(masked)
    paths: list[JsonPath] = []
    _all_paths(raw, (), paths)
    places: Places = {}
    for path in paths:
        span = locations.locate(path)
        if span is not None:
            places[path] = place(span)
    values = [evaluate(piece) if piece.kind == "interpolation" else None for piece in pieces]
    data = _Substitution(values, bare, places).walk(raw, ())
    return JsonTemplate(data, places, tuple(locations.duplicate_keys()))


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
