"""Golden outputs for every format, on the bundled fixtures, with volatile fields replaced.

Regenerate after an intended change with ``python scripts/update_snapshots.py`` and read the diff
before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from snapshot import FORMATS, GOLDEN, golden

from iam_saas_lint.cli import main
from iam_saas_lint.findings import fingerprint

REPO = Path(__file__).resolve().parent.parent
TARGETS = ["fixtures/raw", "fixtures/account-export"]


@pytest.fixture(autouse=True)
def _at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.mark.parametrize("name", FORMATS)
def test_golden(name: str) -> None:
    path = GOLDEN / f"fixtures.{name}"
    assert golden(name) == path.read_text(), f"{path} is stale: run python scripts/update_snapshots.py"


def test_sarif_validates_against_the_official_schema(capsys: pytest.CaptureFixture[str]) -> None:
    from jsonschema import Draft7Validator

    schema = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())
    assert main(["--format", "sarif", *TARGETS]) == 1
    document = json.loads(capsys.readouterr().out)
    errors = sorted(Draft7Validator(schema).iter_errors(document), key=str)
    assert errors == []
    run = document["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"ISL001", "ISL005"}
    assert all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for r in run["results"]
    )


def test_fingerprints_do_not_change_when_lines_move(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iam_saas_lint.engine import lint_paths

    monkeypatch.chdir(tmp_path)
    trust = (REPO / "fixtures/raw/datadog-no-external-id/trust.json").read_text()
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "trust.json").write_text(trust)
    before = {f.rule: (f.line, fingerprint(f)) for f in lint_paths(["."])}
    (tmp_path / "r" / "trust.json").write_text("\n\n\n" + trust)
    after = {f.rule: (f.line, fingerprint(f)) for f in lint_paths(["."])}
    assert before["ISL001"][0] + 3 == after["ISL001"][0]
    assert before["ISL001"][1] == after["ISL001"][1]


def test_github_annotations_escape_properties_and_data() -> None:
    from iam_saas_lint.findings import Finding, Severity
    from iam_saas_lint.report.github import format_github

    finding = Finding(
        "ISL003", "invalid-external-id-value", Severity.WARNING, "a,b:c.json", 2, 3, 2, 9, text="50%\nnew"
    )
    assert format_github([finding]) == (
        "::warning file=a%2Cb%3Ac.json,line=2,col=3,endLine=2,endColumn=9,"
        "title=ISL003 invalid-external-id-value::50%25%0Anew\n"
    )
