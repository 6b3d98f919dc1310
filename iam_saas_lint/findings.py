"""The one thing every layer above the rules hands around: a finding."""

from __future__ import annotations

from enum import Enum

from .records import dataclass


class Severity(str, Enum):
    """How bad a finding is: ``error`` or ``warning`` (the value is what outputs print)."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    """One problem: the rule's id, name and severity, the message, where it is (1-based line and column
    of the start and end in ``path``, and the JSON path inside the document), the role it concerns
    and a snippet that fixes it in the file's syntax (empty when the rule has none)."""

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
