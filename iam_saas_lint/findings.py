"""The one thing every layer above the rules hands around: a finding."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    json_path: str = "$"
    role: str | None = None
    #: A snippet to paste, in the syntax of the file (empty when the rule has none).
    fix: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message, self.json_path)


def sorted_unique(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)
