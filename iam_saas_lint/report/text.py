"""Text output: findings grouped by file, with the source line, a caret, why it matters and a fix.

``format_concise`` keeps the one-line ``path:line:col: ISL001 message`` form for tools that parse it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import groupby

from ..findings import Finding, RuleInfo, Severity
from .summary import Checked, plural, summary

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}


class _Style:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour else text


#: Characters a file can hold that a terminal or a log viewer would act on instead of showing: C0 and
#: C1 controls (escape sequences, carriage returns, newlines that forge lines) and bidirectional
#: overrides that reorder what is shown ("Trojan Source"). Tabs are kept. Lone surrogates (a JSON
#: "\ud800", a file name that is not UTF-8) cannot be written as UTF-8 at all.
_UNPRINTABLE = "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with the characters a terminal would act on written as escapes (``\\x1b``)."""
    if text.isascii() and text.isprintable():  # most paths and messages: no need for the pattern
        return text
    return re.sub(_UNPRINTABLE, _escape, text)  # compiled on first use (and cached by ``re``)


def _head(finding: Finding, style: _Style) -> str:
    where = style(f"{printable(finding.path)}:{finding.line}:{finding.column}:", _BOLD)
    return f"{where} {style(finding.rule, _COLOURS[finding.severity])} {printable(finding.message)}"


def _covered(checked: Checked) -> str:
    if checked.changed is None:
        return ""
    shown = ", ".join(printable(path) for path in checked.changed[:3])
    more = f" and {len(checked.changed) - 3:,} more" if len(checked.changed) > 3 else ""
    return f" (changed: {shown}{more})" if checked.changed else " (no changed files)"


def summary_line(findings: Sequence[Finding], checked: Checked | None = None) -> str:
    """``Found …`` alone, or with what was checked: ``Checked 12 files, 3 roles: 2 findings (…) in 1 file.``"""
    hidden = (
        f" ({plural(checked.baselined, 'finding')} hidden by the baseline)" if checked and checked.baselined else ""
    )
    if checked is None:
        head = ""
    elif checked.files == 0 and not findings:
        return f"No IAM files found{_covered(checked)}: nothing checked{hidden}."
    else:
        head = f"Checked {plural(checked.files, 'file')}, {plural(checked.roles, 'role')}{_covered(checked)}: "
    if not findings:
        if checked is not None and checked.roles == 0:
            return f"{head}no IAM roles found, no findings{hidden}."
        return f"{head}no findings{hidden}." if head else "No findings."
    counts = summary(findings)
    errors, warnings, files = (int(str(counts[k])) for k in ("errors", "warnings", "files_with_findings"))
    return (
        f"{head or 'Found '}{plural(len(findings), 'finding')} ({plural(errors, 'error')}, "
        f"{plural(warnings, 'warning')}) in {plural(files, 'file')}{hidden}."
    )


def format_concise(findings: Sequence[Finding], colour: bool = False, checked: Checked | None = None) -> str:
    style = _Style(colour)
    return "".join(_head(f, style) + "\n" for f in findings) + summary_line(findings, checked) + "\n"


#: Source lines longer than this are shown as a window around the finding (minified files are one line).
MAX_SHOWN = 160
_BEFORE = 60


def _source(finding: Finding, lines: Sequence[str], style: _Style) -> list[str]:
    if not 1 <= finding.line <= len(lines):
        return []
    line = lines[finding.line - 1]
    column = finding.column
    start = max(0, min(column - 1 - _BEFORE, len(line) - MAX_SHOWN)) if len(line) > MAX_SHOWN else 0
    shown = line[start : start + MAX_SHOWN].rstrip("\n").expandtabs(1)
    column -= start
    width = 1
    if finding.end_line == finding.line and finding.end_column > finding.column:
        width = finding.end_column - finding.column
    before, marked = printable(shown[: column - 1]), printable(shown[column - 1 : column - 1 + width])
    text, column, width = printable(shown), len(before) + 1, max(len(marked), 1)
    if start:
        text, column = "…" + text, column + 1
    if start + MAX_SHOWN < len(line):
        text += "…"
    gutter = f"{finding.line} | "
    width = max(1, min(width, len(text) - column + 1))
    caret = " " * (len(gutter) + column - 1) + style("^" * width, _COLOURS[finding.severity])
    return [f"  {gutter}{text}", f"  {caret}"]


def format_text(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo] = (),
    sources: Mapping[str, Sequence[str]] | None = None,
    colour: bool = False,
    show_fixes: bool = False,
    checked: Checked | None = None,
) -> str:
    """Grouped by file. ``sources`` maps a path to its lines, for the source excerpt."""
    style = _Style(colour)
    by_id = {rule.id: rule for rule in rules}
    out: list[str] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        if out:
            out.append("")
        out.append(style(printable(path), _BOLD))
        for finding in group:
            out.append(_head(finding, style))
            out.extend(_source(finding, (sources or {}).get(path, ()), style))
            rule = by_id.get(finding.rule)
            if rule is not None:
                out.append(style(f"  why: {rule.why}", _DIM))
                hint = rule.hint_for(finding.message)
                if hint:
                    out.append(f"  fix: {hint}")
            if show_fixes and finding.fix:
                out.extend("    " + line for line in finding.fix.splitlines())
    if out:
        out.append("")
    out.append(summary_line(findings, checked))
    return "\n".join(out) + "\n"


def format_statistics(findings: Sequence[Finding], rules: Sequence[RuleInfo], checked: Checked | None = None) -> str:
    counts = summary(findings)["rules"]
    assert isinstance(counts, dict)
    names = {rule.id: rule.name for rule in rules}
    lines = [f"{count:>6}  {rule}  {names[rule]}" for rule, count in counts.items() if rule in names]
    return "\n".join([*lines, summary_line(findings, checked)]) + "\n"
