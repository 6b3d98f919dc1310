"""What a one-file run's start-up leaves out: the garbage collector walks only what linting
allocates, and a rule's docstring is parsed only when the output shows it."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
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


PLAN = "fixtures/terraform/plan/plan.json"


def test_a_run_with_findings_names_statements_without_loading_openssl() -> None:
    code = (
        "try:\n    runpy.run_module('iam_saas_lint', run_name='__main__')\n"
        "except SystemExit as exit:\n    print('exit', exit.code, 'openssl', '_hashlib' in sys.modules)\n"
    )
    rows = _child(code, "--format", "concise", PLAN)
    assert rows[0] == (
        f'{PLAN}:43:11: ISL007 long-term access key for user "vendor-sync": give a vendor a role with an external id '
        "instead"
    )
    assert rows[-2:] == [
        "Checked 1 file, 4 roles: 6 findings (3 errors, 3 warnings) in 1 file.",
        "exit 1 openssl False",
    ]


def test_statement_digests_are_sha256_before_and_after_openssl_takes_over(monkeypatch: pytest.MonkeyPatch) -> None:
    from iam_saas_lint import digest

    monkeypatch.setattr(digest, "_calls", 0)
    texts = [f'[("Action", "sts:AssumeRole"), ("Effect", "Allow"), ("N", {n})]'.encode() for n in range(300)]
    found = [digest.sha256_hex(text) for text in texts]
    assert found == [hashlib.sha256(text).hexdigest() for text in texts]
    assert digest._calls == 300
    assert digest.sha256_hex("\ud800".encode("utf-8", "surrogatepass")) == hashlib.sha256(b"\xed\xa0\x80").hexdigest()


YAML = "fixtures/cloudformation/short-tags.yaml"


def test_yaml_is_imported_with_its_patterns_compiled_when_first_used() -> None:
    code = (
        "import re\ncompile_before = re.compile\n"
        "try:\n    runpy.run_module('iam_saas_lint', run_name='__main__')\n"
        "except SystemExit as exit:\n    print('exit', exit.code)\n"
        "import yaml\nprint(repr(yaml.reader.Reader.NON_PRINTABLE).startswith('lazy_compile('),"
        " re.compile is compile_before)\n"
        # the pure-Python reader and constructor still use them
        "try:\n    yaml.load('a: b\\x07', Loader=yaml.SafeLoader)\nexcept yaml.reader.ReaderError as error:\n"
        "    print('unprintable', error.character == 7)\n"
        "print(yaml.load('d: 2001-12-14\\ne: 0x1f\\nf: yes', Loader=yaml.SafeLoader))\n"
    )
    assert _child(code, "--format", "concise", YAML)[-7:] == [
        f'{YAML}:39:7: ISL005 role "AuditRole" trusts Datadog (464622532012) but no permission policy denies all '
        "actions from outside the vendor's addresses (Deny * with NotIpAddress aws:SourceIp)",
        f'{YAML}:43:13: ISL001 role "AuditRole" can be assumed by Datadog (464622532012) without an sts:ExternalId '
        "condition",
        "Checked 1 file, 3 roles: 2 findings (2 errors, 0 warnings) in 1 file.",
        "exit 1",
        "True True",
        "unprintable True",
        "{'d': datetime.date(2001, 12, 14), 'e': 31, 'f': True}",
    ]
