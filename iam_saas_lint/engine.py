"""A run: discover files, read them unit by unit, apply the enabled rules, collect findings."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from . import suppress
from .config import Config
from .discovery import UNREADABLE, Discovery, discover
from .executor import Executor, UnitResult
from .findings import Finding, RuleInfo, Subject, sorted_unique
from .fixes import render
from .model.document import Inventory, Problem, Role, Suppression
from .model.memo import forget
from .model.values import Span, format_json_path
from .records import dataclass, field, replace
from .rules import INVALID_DOCUMENT, RULES, UNVERIFIABLE
from .rules.base import Context, Rule, SuppressionUse, Unverifiable, Violation
from .rules.isl000_invalid_document import problem_violation
from .selection import enabled_rules
from .sources import ReadOptions, Unit, bundle_units, plan_module_calls, plan_units, read_unit
from .sources.bundles import ExplicitRole
from .sources.formats import unit_kind
from .sources.raw_policy import RawPolicy
from .sources.text.paths import display_path
from .variants import merge_variant_findings


@dataclass
class RunResult:
    findings: list[Finding]
    #: Something went wrong in the tool or the environment, not in the files (exit code 2).
    internal_error: bool = False
    files: int = 0
    roles: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: How folders were read, for --verbose (a Terraform folder read as OpenTofu loads it).
    notes: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    #: Units read and linted in this run (the others came from the cache).
    units_linted: int = 0


def rule_infos(ids: Collection[str] | None = None) -> tuple[RuleInfo, ...]:
    """What the formatters receive about the rules (those in ``ids`` when given), with the findings."""
    return tuple(rule.info for rule in RULES if ids is None or rule.id in ids)


def subject_of(violation: Violation) -> Subject:
    role, document, concerns = violation.role, violation.document, violation.concerns
    element = ""
    if document is not None:
        base = document.anchor.path
        path = violation.anchor.path
        element = document.element(path[len(base) :] if path[: len(base)] == base else ())
    if role is None:
        return Subject(concerns=concerns, element=element)
    return Subject(role.name, role.logical or role.name, role.instance, role.variant, concerns, element)


def to_finding(rule: Rule, violation: Violation) -> Finding:
    if violation.fix is not None and violation.fix.kind != rule.fix_kind:
        raise ValueError(f"{rule.id} offers a {violation.fix.kind} fix but declares fix_kind={rule.fix_kind!r}")
    span = violation.anchor.span()
    syntax = violation.document.syntax if violation.document is not None else "json"
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=violation.severity or rule.severity,
        path=span.file or violation.anchor.file,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        json_path=format_json_path(violation.anchor.source_path()),
        subject=subject_of(violation),
        text=violation.text + _written_by(violation, span.file or violation.anchor.file, span),
        fix=render(violation.fix, syntax) if violation.fix else "",
    )


def _written_by(violation: Violation, file: str, span: Span) -> str:
    """`` (from argument vendor of module.x at main.tf:12)`` when the finding's place reads a value
    its module's caller wrote."""
    if violation.role is None or not violation.role.origins:
        return ""
    start, end = (span.line, span.column), (span.end_line, span.end_column)
    found = dict.fromkeys(o.written for o in violation.role.origins if o.within(file, start, end))
    return f" (from {'; '.join(found)})" if found else ""


def problem_finding(problem: Problem) -> Finding:
    return to_finding(INVALID_DOCUMENT, problem_violation(problem))


def _internal(file: str, what: str, error: BaseException, result: RunResult) -> Finding:
    import traceback

    result.internal_error = True
    result.tracebacks.append("".join(traceback.format_exception(error)))
    message = f"internal error while {what}: {type(error).__name__}: {error} (run with --debug for the traceback)"
    return problem_finding(Problem(file, message, Span(1, 1, 1, 1), internal=True))


