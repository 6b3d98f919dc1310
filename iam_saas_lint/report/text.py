"""``path:line:col: ISL001 message`` lines and a summary line."""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding, Severity
from .summary import plural, summary

_RESET = "\033[0m"
_BOLD = "\033[1m"
_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}


def format_text(findings: Sequence[Finding], colour: bool = False) -> str:
    lines = []
    for finding in findings:
        where = f"{finding.path}:{finding.line}:{finding.column}:"
        rule = finding.rule
        if colour:
            where = f"{_BOLD}{where}{_RESET}"
            rule = f"{_COLOURS[finding.severity]}{rule}{_RESET}"
        lines.append(f"{where} {rule} {finding.message}")
    counts = summary(findings)
    if findings:
        lines.append(
            f"Found {plural(len(findings), 'finding')} ({plural(int(str(counts['errors'])), 'error')}, "
            f"{plural(int(str(counts['warnings'])), 'warning')}) in {plural(int(str(counts['files'])), 'file')}."
        )
    else:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"
