"""What the command line is made of before argparse: exit codes, subcommand names, writing to stdout,
and the lint command's options.

The options are declared once, in ``LINT_OPTIONS``: ``add_lint_options`` gives them to argparse,
and ``quick_lint_arguments`` reads the plain command lines that hooks and people write (exact
option names, ``--option value`` or ``--option=value``, one run of paths) into what argparse would
make of them. Anything else (help, ``--version``, abbreviations, ``--``, a value that starts with a
dash, a bad value, paths on both sides of an option) is left to argparse, which also reports the
errors. Importing argparse and building the parser (with ``gettext`` and ``locale``) is about a
twelfth of a one-file run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    import argparse

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("rules", "rule", "vendors", "suggest")
LINT = "check"
FORMATS = ("text", "concise", "json", "sarif", "github")

_JOBS_HELP = "worker processes (default: one below a few hundred units to lint, else available CPUs)"
_HOOK_HELP = (
    "PATHs are the files a commit changes (pre-commit): lint the modules and bundles they and the "
    "commit's staged deletions take part in; no PATH means nothing changed"
)
#: The lint command's options in the order ``--help`` lists them: (option, what follows it, its
#: default, metavar, help). What follows: nothing (a switch), a value, a number, a format, or a
#: value that may be repeated (``values``; each adds to a list).
LINT_OPTIONS: tuple[tuple[str, str, object, str | None, str], ...] = (
    ("--format", "format", "text", None, "output format (default: text)"),
    ("--quiet", "switch", False, None, "print only the summary line"),
    ("--statistics", "switch", False, None, "print the number of findings per rule"),
    ("--show-fixes", "switch", False, None, "show the snippet that fixes each finding"),
    ("--jobs", "number", None, "N", _JOBS_HELP),
    ("--no-cache", "switch", False, None, "do not read or write .iam-saas-lint-cache/"),
    ("--baseline", "value", None, "FILE", "report only findings that are not in this baseline"),
    ("--write-baseline", "value", None, "FILE", "record the current findings as a baseline"),
    ("--config", "value", None, "FILE", "configuration file (default: nearest pyproject.toml)"),
    ("--select", "values", None, "IDS", "rule id prefixes to enable"),
    ("--ignore", "values", None, "IDS", "rule id prefixes to disable"),
    ("--own-account", "values", [], "ID", "an account id you own"),
    ("--exit-zero", "switch", False, None, "exit 0 even when there are findings"),
    ("--verbose", "switch", False, None, "list every skipped file and folder with the reason"),
    ("--debug", "switch", False, None, "print tracebacks of internal errors"),
    ("--hook", "switch", False, None, _HOOK_HELP),
)
_BY_OPTION = {option: (option[2:].replace("-", "_"), follows) for option, follows, _, _, _ in LINT_OPTIONS}


class LintArguments:
    """The lint command's options, as argparse's namespace holds them."""

    paths: list[str]
    format: str
    quiet: bool
    statistics: bool
    show_fixes: bool
    jobs: int | None
    no_cache: bool
    baseline: str | None
    write_baseline: str | None
    config: str | None
    select: list[str] | None
    ignore: list[str] | None
    own_account: list[str]
    exit_zero: bool
    verbose: bool
    debug: bool
    hook: bool

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


def add_lint_options(parser: argparse.ArgumentParser) -> None:
    """The lint command's arguments, declared to argparse."""
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    for option, follows, default, metavar, text in LINT_OPTIONS:
        if follows == "switch":
            parser.add_argument(option, action="store_true", help=text)
        elif follows == "format":
            parser.add_argument(option, choices=FORMATS, default=default, help=text)
        elif follows == "number":
            parser.add_argument(option, type=int, metavar=metavar, help=text)
        elif follows == "values":
            parser.add_argument(option, action="append", default=default, metavar=metavar, help=text)
        else:
            parser.add_argument(option, metavar=metavar, help=text)
    parser.add_argument("--version", action="version", version=f"iam-saas-lint {__version__}")


def quick_lint_arguments(tokens: Sequence[str]) -> LintArguments | None:
    """What argparse would make of the lint command's ``tokens`` when they are a plain command line;
    ``None`` for anything argparse must read (or refuse) itself."""
    values: dict[str, object] = {"paths": []}
    for option, _, default, _, _ in LINT_OPTIONS:
        values[_BY_OPTION[option][0]] = list(default) if isinstance(default, list) else default
    paths: list[str] = []
    paths_ended = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not token:
            return None
        if not token.startswith("-"):
            if paths_ended:
                return None  # a second run of paths: argparse refuses it
            paths.append(token)
            continue
        paths_ended = bool(paths)
        option, equals, attached = token.partition("=")
        known = _BY_OPTION.get(option)
        if known is None:
            return None
        name, follows = known
        if follows == "switch":
            if equals:
                return None
            values[name] = True
            continue
        if not equals:
            if index >= len(tokens):
                return None
            attached = tokens[index]
            index += 1
        if not attached or attached.startswith("-"):
            return None
        value = _value(follows, attached)
        if value is None:
            return None
        if follows == "values":
            listed = values[name]
            values[name] = [*listed, value] if isinstance(listed, list) else [value]
        else:
            values[name] = value
    values["paths"] = paths
    return LintArguments(values)


def _value(follows: str, text: str) -> str | int | None:
    if follows == "number":
        try:
            return int(text)
        except ValueError:
            return None
    if follows == "format":
        return text if text in FORMATS else None
    return text


def silence_stdout() -> None:
    """After the reader closed the pipe: send what is left to /dev/null, so that Python's flush
    at exit does not print a BrokenPipeError of its own."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def emit(text: str) -> bool:
    """Write to stdout; ``False`` when the reader has gone (``… | head``), which is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        return False
    return True
