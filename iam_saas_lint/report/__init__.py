"""Formatters: pure functions from a list of findings to text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..findings import Finding
from .json_format import format_json
from .text import format_text

Formatter = Callable[[Sequence[Finding]], str]

__all__ = ["Formatter", "format_json", "format_text"]
