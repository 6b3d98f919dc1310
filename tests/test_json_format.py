"""The JSON output writes each finding itself (json's indented encoder runs in Python): the text must
be exactly what ``json.dumps(document, indent=2)`` writes, whatever the findings hold."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint import __version__
from iam_saas_lint.findings import Finding, Severity, Subject
from iam_saas_lint.report.json_format import finding_dict, format_json
from iam_saas_lint.report.summary import Checked, summary

# every code point, lone surrogates included (a JSON "\ud800" in a principal), and control characters
TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=12)
FINDINGS = st.builds(
    Finding,
    rule=st.sampled_from(["ISL000", "ISL001", "ISL005"]),
    name=TEXT,
    severity=st.sampled_from(list(Severity)),
    path=TEXT,
    line=st.integers(1, 10**6),
    column=st.integers(1, 10**6),
    end_line=st.integers(1, 10**6),
    end_column=st.integers(1, 10**6),
    json_path=TEXT,
    subject=st.builds(Subject, role=st.none() | TEXT, variant=st.lists(st.tuples(TEXT, TEXT), max_size=2).map(tuple)),
    text=TEXT,
    fix=st.just("") | TEXT,
)


def _reference(findings: list[Finding], checked: Checked | None) -> str:
    document = {
        "version": __version__,
        "findings": [finding_dict(f) for f in findings],
        "summary": summary(findings, checked),
    }
    return json.dumps(document, indent=2) + "\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(FINDINGS, max_size=4), st.none() | st.builds(Checked, st.integers(0, 99), st.integers(0, 99)))
def test_the_json_output_is_what_the_indented_encoder_writes(findings: list[Finding], checked: Checked | None) -> None:
    assert format_json(findings, checked) == _reference(findings, checked)


def test_a_finding_with_a_lone_surrogate_and_no_fix() -> None:
    finding = Finding(
        "ISL001", "missing-external-id", Severity.ERROR, 'roles/"x"\ud800.json', 1, 2, 3, 4,
        "$.Statement[0]", Subject(role="r\u202e"), text=" can be assumed", fix="",
    )  # fmt: skip
    written = format_json([finding, finding], Checked(2, 1))
    assert written == _reference([finding, finding], Checked(2, 1))
    assert '"path": "roles/\\"x\\"\\ud800.json"' in written
    assert '"fix": null' in written
    assert json.loads(written)["findings"][0]["role"] == "r\u202e"
