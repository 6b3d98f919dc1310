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


@pytest.mark.parametrize(
    ("cidr", "why"),
    [
        ("0.0.0.0/0", "is /0: it allows every address"),
        ("::/0", "is /0: it allows every address"),
        ("10.1.0.0/16", "is a private or non-public range"),
        ("192.168.1.0/24", "is a private or non-public range"),
        ("203.0.113.300/24", "is not a valid CIDR"),
        ("vendor", "is not a CIDR"),
    ],
)
def test_source_ip_refuses_open_private_and_invalid_ranges(
    cidr: str, why: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", "--vendor", "datadog", "--source-ip", "203.0.113.0/24", "--source-ip", cidr]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"iam-saas-lint: --source-ip: {cidr!r} {why}" + (
        ": a vendor reaches AWS from public addresses\n" if "private" in why else "\n"
    )


@pytest.mark.parametrize(
    "output, name", [("json", "role.json"), ("cloudformation", "vendor.yaml"), ("terraform", "main.tf")]
)
def test_role_name_and_one_account(output: str, name: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["suggest", "--vendor", "datadog", "--format", output, "--source-ip", "203.0.113.0/24"]
    assert main([*argv, "--role-name", "DatadogIntegration", "--account", "464622532012"]) == 0
    text = capsys.readouterr().out
    assert "865078226113" not in text and "464622532012" in text
    if output != "json":
        assert "DatadogIntegration" in text
        (in_tmp / "suggested").mkdir()
        (in_tmp / "suggested" / name).write_text(text)
        assert lint_paths(["."]) == []
    assert main([*argv, "--account", "111122223333"]) == 2
    assert "--account: '111122223333' is not one of Datadog's (464622532012, 865078226113)" in capsys.readouterr().err
    assert main([*argv, "--role-name", "no spaces allowed"]) == 2


def test_iac_forms_output_the_role_arn(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = _suggest(capsys, "datadog", "cloudformation")
    assert "Outputs:\n  RoleArn:\n" in template
    assert "Fn::GetAtt" in template and "DatadogRole" in template
    terraform = _suggest(capsys, "datadog", "terraform")
    assert 'output "role_arn" {\n' in terraform
    assert "  value       = aws_iam_role.datadog.arn\n" in terraform
