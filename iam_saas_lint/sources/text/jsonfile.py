"""JSON files: parse once with the C parser, detect duplicate keys, locate lazily."""

from __future__ import annotations

import json
from typing import Any

from ...model.document import Problem
from ...model.values import Anchor, Span, format_json_path
from ...records import dataclass
from .files import TextFile, looks_like_iam
from .json_locations import JsonLocations

#: Duplicate keys reported one by one in a file; the rest are counted in one more finding.
MAX_DUPLICATES_REPORTED = 20


@dataclass(frozen=True)
class JsonFile:
    path: str
    data: object
    locations: JsonLocations
    has_duplicates: bool

    def anchor(self, *path: str | int) -> Anchor:
        return Anchor(self.path, tuple(path), self.locations)

    def duplicate_problems(self) -> list[Problem]:
        """One problem per duplicated key (however many copies), the first ``MAX_DUPLICATES_REPORTED``
        of them, and one that counts the rest: 200,000 copies are not 200,000 findings."""
        problems = []
        distinct = list(dict.fromkeys(self.locations.duplicate_keys()))
        for path in distinct[:MAX_DUPLICATES_REPORTED]:
            span = self.locations.locate(path) or Span(1, 1, 1, 1)
            problems.append(
                Problem(
                    self.path,
                    f"duplicate key {path[-1]!r} at {format_json_path(path[:-1])}: parsers disagree on which copy wins",
                    span,
                )
            )
        if len(distinct) > MAX_DUPLICATES_REPORTED:
            more = len(distinct) - MAX_DUPLICATES_REPORTED
            problems.append(
                Problem(self.path, f"{more:,} more duplicate keys, not listed one by one", problems[-1].span)
            )
        return problems


#: Deeper JSON files are not read: the deepest real template or plan is about 25 levels deep, and
#: recursive walkers (ours, jsonschema's) must never meet input built to exhaust the stack.
MAX_FILE_NESTING = 100
#: Deeper policy documents are not read (no real policy comes close).
MAX_DOCUMENT_NESTING = 64


class TooDeep(ValueError):
    """JSON nested more deeply than the reader accepts (a ``ValueError``, like any unreadable JSON)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"nested more than {limit} levels deep, not read")


def nesting_depth(value: object, limit: int) -> int:
    """How deeply ``value``'s lists and objects nest (level by level, without recursion; stops counting
    past ``limit``). A level's values are gathered with one ``extend`` per container: a template's
    thousands of scalars then cost one ``isinstance`` each (a walk that pushed each child cost thrice)."""
    depth = 0
    level: list[object] = [value]
    while True:
        below: list[object] = []
        containers = False
        for item in level:
            if isinstance(item, dict):
                below.extend(item.values())
                containers = True
            elif isinstance(item, list):
                below.extend(item)
                containers = True
        if not containers:
            return depth
        depth += 1
        if depth > limit:
            return depth
        level = below


def _may_nest_past(text: str, limit: int) -> bool:
    """Whether JSON ``text`` may nest more than ``limit`` levels: each level is an object or array
    that one ``{`` or ``[`` of the text opens, so with fewer of those it cannot (most files: no walk)."""
    return text.count("{") + text.count("[") > limit


#: Integers longer than this are read as floats: Python refuses to convert more than 4,300 digits.
MAX_INT_DIGITS = 1000


def bounded_int(text: str) -> int | float:
    return int(text) if len(text) <= MAX_INT_DIGITS else float(text)


def _loads(text: str, **options: Any) -> object:
    """``json.loads``; numbers of thousands of digits do not stop it."""
    try:
        return json.loads(text, **options)
    except json.JSONDecodeError:
        raise
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return json.loads(text, parse_int=bounded_int, **options)


def load_json(text: str, limit: int = MAX_DOCUMENT_NESTING) -> object:
    """``json.loads`` for JSON held in a string (a policy document): ``TooDeep`` past ``limit`` levels."""
    try:
        data = _loads(text)
    except RecursionError:
        raise TooDeep(limit) from None
    if _may_nest_past(text, limit) and nesting_depth(data, limit) > limit:
        raise TooDeep(limit)
    return data


#: Appended to when an object repeats a key (cleared before each file).
_SEEN: list[bool] = []


def _duplicate_hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """An ``object_pairs_hook`` that builds each object as ``json`` does and notes a repeated key (a
    plain function: it is called for every object of every file)."""
    result = dict(pairs)
    if len(result) != len(pairs):
        _SEEN.append(True)
    return result


#: One decoder for every file: ``json.loads`` with a hook makes a decoder (and its scanner) per call,
#: which cost more than decoding a small policy file.
_decoder: json.JSONDecoder | None = None


def _decode_flagged(text: str) -> tuple[object, bool]:
    """``_loads(text, object_pairs_hook=…)``, and whether the text repeats a key in an object."""
    global _decoder
    if _decoder is None:
        _decoder = json.JSONDecoder(object_pairs_hook=_duplicate_hook)
    _SEEN.clear()
    if text.startswith("\ufeff"):  # json.loads's own refusal, with its message
        data = _loads(text, object_pairs_hook=_duplicate_hook)
    else:
        try:
            data = _decoder.decode(text)
        except json.JSONDecodeError:
            raise
        except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
            _SEEN.clear()
            data = json.loads(text, parse_int=bounded_int, object_pairs_hook=_duplicate_hook)
    return data, bool(_SEEN)


def parse_json(text_file: TextFile) -> JsonFile | Problem | None:
    """Parse JSON text; a ``Problem`` for IAM-looking text that does not parse, else ``None``."""
    seen = False
    try:
        data, seen = _decode_flagged(text_file.text)
    except json.JSONDecodeError as error:
        if not looks_like_iam(text_file.text):
            return None
        span = Span(error.lineno, error.colno, error.lineno, error.colno)
        return Problem(text_file.path, f"invalid JSON: {error.msg}", span)
    except RecursionError:
        data = TooDeep(MAX_FILE_NESTING)
    if isinstance(data, TooDeep) or (
        _may_nest_past(text_file.text, MAX_FILE_NESTING) and nesting_depth(data, MAX_FILE_NESTING) > MAX_FILE_NESTING
    ):
        if not looks_like_iam(text_file.text):
            return None
        return Problem(text_file.path, f"invalid JSON: {TooDeep(MAX_FILE_NESTING)}", Span(1, 1, 1, 1))
    return JsonFile(text_file.path, data, JsonLocations(text_file.text, parsed_unique=not seen), seen)
