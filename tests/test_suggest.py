"""``iam-saas-lint suggest`` output is a starting point that lints clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iam_saas_lint.cli import main
from iam_saas_lint.engine import lint_paths

VENDORS = ["datadog", "New Relic", "cloudsploit"]


def _suggest(capsys: pytest.CaptureFixture[str], vendor: str, output: str) -> str:
    assert main(["suggest", "--vendor", vendor, "--format", output, "--source-ip", "203.0.113.0/24"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("vendor", VENDORS)
def test_json_suggestion_lints_clean(vendor: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    documents = json.loads(_suggest(capsys, vendor, "json"))
    (in_tmp / "role").mkdir()
    for name, document in documents.items():
        (in_tmp / "role" / name).write_text(json.dumps(document, indent=2))
    documents["trust.json"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] = "9f1c2a7e4b8d4e0f"
    (in_tmp / "role" / "trust.json").write_text(json.dumps(documents["trust.json"]))
    assert lint_paths(["."]) == []


def test_placeholders_without_known_ranges_are_flagged(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--vendor", "datadog"]) == 0
    captured = capsys.readouterr()
    assert "egress ranges are not configured" in captured.err
    documents = json.loads(captured.out)
    (in_tmp / "role").mkdir()
    for name, document in documents.items():
        (in_tmp / "role" / name).write_text(json.dumps(document))
    assert sorted(f.rule for f in lint_paths(["."])) == ["ISL003", "ISL006"]


def test_configured_ranges_are_used(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / ".iam-saas-lint.toml").write_text('[vendors.datadog]\nsource-ips = ["198.51.100.0/24"]\n')
    assert main(["suggest", "--vendor", "datadog"]) == 0
    deny = json.loads(capsys.readouterr().out)["deny-outside-vendor-addresses.json"]
    assert deny["Statement"][0]["Condition"]["NotIpAddress"]["aws:SourceIp"] == ["198.51.100.0/24"]


def test_unknown_vendor(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--vendor", "nobody-at-all"]) == 2


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("output, name", [("cloudformation", "vendor.yaml"), ("terraform", "main.tf")])
def test_iac_suggestions_lint_clean(
    vendor: str, output: str, name: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "suggested").mkdir()
    (in_tmp / "suggested" / name).write_text(_suggest(capsys, vendor, output))
    assert lint_paths(["."]) == []
