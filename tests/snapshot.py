"""What the snapshot tests compare and ``scripts/update_snapshots.py`` rewrites: the findings of
every fixture folder (``tests/snapshots/``) and every output format on the bundled fixtures
(``tests/golden/``), with volatile fields (version, absolute paths) replaced by placeholders."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from iam_saas_lint import __version__
from iam_saas_lint.cli import main
from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.report.text import format_concise

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SNAPSHOTS = Path(__file__).parent / "snapshots"
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_TARGETS = ["fixtures/raw", "fixtures/account-export"]
FORMATS = {
    "text": ["--format", "text"],
    "fixes": ["--show-fixes"],
    "concise": ["--format", "concise"],
    "json": ["--format", "json"],
    "sarif": ["--format", "sarif"],
    "github": ["--format", "github"],
    "statistics": ["--statistics"],
    "quiet": ["--quiet"],
}


@contextlib.contextmanager
def at_repo() -> Iterator[None]:
    old = os.getcwd()
    os.chdir(REPO)
    try:
        yield
    finally:
        os.chdir(old)


def fixture_folders() -> list[str]:
    """Every file or folder directly inside a fixture family (``fixtures/terraform/for_each``, ...)."""
    found = []
    for family in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        found.extend(str(child.relative_to(REPO)) for child in sorted(family.iterdir()))
    return found


def snapshot_path(target: str) -> Path:
    return SNAPSHOTS / (str(Path(target).relative_to("fixtures")) + ".txt")


def snapshot(target: str) -> str:
    """``path:line:col: RULE message`` for each finding of ``target`` linted alone, and the summary."""
    with at_repo():
        text = format_concise(run([target], Config()).findings)
    # A file() target outside the scanned tree is named by its absolute path, which depends on
    # where the checkout is.
    return text.replace(str(REPO.parent) + os.sep, "<CHECKOUT-PARENT>" + os.sep)


def normalise(text: str) -> str:
    text = text.replace(json.dumps(__version__), '"<VERSION>"')
    return re.sub(r'"file://[^"]*/"', '"file://<ROOT>/"', text)


def golden(name: str) -> str:
    """The bundled fixtures in one output format, as the CLI prints it."""
    out = io.StringIO()
    with at_repo(), contextlib.redirect_stdout(out):
        code = main([*FORMATS[name], *GOLDEN_TARGETS])
    assert code == 1, f"expected findings (exit 1), got {code}"
    return normalise(out.getvalue())


def expected_files() -> dict[Path, str]:
    """Every snapshot and golden file, as the current code writes it."""
    files = {snapshot_path(target): snapshot(target) for target in fixture_folders()}
    files.update({GOLDEN / f"fixtures.{name}": golden(name) for name in FORMATS})
    return files
