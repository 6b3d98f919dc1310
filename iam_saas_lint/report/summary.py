"""Counts shared by the formatters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..findings import Finding, Severity
from ..records import dataclass


@dataclass(frozen=True)
class Checked:
    """What a run covered, for the summary: files scanned, roles built, findings a baseline hid."""

    files: int
    roles: int
    baselined: int = 0
    #: Set in ``--hook`` runs: the changed files this run (or batch of pre-commit) was given.
    changed: tuple[str, ...] | None = None


def summary(findings: Sequence[Finding], checked: Checked | None = None) -> dict[str, object]:
    severities = Counter(f.severity for f in findings)
    with_findings = len({f.path for f in findings})
    counts: dict[str, object] = {
        "findings": len(findings),
        "errors": severities[Severity.ERROR],
        "warnings": severities[Severity.WARNING],
        "files": checked.files if checked is not None else with_findings,
        "files_with_findings": with_findings,
    }
    if checked is not None:
        counts["roles"] = checked.roles
        counts["baselined"] = checked.baselined
    counts["rules"] = dict(sorted(Counter(f.rule for f in findings).items()))
    return counts


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"
