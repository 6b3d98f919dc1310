"""The lint command line read without argparse: every command line it reads, it reads as argparse
does; the others (help, abbreviations, ``--``, errors) are left to argparse, which reports them."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint.cli import parser
from iam_saas_lint.command_line import LINT_OPTIONS, quick_lint_arguments

WORDS = [option for option, *_ in LINT_OPTIONS] + [
    "json", "sarif", "text", "concise", "xml", "1", "0", "2x", " 3", "-1", "ISL001,ISL005", "isl0",
    "a.json", "dir/", "main.tf", "-", "--", "", "--form", "--no-c", "--help", "-h", "--version",
    "--no-cache=1", "--format=json", "--format=", "--jobs=2", "--select=ISL001", "--config=a=b", "--own-account=1",
    "a b", "--x y",
]  # fmt: skip


def _argparse(tokens: list[str]) -> dict[str, object] | None:
    """What argparse makes of ``check TOKENS``; ``None`` when it refuses them (or prints help)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            namespace = parser("check").parse_args(["check", *tokens])
    except SystemExit:
        return None
    values = vars(namespace)
    del values["command"]
    return values


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_what_is_read_without_argparse_is_what_argparse_reads(tokens: list[str]) -> None:
    quick = quick_lint_arguments(tokens)
    if quick is not None:
        assert vars(quick) == _argparse(tokens)


PLAIN = [
    ["--no-cache", "--jobs", "1", "fixtures/raw/datadog-protected/trust.json"],
    ["--hook", "main.tf", "roles/trust.json"],
    [],
    ["a.json", "--format=sarif", "--select", "ISL001", "--select", "ISL005,ISL009", "--own-account", "123456789012"],
    ["--config", "ci.toml", "--baseline", "base.json", "--exit-zero", "--quiet", "--verbose", "--debug", "."],
    ["--format", "json", "--statistics", "--show-fixes", "--ignore=ISL1", "--write-baseline=b.json", "--jobs=4"],
]


def test_the_command_lines_hooks_and_people_write_are_read_without_argparse() -> None:
    for tokens in PLAIN:
        quick = quick_lint_arguments(tokens)
        assert quick is not None, tokens
        assert vars(quick) == _argparse(tokens)
    assert vars(quick_lint_arguments(PLAIN[3]) or {})["select"] == ["ISL001", "ISL005,ISL009"]
    for refused in (["a.json", "--quiet", "b.json"], ["--jobs", "x"], ["--format", "xml"], ["--form", "json"]):
        assert quick_lint_arguments(refused) is None


def test_a_one_file_run_does_not_import_argparse_and_help_still_does() -> None:
    code = (
        "import runpy, sys\nsys.argv = ['iam-saas-lint', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('iam_saas_lint', run_name='__main__')\n"
        "except SystemExit as exit:\n    print('exit', exit.code, 'argparse', 'argparse' in sys.modules)\n"
    )

    def run(*arguments: str) -> list[str]:
        command = [sys.executable, "-c", code, *arguments]
        return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120).stdout.splitlines()

    assert run("--no-cache", "--quiet", "fixtures/raw/datadog-protected/trust.json") == [
        "Checked 3 files, 1 role: no findings.",
        "exit 0 argparse False",
    ]
    helped = run("check", "--help")
    assert helped[:2] == [
        "usage: iam-saas-lint [check] [PATH ...] [options]",
        "       iam-saas-lint {rules,rule,vendors,suggest} ... check",
    ]
    assert any(line.startswith("  --hook                PATHs are the files a commit changes") for line in helped)
    assert helped[-1] == "exit 0 argparse True"