def check_inventory(inventory: Inventory, config: Config, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Apply rules to an inventory (the Python API's entry point for in-memory documents)."""
    result = RunResult([])
    _apply(inventory, list(rules) if rules is not None else _rules(config), Context(config.settings), result, "<input>")
    return sorted_unique(result.findings)


def _rules(config: Config) -> list[Rule]:
    return enabled_rules(config.select, config.ignore)


def _violations(rule: Rule, inventory: Inventory, context: Context, enabled: set[str]) -> Iterator[Finding]:
    """The rule's findings if it is enabled, and its unverifiable verdicts if those are."""
    assert rule.check is not None
    for violation in rule.check(inventory, context):
        if isinstance(violation, Unverifiable):
            if UNVERIFIABLE.id in enabled:
                yield to_finding(UNVERIFIABLE, violation)
        elif rule.id in enabled:
            yield to_finding(rule, violation)


def _has_subjects(inventory: Inventory) -> bool:
    """Whether the inventory holds what rules ask about (a raw policy file's first pass does not:
    its role comes later)."""
    return bool(inventory.roles or inventory.documents or inventory.access_keys or inventory.problems)


def _apply(inventory: Inventory, rules: list[Rule], context: Context, result: RunResult, file: str) -> None:
    found: list[Finding] = []
    forget()
    result.internal_error |= any(p.internal for p in inventory.problems)
    if not _has_subjects(inventory):
        return
    # by id: comparing rules (frozen records) field by field cost a second in a folder of 10,000 files
    enabled = {rule.id for rule in rules}
    unverifiable = UNVERIFIABLE.id in enabled
    for rule in RULES:
        if rule.check is None or not (rule.id in enabled or (unverifiable and rule.may_be_unverifiable)):
            continue
        try:
            found.extend(_violations(rule, inventory, context, enabled))
        except Exception as error:  # a bug in one rule must not stop the others
            found.append(_internal(file, f"checking {rule.id}", error, result))
    result.findings.extend(merge_variant_findings(found, inventory.roles))


def _role_files(roles: Sequence[Role]) -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = {}
    for role in roles:
        found.setdefault(role.name, set()).update({*role.files, role.anchor.file})
    return {name: tuple(sorted(files)) for name, files in found.items()}


def lint_unit(unit: Unit, config: Config, options: ReadOptions) -> UnitResult:
    """Read one unit and apply the enabled rules (runs in a worker process with ``--jobs``)."""
    result = RunResult([])
    try:
        read = read_unit(unit, options)
    except Exception as error:  # a bug in a reader must not stop the run
        finding = _internal(unit.files[0], "reading the file", error, result)
        return UnitResult([finding], internal_error=True, tracebacks=result.tracebacks)
    inventory = read.inventory
    if _has_subjects(inventory):
        _apply(inventory, _rules(config), Context(config.settings), result, unit.files[0])
    return UnitResult(
        findings=result.findings,
        suppressions=list(inventory.suppressions),
        role_files=_role_files(inventory.roles),
        raw=read.raw is not None,
        raw_policy=read.raw,
        skipped=read.skipped,
        roles=len(inventory.roles),
        notes=list(inventory.notes),
        included=tuple(dict.fromkeys(inventory.included)),
        internal_error=result.internal_error,
        tracebacks=result.tracebacks,
    )


def worker_lost(unit: Unit, why: str) -> UnitResult:
    """A unit whose worker process died: an internal error (exit 2) naming it, never a silent pass."""
    message = f"internal error while linting: {why}; this file was not linted"
    finding = problem_finding(Problem(unit.files[0], message, Span(1, 1, 1, 1), internal=True))
    return UnitResult([finding], internal_error=True, tracebacks=[f"{unit.files[0]}: {why}"])


def _in_focus(finding: Finding, role_files: dict[str, tuple[str, ...]], focus: set[str]) -> bool:
    """Named files (pre-commit): their own findings, and those of every role they take part in."""
    if finding.path in focus:
        return True
    return bool(focus.intersection(role_files.get(finding.subject.role or "", ())))


def run(
    paths: Sequence[str],
    config: Config,
    jobs: int | None = 1,
    use_cache: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Lint files and folders. ``jobs`` worker processes (``None``: chosen from the number of units
    left to lint); ``use_cache`` reads and writes the repository's ``.iam-saas-lint-cache/``;
    ``progress`` is told the files done and the total."""
    found = discover(paths, config.exclude, config.root)
    _skip_oversized_without_iam(found, config.max_file_size)
    result = RunResult([], files=len(found.files), skipped=found.skipped)
    for path, why in found.skipped:
        if why == "no such file or folder" or why.startswith(UNREADABLE):
            result.internal_error = True
            result.findings.append(problem_finding(Problem(display_path(path), why, Span(1, 1, 1, 1))))
    explicit = tuple(ExplicitRole(r.name, display_path(r.trust), tuple(r.policies)) for r in config.roles)
    # the scanned tree: folders as given; for named files (pre-commit), the folder the run starts in
    roots = tuple(path if os.path.isdir(path) else "." for path in paths)
    options = ReadOptions(config.max_file_size, explicit, roots, config.terraform_engine)
    if any(unit_kind(path) == "module" for path in found.files):  # a run without Terraform does not import it
        from .sources.terraform.files import loading_notes

        ignored, result.notes = loading_notes(found.files, config.terraform_engine)
        result.skipped.extend(ignored)
    cache = None
    if use_cache:
        from .cache import open_cache

        cache = open_cache(config, options)
    executor = Executor(lint_unit, config, options, jobs, cache, _counter(progress, len(found.files)), lost=worker_lost)
    try:
        units, call_notes = plan_module_calls(plan_units(found.files), options)
        result.notes.extend(call_notes)
        first = executor.run(units)
        raw_files = [unit.files[0] for unit, unit_result in first if unit_result.raw]
        parsed = [_with_read_state(r.raw_policy, r.reads) for _, r in first if r.raw_policy is not None]
        result.skipped.extend((unit.files[0], r.skipped) for unit, r in first if r.skipped)
        second = executor.run(bundle_units(raw_files, explicit, parsed))
    except BaseException:
        executor.abort()
        raise
    suppressions: list[Suppression] = []
    included = _included_elsewhere(first)
    for unit, unit_result in first + second:
        suppressions.extend(unit_result.suppressions)
        result.internal_error |= unit_result.internal_error
        result.tracebacks.extend(unit_result.tracebacks)
        result.notes.extend(unit_result.notes)
        kept = unit_result.findings
        parent = included.get(os.path.realpath(unit.files[0])) if included and unit.kind == "file" else None
        if parent is not None and not unit_result.internal_error:
            # read through its parent with the parameters it is passed; alone it would be judged
            # with unknown parameters. Its suppressions still count for the parent's reading.
            result.notes.append(f"{unit.files[0]}: read as part of {parent}, which deploys it, not on its own")
            continue
        if found.focus is not None:
            kept = [f for f in kept if _in_focus(f, unit_result.role_files, found.focus)]
            result.roles += sum(1 for files in unit_result.role_files.values() if found.focus.intersection(files))
        else:
            result.roles += unit_result.roles
        result.findings.extend(kept)
    result.units_linted = executor.linted
    executor.close()
    result.findings = sorted_unique(_suppress(result.findings, suppressions, config, found.focus))
    return result


def _with_read_state(raw: RawPolicy, reads: dict[str, str]) -> RawPolicy:
    """What the read log recorded for the file, kept for the bundle pass (nothing without the cache)."""
    state = reads.get(raw.file, "")
    return raw if state == raw.read_state else replace(raw, read_state=state)


def _included_elsewhere(results: Sequence[tuple[Unit, UnitResult]]) -> dict[str, str]:
    """Files that another unit read as part of itself (real path → that unit's file)."""
    found: dict[str, str] = {}
    for unit, unit_result in results:
        if not unit_result.included:
            continue
        own = {os.path.realpath(path) for path in unit.files}
        for path in unit_result.included:
            real = os.path.realpath(path)
            if real not in own:
                found.setdefault(real, unit.files[0])
    return found


def _skip_oversized_without_iam(found: Discovery, max_bytes: int) -> None:
    from .sources.text.files import oversized_without_iam

    kept = []
    for path in found.files:
        if oversized_without_iam(path, max_bytes):
            found.skipped.append((path, f"over the {max_bytes:,}-byte limit and its head looks like no IAM: skipped"))
        else:
            kept.append(path)
    found.files = kept


def _counter(progress: Callable[[int, int], None] | None, total: int) -> Callable[[int], None] | None:
    """Files done in the first pass (the second pass re-reads raw policy files already counted)."""
    if progress is None:
        return None
    done = 0

    def advance(files: int) -> None:
        nonlocal done
        done = min(total, done + files)
        progress(done, total)

    return advance


def _suppress(
    findings: list[Finding], suppressions: list[Suppression], config: Config, focus: set[str] | None
) -> list[Finding]:
    """Drop suppressed findings; ask the suppression rules about the suppressions in ``focus``."""
    kept, used = suppress.apply(findings, suppressions, config)
    rules = _rules(config)
    enabled = [rule.id for rule in rules]
    uses = [
        SuppressionUse(s, used[i], all(any(rule.startswith(r) for rule in enabled) for r in s.rules))
        for i, s in enumerate(suppressions)
        if focus is None or s.file in focus
    ]
    for rule in rules:
        if rule.check_suppressions is not None:
            kept.extend(to_finding(rule, v) for v in rule.check_suppressions(uses))
    return kept


def lint_paths(paths: Sequence[str], config: Config | None = None) -> list[Finding]:
    """Lint files and folders; findings sorted and deduplicated."""
    return run(paths, config or Config()).findings


__all__ = ["RunResult", "check_inventory", "lint_paths", "run"]
