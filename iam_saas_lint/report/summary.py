"""Counts shared by the formatters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..findings import Finding, Severity


def summary(findings: Sequence[Finding]) -> dict[str, object]:
    severities = Counter(f.severity for f in findings)
    return {
        "findings": len(findings),
        "errors": severities[Severity.ERROR],
        "warnings": severities[Severity.WARNING],
        "files": len({f.path for f in findings}),
        "rules": dict(sorted(Counter(f.rule for f in findings).items())),
    }


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
