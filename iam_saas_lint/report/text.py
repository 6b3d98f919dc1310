"""Text output: findings grouped by file, with the source line, a caret, why it matters and a fix.

``format_concise`` keeps the one-line ``path:line:col: ISL001 message`` form for tools that parse it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby

from ..findings import Finding, Severity
from ..rules import RULES_BY_ID
from .summary import plural, summary

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}


class _Style:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour else text


def _head(finding: Finding, style: _Style) -> str:
    where = style(f"{finding.path}:{finding.line}:{finding.column}:", _BOLD)
    return f"{where} {style(finding.rule, _COLOURS[finding.severity])} {finding.message}"


def summary_line(findings: Sequence[Finding]) -> str:
    if not findings:
        return "No findings."
    counts = summary(findings)
    errors, warnings, files = (int(str(counts[k])) for k in ("errors", "warnings", "files"))
    return (
        f"Found {plural(len(findings), 'finding')} ({plural(errors, 'error')}, "
        f"{plural(warnings, 'warning')}) in {plural(files, 'file')}."
    )


def format_concise(findings: Sequence[Finding], colour: bool = False) -> str:
    style = _Style(colour)
    return "".join(_head(f, style) + "\n" for f in findings) + summary_line(findings) + "\n"


#: Source lines longer than this are shown as a window around the finding (minified files are one line).
MAX_SHOWN = 160
_BEFORE = 60


def _source(finding: Finding, lines: Sequence[str], style: _Style) -> list[str]:
    if not 1 <= finding.line <= len(lines):
        return []
    line = lines[finding.line - 1]
    column = finding.column
    start = max(0, min(column - 1 - _BEFORE, len(line) - MAX_SHOWN)) if len(line) > MAX_SHOWN else 0
    text = line[start : start + MAX_SHOWN].rstrip("\n")
    column -= start
    if start:
        text, column = "…" + text, column + 1
    if start + MAX_SHOWN < len(line):
        text += "…"
    text = text.expandtabs(1)
    gutter = f"{finding.line} | "
    width = 1
    if finding.end_line == finding.line and finding.end_column > finding.column:
        width = finding.end_column - finding.column
    width = max(1, min(width, len(text) - column + 1))
    caret = " " * (len(gutter) + column - 1) + style("^" * width, _COLOURS[finding.severity])
    return [f"  {gutter}{text}", f"  {caret}"]


def format_text(
    findings: Sequence[Finding],
    sources: Mapping[str, Sequence[str]] | None = None,
    colour: bool = False,
    show_fixes: bool = False,
) -> str:
    """Grouped by file. ``sources`` maps a path to its lines, for the source excerpt."""
    style = _Style(colour)
    out: list[str] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        if out:
            out.append("")
        out.append(style(path, _BOLD))
        for finding in group:
            out.append(_head(finding, style))
            out.extend(_source(finding, (sources or {}).get(path, ()), style))
            rule = RULES_BY_ID.get(finding.rule)
            if rule is not None:
                out.append(style(f"  why: {rule.why}", _DIM))
                if rule.hint:
                    out.append(f"  fix: {rule.hint}")
            if show_fixes and finding.fix:
                out.extend("    " + line for line in finding.fix.splitlines())
    if out:
        out.append("")
    out.append(summary_line(findings))
    return "\n".join(out) + "\n"


def format_statistics(findings: Sequence[Finding]) -> str:
    counts = summary(findings)["rules"]
    assert isinstance(counts, dict)
    lines = [f"{count:>6}  {rule}  {RULES_BY_ID[rule].name}" for rule, count in counts.items() if rule in RULES_BY_ID]
    return "\n".join([*lines, summary_line(findings)]) + "\n"
