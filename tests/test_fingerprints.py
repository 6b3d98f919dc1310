"""One fingerprint for baselines and SARIF: what a finding is about, not how it is worded or where
its statement sits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_tree

from iam_saas_lint import engine, selection
from iam_saas_lint.baseline import MESSAGE_FORMAT, message_fingerprint
from iam_saas_lint.cli import main
from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding, Severity, Subject, fingerprint
from iam_saas_lint.model.document import Inventory
from iam_saas_lint.records import replace
from iam_saas_lint.rules import RULES
from iam_saas_lint.rules.base import Context, Rule, Violation

NO_ID = (
    '{"Sid": "Datadog", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"},'
    ' "Action": "sts:AssumeRole"}'
)
WEAK_ID = (
    '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::754728514883:root"}, "Action": "sts:AssumeRole",'
    ' "Condition": {"StringLike": {"sts:ExternalId": "*"}}}'
)
PLACEHOLDER = (
    '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",'
    ' "Condition": {"StringEquals": {"sts:ExternalId": "<your external id>"}}}'
)


def _trust(*statements: str) -> str:
    return '{\n  "Version": "2012-10-17",\n  "Statement": [\n    ' + ",\n    ".join(statements) + "\n  ]\n}\n"


def _cfn(*statements: str) -> str:
    lines = ["Resources:", "  VendorRole:", "    Type: AWS::IAM::Role", "    Properties:"]
    lines += ["      AssumeRolePolicyDocument:", "        Version: '2012-10-17'", "        Statement:"]
    lines += [f"          - {statement}" for statement in statements]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "path, write",
    [("roles/vendor/trust.json", _trust), ("stack.yaml", _cfn)],
    ids=["raw json", "cloudformation yaml"],
)
def test_a_baseline_hides_the_same_findings_after_statements_are_reordered(
    path: str, write: object, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert callable(write)
    write_tree(in_tmp, {path: write(NO_ID, WEAK_ID, PLACEHOLDER)})
    assert main(["--write-baseline", "baseline.json"]) == 0
    recorded = json.loads((in_tmp / "baseline.json").read_text())
    assert sorted(f["rule"] for f in recorded["findings"]) == ["ISL001", "ISL002", "ISL003", "ISL005"]
    (in_tmp / path).write_text(write(PLACEHOLDER, WEAK_ID, NO_ID))
    capsys.readouterr()
    assert main(["--baseline", "baseline.json", "--format", "concise"]) == 0, capsys.readouterr().out
    # the same principal in a new statement is a new finding
    another = NO_ID.replace('"Sid": "Datadog"', '"Sid": "DatadogAgain"')
    (in_tmp / path).write_text(write(PLACEHOLDER, WEAK_ID, NO_ID, another))
    capsys.readouterr()
    assert main(["--baseline", "baseline.json", "--format", "concise"]) == 1
    (line,) = capsys.readouterr().out.splitlines()[:-1]
    assert " ISL001 " in line and "464622532012" in line


def _reworded(rule: Rule) -> Rule:
    def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
        assert rule.check is not None
        for violation in rule.check(inventory, context):
            yield replace(violation, text=violation.text.replace("can be assumed by", "is open to"))

    return replace(rule, check=check)


def test_a_baseline_hides_the_same_findings_after_a_message_is_reworded(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {"roles/vendor/trust.json": _trust(NO_ID, WEAK_ID)})
    assert main(["--write-baseline", "baseline.json"]) == 0
    reworded = tuple(_reworded(rule) if rule.id == "ISL001" else rule for rule in RULES)
    monkeypatch.setattr(engine, "RULES", reworded)
    monkeypatch.setattr(selection, "RULES", reworded)
    capsys.readouterr()
    assert main(["--no-cache", "--format", "concise"]) == 1
    assert "is open to Datadog" in capsys.readouterr().out
    assert main(["--no-cache", "--baseline", "baseline.json", "--format", "concise"]) == 0
    assert capsys.readouterr().out.endswith("no findings (3 findings hidden by the baseline).\n")


def test_an_old_baseline_still_hides_its_findings_and_asks_to_be_rewritten(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(in_tmp, {"roles/vendor/trust.json": _trust(NO_ID, WEAK_ID)})
    findings = run(["."], Config()).findings
    entries = [{"fingerprint": message_fingerprint(f), "rule": f.rule} for f in findings[1:]]
    (in_tmp / "old.json").write_text(json.dumps({"format": MESSAGE_FORMAT, "findings": entries}))
    assert main(["--baseline", "old.json", "--format", "concise"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[:-1] == [f"{findings[0].path}:{findings[0].line}:{findings[0].column}: "
                                     f"{findings[0].rule} {findings[0].message}"]  # fmt: skip
    assert "re-write it with --write-baseline old.json" in err


def test_sarif_and_the_baseline_share_the_fingerprint(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp, {"roles/vendor/trust.json": _trust(NO_ID, WEAK_ID)})
    assert main(["--write-baseline", "baseline.json"]) == 0
    recorded = sorted(f["fingerprint"] for f in json.loads((in_tmp / "baseline.json").read_text())["findings"])
    capsys.readouterr()
    main(["--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert sorted(r["partialFingerprints"]["iamSaasLint/v2"] for r in results) == recorded


def test_the_fingerprint_leaves_out_message_line_and_statement_index() -> None:
    subject = Subject("R", "R", element="trust policy#sid:A")
    finding = Finding("ISL001", "missing-external-id", Severity.ERROR, "a.json", 3, 5, 3, 9, "$.Statement[0]", subject)
    moved = replace(finding, line=30, column=1, json_path="$.Statement[4]", text=" reworded")
    assert fingerprint(moved) == fingerprint(finding)
    other = replace(finding, subject=replace(subject, element="trust policy#sid:B"))
    assert fingerprint(other) != fingerprint(finding)
