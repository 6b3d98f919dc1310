"""Inline suppressions written as comments (YAML and HCL): ``# iam-saas-lint: ignore[ISL005] reason``."""

from __future__ import annotations

import re

from ...model.document import Suppression
from ...model.values import Span

MARKER = "iam-saas-lint:"
_COMMENT = re.compile(r"(?:#|//)\s*iam-saas-lint:\s*ignore\[([^\]]*)\]\s*(.*?)\s*$")


def comment_suppressions(path: str, text: str) -> list[Suppression]:
    if MARKER not in text:
        return []
    found: list[Suppression] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        rules = tuple(part.strip().upper() for part in match.group(1).split(",") if part.strip())
        column = match.start() + 1
        span = Span(number, column, number, len(line) + 1)
        found.append(Suppression(rules, match.group(2), path, span))
    return found
