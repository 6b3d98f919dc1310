"""What a one-file run's start-up leaves out: the garbage collector walks only what linting
allocates, and a rule's docstring is parsed only when the output shows it."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

TRUST = "fixtures/raw/datadog-protected/trust.json"


def _child(code: str, *arguments: str) -> list[str]:
    prelude = (
        f"import gc, runpy, sys\nsys.argv = ['iam-saas-lint', '--no-cache', '--jobs', '1', *{list(arguments)!r}]\n"
    )
    done = subprocess.run([sys.executable, "-c", prelude + code], cwd=REPO, capture_output=True, text=True, timeout=120)
    return done.stdout.splitlines()


def test_the_program_collects_garbage_while_linting_and_not_during_start_up() -> None:
    code = (
        "import iam_saas_lint.engine as engine\n"
        "real = engine.run\n"
        "def run(*args, **kwargs):\n"
        "    print('linting with gc', gc.isenabled(), 'frozen', gc.get_freeze_count() > 10000)\n"
        "    return real(*args, **kwargs)\n"
        "engine.run = run\n"
        "try:\n    runpy.run_module('iam_saas_lint', run_name='__main__')\n"
        "except SystemExit as exit:\n    print('exit', exit.code, 'gc', gc.isenabled())\n"
    )
    assert _child(code, TRUST)[-3:] == [
        "linting with gc True frozen True",
        "Checked 3 files, 1 role: no findings.",
        "exit 0 gc True",
    ]


def test_main_called_in_process_leaves_the_garbage_collector_alone() -> None:
    code = "from iam_saas_lint.cli import main\nmain(sys.argv[1:])\nprint(gc.isenabled(), gc.get_freeze_count())\n"
    assert _child(code, "--quiet", TRUST)[-1] == "True 0"


def test_rule_docstrings_are_parsed_only_for_the_rules_shown() -> None:
    code = (
        "import iam_saas_lint.rules.base as base\n"
        "parsed = []\n"
        "real = base.doc_sections\n"
        "base.doc_sections = lambda doc: parsed.append(doc) or real(doc)\n"
        "try:\n    runpy.run_module('iam_saas_lint', run_name='__main__')\n"
        "except SystemExit:\n    print('parsed', len(parsed))\n"
    )
    assert _child(code, TRUST)[-1] == "parsed 0"
    assert _child(code, "fixtures/raw/datadog-no-external-id/trust.json")[-1] != "parsed 0"
