"""The command line: ``iam-saas-lint [check] [PATH ...]`` (linting is the default) and the subcommands
``rules``, ``rule ID``, ``vendors [NAME|ACCOUNT]`` and ``suggest --vendor NAME``.

A subcommand is recognised only as the first argument: a folder named like one is linted when written
``./rules``, after ``--`` or after ``check``.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .command_line import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    LINT,
    SUBCOMMANDS,
    LintArguments,
    add_lint_options,
    emit,
    quick_lint_arguments,
)
from .interrupts import exits_cleanly

if TYPE_CHECKING:
    import argparse

    from .config import Config
    from .engine import RunResult
    from .findings import Finding, RuleInfo
    from .report.summary import Checked


def _ids(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip().upper() for value in values for part in value.split(",") if part.strip()]


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line (``--help`` lists every subcommand), or only the ``only`` command's."""
    from .commands import Parser, add_subcommands

    top = Parser(
        prog="iam-saas-lint",
        usage="iam-saas-lint [check] [PATH ...] [options]\n       iam-saas-lint {rules,rule,vendors,suggest} ...",
        description="Lint IAM roles for third-party SaaS vendors: external ids and source-IP denies. "
        "Without a subcommand, the arguments are those of 'check'.",
        epilog="A path named like a subcommand is linted when written ./rules or after --. "
        "'iam-saas-lint check --help' lists the lint options.",
    )
    top.add_argument("--version", action="version", version=f"iam-saas-lint {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    if only is None or only == LINT:
        check = commands.add_parser(
            LINT, help="lint files and folders (the default)", description="Lint files and folders (default: .)."
        )
        add_lint_options(check)
    if only != LINT:
        add_subcommands(commands, only)
    return top


def _with_command(argv: list[str]) -> list[str]:
    if argv and (argv[0] in SUBCOMMANDS or argv[0] in (LINT, "-h", "--help")):
        return argv
    return [LINT, *argv]


def _lines(findings: Sequence[Finding]) -> dict[str, list[str]]:
    from .sources.text.files import source_lines  # bounded, regular files only (an oversized file may be 100 MB)

    lines: dict[str, list[str]] = {}
    for path in {f.path for f in findings}:
        found = source_lines(path)
        if found is not None:
            lines[path] = found
    return lines


def _render(args: LintArguments, findings: Sequence[Finding], checked: Checked) -> str:
    from .engine import rule_infos
    from .report import text

    # a rule's info parses its docstring: only SARIF lists every rule, text names those found
    found = {finding.rule for finding in findings}
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if args.quiet:
        return text.summary_line(findings, checked) + "\n"
    if args.statistics:
        return text.format_statistics(findings, rule_infos(found), checked)
    if args.format == "json":
        from .report.json_format import format_json

        return format_json(findings, checked)
    if args.format in ("sarif", "github"):
        from .paths import relative_to_repository

        return _machine_format(args.format, relative_to_repository(findings), rule_infos())
    if args.format == "concise":
        return text.format_concise(findings, colour=colour, checked=checked)
    return text.format_text(
        findings, rule_infos(found), _lines(findings), colour=colour, show_fixes=args.show_fixes, checked=checked
    )


def _machine_format(name: str, located: tuple[list[Finding], str], rules: Sequence[RuleInfo]) -> str:
    findings, root = located
    if name == "sarif":
        from .report.sarif import format_sarif

        return format_sarif(findings, rules, root)
    from .report.github import format_github

    return format_github(findings)


def _baseline(args: LintArguments, findings: list[Finding]) -> list[Finding]:
    if not (args.write_baseline or args.baseline):
        return findings
    from . import baseline

    if args.write_baseline:
        from .paths import repository_root

        baseline.write_file(args.write_baseline, findings, repository_root(".") or ".")
        print(f"iam-saas-lint: wrote {len(findings)} findings to {args.write_baseline}", file=sys.stderr)
        return []
    if args.baseline:
        recorded = baseline.read_file(args.baseline)
        if recorded.notice:
            print(f"iam-saas-lint: {recorded.notice}", file=sys.stderr)
        return baseline.new_findings(findings, recorded)
    return findings


def _progress_wanted(args: LintArguments) -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ and not args.quiet


def _lint(args: LintArguments) -> int:
    from .config import ConfigError, load_config
    from .model.values import is_account_id
    from .selection import check_rule_ids

    try:
        config = load_config(args.config, ".")
        for account in args.own_account:
            if not is_account_id(account):
                raise ConfigError(f"--own-account: {account!r} is not a 12-digit account id")
        select, ignore = _ids(args.select), _ids(args.ignore)
        check_rule_ids(select or (), "--select")
        check_rule_ids(ignore or (), "--ignore")
        config = config.with_overrides(args.own_account, select, ignore)
    except (ConfigError, ValueError) as error:
        print(f"iam-saas-lint: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.jobs is not None and args.jobs < 1:
        print("iam-saas-lint: --jobs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    paths, changed = list(args.paths) or ["."], None
    if args.hook:
        from .changes import hook_paths

        changed = tuple(args.paths)
        paths = hook_paths(args.paths, config)
        if not paths:
            from .report.summary import Checked

            emit(_render(args, [], Checked(0, 0, changed=changed)))
            return EXIT_CLEAN
    result = _run(args, paths, config)
    return _report(args, result, changed)


#: The collector's thresholds while a command-line run lints (``gc.set_threshold``).
LINT_GC_THRESHOLDS = (1_000_000, 20, 20)


def _run(args: LintArguments, paths: Sequence[str], config: Config) -> RunResult:
    from .engine import run
    from .progress import Progress

    progress = Progress() if _progress_wanted(args) else None
    if not gc.isenabled():  # started by ``program``: what start-up allocated lives to the end
        gc.freeze()
        # linting keeps most of what it makes (documents, verdicts, findings) to the end, so the
        # default of a collection every 700 allocations walked them 900 times in a folder of 10,000
        # files (1 s of 6.5 s); what it frees is freed by reference counting: one every 50,000 still
        # made 13 collections there (0.1 s of 2 s) that found 33 objects in cycles, and a few hundred
        # over the whole corpus
        gc.set_threshold(*LINT_GC_THRESHOLDS)
        gc.enable()
    try:
        # --jobs unset: chosen from the number of units left to lint
        return run(paths, config, jobs=args.jobs, use_cache=not args.no_cache, progress=progress)
    finally:
        if progress is not None:
            progress.done()


def _report(args: LintArguments, result: RunResult, changed: tuple[str, ...] | None) -> int:
    from .report.summary import Checked

    findings = result.findings
    try:
        findings = _baseline(args, findings)
    except (OSError, ValueError) as error:
        print(f"iam-saas-lint: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.verbose:
        for path, why in result.skipped:
            print(f"iam-saas-lint: skipped {path}: {why}", file=sys.stderr)
        for note in result.notes:
            print(f"iam-saas-lint: {note}", file=sys.stderr)
    if args.debug:
        for trace in result.tracebacks:
            print(trace, file=sys.stderr)
    hidden = len(result.findings) - len(findings) if args.baseline and not args.write_baseline else 0
    emit(_render(args, findings, Checked(result.files, result.roles, hidden, changed)))
    if result.internal_error:
        return EXIT_ERROR
    if findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


@exits_cleanly
def main(argv: Sequence[str] | None = None) -> int:
    """``iam-saas-lint``: exit 0 no findings, 1 findings, 2 usage, configuration or internal error."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        command_line = _with_command(arguments)
        quick = quick_lint_arguments(command_line[1:]) if command_line[0] == LINT else None
        if quick is not None:
            return _lint(quick)
        # building every subcommand's parser costs more than the parsing: only the one used is built
        only = command_line[0] if command_line[0] in (LINT, *SUBCOMMANDS) else None
        args = parser(only).parse_args(command_line)
        if args.command == LINT:
            return _lint(LintArguments(vars(args)))
        code: int = args.run(args)
        return code
    except BrokenPipeError:  # `iam-saas-lint rule ISL001 | head`: the reader has what it wanted
        from .command_line import silence_stdout

        silence_stdout()
        return EXIT_CLEAN


def program() -> NoReturn:
    """The ``iam-saas-lint`` program (the console script, ``python -m iam_saas_lint``): ``main`` in a
    process of its own. Start-up (imports, tables, parsers) allocates tens of thousands of objects
    that live to the end; the garbage collector would walk them all a few times while they are made
    and once more at exit, a tenth of a one-file run. It is held off until linting starts (then it
    only walks what linting allocates) and they are left out of the walk at exit."""
    gc.disable()
    code = main()
    gc.freeze()
    sys.exit(code)
