"""Text a file or a folder name can hold that UTF-8 cannot: a lone surrogate (a JSON ``"\\ud800"``)
and a folder name that is not UTF-8 reach every output format and the baseline as escapes, never
as a traceback. Each run is a watched child process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from child import lint_child

SURROGATE = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
    ' "Principal": {"AWS": "\\ud800"}}]}\n'
)
TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
    ' "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]}\n'
)
FORMATS = ["text", "concise", "github", "json", "sarif"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "surrogate").mkdir(parents=True)
    (root / "surrogate" / "trust.json").write_text(SURROGATE)
    if sys.platform.startswith("linux"):  # a name of bytes that are not UTF-8 (macOS refuses them)
        folder = os.path.join(os.fsencode(root), b"name\xff")
        os.mkdir(folder)
        with open(os.path.join(folder, b"trust.json"), "w", encoding="utf-8") as handle:
            handle.write(TRUST)
    (root / ".iam-saas-lint.toml").write_text("")
    return root


@pytest.mark.parametrize("output", FORMATS)
def test_every_format_writes_what_utf8_cannot_hold_as_escapes(tree: Path, output: str) -> None:
    outcome = lint_child(tree, output=output)
    assert outcome.code == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    outcome.stdout.encode("utf-8")  # nothing left that cannot be written
    if output in ("text", "concise", "github"):
        assert "\\ud800" in outcome.stdout
    if output == "json":
        assert {f["path"] for f in outcome.findings} >= {"surrogate/trust.json"}
    if output == "sarif":
        uris = {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in json.loads(outcome.stdout)["runs"][0]["results"]
        }
        assert "surrogate/trust.json" in uris
        if sys.platform.startswith("linux"):
            assert "name%FF/trust.json" in uris  # the name's own bytes, percent-encoded
    outcome.within_limits()


def test_a_baseline_records_and_absorbs_findings_that_name_a_surrogate(tree: Path) -> None:
    (tree / ".git").mkdir()
    written = lint_child(tree, "--write-baseline", "baseline.json", output="text")
    assert written.code == 0, written.stderr
    assert lint_child(tree, "--baseline", "baseline.json").rows() == []
