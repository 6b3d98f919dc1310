"""JSON files: parse once with the C parser, detect duplicate keys, locate lazily."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..model.document import Problem
from ..model.values import Anchor, Span, format_json_path
from .json_locations import JsonLocations
from .text import TextFile, looks_like_iam


@dataclass(frozen=True)
class JsonFile:
    path: str
    data: object
    locations: JsonLocations
    has_duplicates: bool

    def anchor(self, *path: str | int) -> Anchor:
        return Anchor(self.path, tuple(path), self.locations)

    def duplicate_problems(self) -> list[Problem]:
        problems = []
        for path in self.locations.duplicate_keys():
            span = self.locations.locate(path) or Span(1, 1, 1, 1)
            problems.append(
                Problem(
                    self.path,
                    f"duplicate key {path[-1]!r} at {format_json_path(path[:-1])}: parsers disagree on which copy wins",
                    span,
                )
            )
        return problems


class _DuplicateFlag:
    def __init__(self) -> None:
        self.seen = False

    def __call__(self, pairs: list[tuple[str, object]]) -> dict[str, object]:
        result = dict(pairs)
        if len(result) != len(pairs):
            self.seen = True
        return result


def parse_json(text_file: TextFile) -> JsonFile | Problem | None:
    """Parse JSON text; a ``Problem`` for IAM-looking text that does not parse, else ``None``."""
    flag = _DuplicateFlag()
    try:
        data = json.loads(text_file.text, object_pairs_hook=flag)
    except json.JSONDecodeError as error:
        if not looks_like_iam(text_file.text):
            return None
        span = Span(error.lineno, error.colno, error.lineno, error.colno)
        return Problem(text_file.path, f"invalid JSON: {error.msg}", span)
    except RecursionError:
        if not looks_like_iam(text_file.text):
            return None
        return Problem(text_file.path, "invalid JSON: nested too deeply to read", Span(1, 1, 1, 1))
    return JsonFile(text_file.path, data, JsonLocations(text_file.text), flag.seen)
