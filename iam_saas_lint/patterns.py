"""Regular expressions compiled when first used instead of when their module is imported.

``re.compile`` runs in Python (parser and compiler): 0.1–0.5 ms a pattern, and a one-file run
imports modules declaring some forty patterns it mostly never uses. ``lazy_compile`` returns a
stand-in that type checkers see as the ``re.Pattern`` it becomes; on first use it compiles the
pattern and keeps the compiled methods as its own attributes, so later calls cost what a
compiled pattern's do. Only methods and attributes can be used on it (``isinstance(x, re.Pattern)``
is false, and ``re`` functions do not accept it: call its methods).
"""

from __future__ import annotations

import re
from typing import Any

_FORWARDED = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split", "pattern", "flags")


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = re.compile(*self._source)
            self.__dict__["_compiled"] = compiled
            self.__dict__.update((method, getattr(compiled, method)) for method in _FORWARDED)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile{self._source!r}"


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, done on first use."""
    stand_in: re.Pattern[str] = _LazyPattern(pattern, flags)  # type: ignore[assignment]  # what it becomes
    return stand_in
