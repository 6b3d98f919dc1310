"""Policies written as JSON text by ``Fn::Sub``/``Fn::Join`` whose text has unresolved parts.

Each unresolved part is left in the text as a marker, the text is parsed as JSON, and the parts
are put back as ``Unknown`` values, so that one unresolved account does not make the whole
document unknown."""

from __future__ import annotations

import re

from ...model.principals import account_of
from ...model.values import Unknown
from ...patterns import lazy_compile

PRINCIPAL_KEYS = frozenset({"Principal", "NotPrincipal"})
_HOLE = "@@isl-unresolved-"
_HOLE_PATTERN = lazy_compile(re.escape(_HOLE) + r"\d+@@")


class Holes:
    def __init__(self) -> None:
        #: marker → (why the part is unknown, how it is written in the template)
        self.found: dict[str, tuple[Unknown, str]] = {}

    def mark(self, part: tuple[Unknown, str]) -> str:
        marker = f"{_HOLE}{len(self.found)}@@"
        self.found[marker] = part
        return marker

    def first(self) -> Unknown:
        return next(iter(self.found.values()))[0]

    def fill(self, value: object, principal: bool = False) -> object:
        """Put the unresolved parts back into a document parsed from text with markers."""
        if isinstance(value, dict):
            return {
                self._written(key): self.fill(item, principal or key in PRINCIPAL_KEYS) for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.fill(item, principal) for item in value]
        if not isinstance(value, str) or _HOLE not in value:
            return value
        if value in self.found:
            return self.found[value][0]
        written = self._written(value)
        if principal and account_of(written).account is not None:
            return written  # the account is known; the rest only names a role or user in it
        unknown = self.found[_HOLE_PATTERN.search(value).group()][0]  # type: ignore[union-attr]
        return Unknown(f"{written!r}, where {unknown}")

    def _written(self, text: str) -> str:
        return _HOLE_PATTERN.sub(lambda m: self.found[m.group()][1], text)
