"""A run: discover files, read them unit by unit, apply the enabled rules, collect findings."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import suppress
from .config import Config
from .discovery import UNREADABLE, discover, display_path
from .findings import Finding, Severity, sorted_unique
from .fixes import render
from .model.document import Inventory, Problem, Role, Suppression
from .model.values import Span, format_json_path
from .rules import RULES_BY_ID
from .rules.base import Context, Rule, Violation
from .selection import enabled_rules
from .sources import Reader, ReadOptions
from .sources.bundles import ExplicitRole
from .variants import merge_variant_findings

INVALID = RULES_BY_ID["ISL000"]


@dataclass
class RunResult:
    findings: list[Finding]
    #: Something went wrong in the tool or the environment, not in the files (exit code 2).
    internal_error: bool = False
    files: int = 0
    roles: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)


def to_finding(rule: Rule, violation: Violation) -> Finding:
    span = violation.anchor.span()
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=violation.severity or rule.severity,
        message=violation.message,
        path=span.file or violation.anchor.file,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        json_path=format_json_path(violation.anchor.source_path()),
        role=violation.role,
        fix=render(violation.fix, violation.syntax) if violation.fix else "",
    )


def problem_finding(problem: Problem) -> Finding:
    span = problem.span
    return Finding(
        INVALID.id, INVALID.name, Severity.ERROR, problem.message, problem.file,
        span.line, span.column, span.end_line, span.end_column,
    )  # fmt: skip


def _in_focus(role: Role, focus: set[str]) -> bool:
    return bool(role.files & focus) or role.anchor.file in focus


def focus_inventory(inventory: Inventory, focus: set[str] | None) -> Inventory:
    """Keep what the named files take part in; the rest was read only to decide their verdicts."""
    if focus is None:
        return inventory
    return Inventory(
        roles=[role for role in inventory.roles if _in_focus(role, focus)],
        documents=[d for d in inventory.documents if d.anchor.file in focus],
        access_keys=[k for k in inventory.access_keys if k.anchor.file in focus],
        problems=[p for p in inventory.problems if p.file in focus],
    )


def _internal(file: str, what: str, error: BaseException, result: RunResult) -> Finding:
    result.internal_error = True
    result.tracebacks.append("".join(traceback.format_exception(error)))
    message = f"internal error while {what}: {type(error).__name__}: {error} (run with --debug for the traceback)"
    return Finding(INVALID.id, INVALID.name, Severity.ERROR, message, file, 1, 1, 1, 1)


def check_inventory(inventory: Inventory, config: Config, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Apply rules to an inventory (the Python API's entry point for in-memory documents)."""
    result = RunResult([])
    _apply(inventory, list(rules) if rules is not None else _rules(config), Context(config.settings), result, "<input>")
    return sorted_unique(result.findings)


def _rules(config: Config) -> list[Rule]:
    return enabled_rules(config.select, config.ignore)


def _apply(inventory: Inventory, rules: list[Rule], context: Context, result: RunResult, file: str) -> None:
    found: list[Finding] = []
    if INVALID in rules:
        found.extend(problem_finding(p) for p in inventory.problems)
    result.internal_error |= any(p.internal for p in inventory.problems)
    for rule in rules:
        if rule.check is None:
            continue
        try:
            found.extend(to_finding(rule, v) for v in rule.check(inventory, context))
        except Exception as error:  # a bug in one rule must not stop the others
            found.append(_internal(file, f"checking {rule.id}", error, result))
    result.findings.extend(merge_variant_findings(found, inventory.roles))


def run(paths: Sequence[str], config: Config) -> RunResult:
    found = discover(paths, config.exclude, config.root)
    result = RunResult([], files=len(found.files), skipped=found.skipped)
    for path, why in found.skipped:
        if why == "no such file or folder" or why.startswith(UNREADABLE):
            result.internal_error = True
            result.findings.append(problem_finding(Problem(display_path(path), why, Span(1, 1, 1, 1))))
    explicit = tuple(ExplicitRole(r.name, display_path(r.trust), tuple(r.policies)) for r in config.roles)
    # the scanned tree: folders as given; for named files (pre-commit), the folder the run starts in
    roots = tuple(path if os.path.isdir(path) else "." for path in paths)
    reader = Reader(ReadOptions(config.max_file_size, explicit, roots))
    rules = _rules(config)
    suppressions: list[Suppression] = []
    for unit in reader.units(found.files):
        context = Context(config.settings)
        try:
            inventory = unit.read()
        except Exception as error:  # a bug in a reader must not stop the run
            result.findings.append(_internal(unit.files[0], "reading the file", error, result))
            continue
        suppressions.extend(inventory.suppressions)
        inventory = focus_inventory(inventory, found.focus)
        result.roles += len(inventory.roles)
        _apply(inventory, rules, context, result, unit.files[0])
    enabled = {rule.id for rule in rules}
    result.findings = sorted_unique(suppress.apply(result.findings, suppressions, config, enabled, found.focus))
    return result


def lint_paths(paths: Sequence[str], config: Config | None = None) -> list[Finding]:
    """Lint files and folders; findings sorted and deduplicated."""
    return run(paths, config or Config()).findings


__all__ = ["RunResult", "check_inventory", "lint_paths", "run"]
