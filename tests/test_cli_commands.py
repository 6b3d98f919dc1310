"""Subcommands, usage errors, the summary, progress and closed pipes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree

from iam_saas_lint import progress
from iam_saas_lint.cli import main
from iam_saas_lint.rules import RULES

TRUST = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
      "Action": "sts:AssumeRole"
    }
  ]
}
"""
DENY = """{"Version": "2012-10-17",
 "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
"""
FINDING = (
    'rules/datadog/trust.json:6:7: ISL001 role "datadog" can be assumed by Datadog (464622532012) '
    "without an sts:ExternalId condition\n"
)


@pytest.fixture
def rules_folder(in_tmp: Path) -> Path:
    """A folder that is named like a subcommand."""
    write_tree(in_tmp, {"rules/datadog/trust.json": TRUST, "rules/datadog/deny.json": DENY})
    return in_tmp


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "concise", "./rules"],
        ["--format", "concise", "--", "rules"],
        ["check", "--format", "concise", "rules"],
        ["--format", "concise", "rules"],
    ],
)
def test_a_path_named_like_a_subcommand_is_linted(
    argv: list[str], rules_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    assert capsys.readouterr().out.startswith(FINDING)


def test_the_subcommand_itself_lists_the_rules(rules_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    assert capsys.readouterr().out.startswith("ISL000  invalid-document")


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("check", "rules", "rule", "vendors", "suggest"):
        assert f"\n    {command} " in out
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "--select IDS" in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_ids_are_a_usage_error(
    option: str, rules_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([option, "XYZ", "."]) == 2
    known = ", ".join(rule.id for rule in RULES)
    assert capsys.readouterr().err == f"iam-saas-lint: {option}: unknown rule id 'XYZ' (known: {known})\n"
    assert "ISL000, ISL001," in known
    assert main([option, "isl00", "."]) in (0, 1)  # a prefix of known ids is fine


def test_a_typo_in_the_configured_select_is_a_usage_error(
    rules_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (rules_folder / ".iam-saas-lint.toml").write_text('select = ["ISL01"]\nignore = ["ILS003"]\n')
    assert main([]) == 2
    assert "ignore: unknown rule id 'ILS003' (known: ISL000," in capsys.readouterr().err


def test_summary_says_what_was_checked(rules_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(rules_folder, {"package.json": '{"name": "x"}'})
    assert main(["--quiet"]) == 1
    assert capsys.readouterr().out == "Checked 3 files, 1 role: 1 finding (1 error, 0 warnings) in 1 file.\n"
    assert main(["--format", "json"]) == 1
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["files"], summary["files_with_findings"], summary["roles"]) == (3, 1, 1)


def test_a_folder_without_iam_says_so(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp, {"src/main.py": "print()\n", "package.json": '{"name": "x"}'})
    assert main(["src"]) == 0
    assert capsys.readouterr().out == "No IAM files found: nothing checked.\n"
    assert main([]) == 0
    assert capsys.readouterr().out == "Checked 1 file, 0 roles: no IAM roles found, no findings.\n"


def test_verbose_lists_every_skipped_file_with_its_reason(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp, {"node_modules/x/policy.json": TRUST, "roles/x/trust.json": TRUST})
    (in_tmp / "roles" / "x" / "link.json").symlink_to("/etc/hostname")
    assert main(["--verbose", "--quiet", "--ignore", "ISL001,ISL005"]) == 0
    err = capsys.readouterr().err
    assert "iam-saas-lint: skipped node_modules: skipped folder\n" in err
    assert "iam-saas-lint: skipped roles/x/link.json: link to a file outside the scanned folder: not followed\n" in err


def test_progress_only_after_a_delay_and_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    shown = progress.Progress(stream)
    shown(1, 10)
    assert stream.getvalue() == ""  # under a second: nothing
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "INTERVAL_SECONDS", 0.0)
    shown(2, 2_194)
    shown.done()
    assert stream.getvalue() == "\riam-saas-lint: 2 / 2,194 files\r\033[K"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "options", "shown"), [({}, [], True), ({"NO_COLOR": "1"}, [], False), ({}, ["--quiet"], False)]
)
def test_progress_on_a_terminal_unless_no_color_or_quiet(
    env: dict[str, str],
    options: list[str],
    shown: bool,
    rules_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*options, "--jobs", "1", "--no-cache"]) == 1
    assert ("/ 2 files" in terminal.getvalue()) is shown
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    assert main([*options, "--jobs", "1", "--no-cache"]) == 1
    assert piped.getvalue() == ""


def test_vendors_by_account_id_and_the_names_suggest_takes(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vendors", "464622532012"]) == 0
    assert capsys.readouterr().out.startswith("Datadog\n  name for suggest: datadog\n")
    assert main(["vendors", "000000000000"]) == 2
    assert "no vendor named '000000000000' or with that account" in capsys.readouterr().err
    assert main(["vendors"]) == 0
    listed = capsys.readouterr().out.splitlines()
    new_relic = next(line for line in listed if " New Relic: " in line)
    assert new_relic.split()[0] == "new-relic"
    assert main(["suggest", "--vendor", "new-relic", "--source-ip", "203.0.113.0/24"]) == 0


@pytest.mark.parametrize("argv", [["rule", "ISL001"], ["rules"], ["vendors"], ["--format", "json", "fixtures/raw"]])
def test_a_closed_pipe_is_not_a_traceback(argv: list[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    child = subprocess.Popen(
        [sys.executable, "-m", "iam_saas_lint", *argv],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before anything was written, as `| head` after its lines
    err = child.stderr.read().decode()
    code = child.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == (1 if argv[0] == "--format" else 0)


def test_the_cache_is_only_created_at_a_repository_root(rules_folder: Path) -> None:
    assert main(["--quiet"]) == 1
    assert not (rules_folder / ".iam-saas-lint-cache").exists()  # not a repository: no cache at all
    (rules_folder / ".git").mkdir()
    (rules_folder / "rules" / ".git").mkdir()
    import os

    os.chdir(rules_folder / "rules" / "datadog")
    try:
        assert main(["--quiet"]) == 1
    finally:
        os.chdir(rules_folder)
    assert (rules_folder / "rules" / ".iam-saas-lint-cache").is_dir()
    assert not (rules_folder / "rules" / "datadog" / ".iam-saas-lint-cache").exists()


def test_sarif_and_github_paths_are_relative_to_the_repository_root(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / ".git").mkdir()
    write_tree(in_tmp, {"infra/my roles/datadog #1/trust.json": TRUST, "infra/my roles/datadog #1/deny.json": DENY})
    monkeypatch.chdir(in_tmp / "infra")
    assert main(["--format", "sarif", "--no-cache"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "infra/my%20roles/datadog%20%231/trust.json", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == in_tmp.resolve().as_uri() + "/"
    assert main(["--format", "github", "--no-cache"]) == 1
    assert capsys.readouterr().out.startswith("::error file=infra/my roles/datadog #1/trust.json,line=6,col=7,")
    assert main(["--format", "concise", "--no-cache"]) == 1  # the other formats stay relative to the working folder
    assert capsys.readouterr().out.startswith("my roles/datadog #1/trust.json:6:7: ISL001")


def test_each_principal_is_named_once(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    principal = '"Principal": {"AWS": "arn:aws:iam::464622532012:root"}'
    statements = [
        f'{{"Effect": "Allow", "Action": "sts:AssumeRole", {principal}, '
        f'"Condition": {{"StringEquals": {{"sts:ExternalId": "{external_id}"}}}}}}'
        for external_id in ("8a5f3c1e9b7d", "4c2e6a8b0d1f")
    ]
    trust = f'{{"Version": "2012-10-17", "Statement": [{", ".join(statements)}]}}'
    write_tree(in_tmp, {"r/trust.json": trust})
    assert main(["--format", "concise", "--no-cache"]) == 1
    assert capsys.readouterr().out.startswith(
        'r/trust.json:1:1: ISL005 role "r" trusts Datadog (464622532012) but no permission policy denies'
    )


def test_a_large_file_that_is_not_iam_is_skipped_with_a_reason(
    rules_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = rules_folder / "package-lock.json"
    with open(lock, "wb") as handle:
        handle.write(b'{"name": "web", "lockfileVersion": 3, "packages": {"node_modules/left-pad": {}}}\n')
        handle.truncate(9_600_000)  # sparse: 9.6 MB to anything that reads it
    big_policy = rules_folder / "big" / "trust.json"
    big_policy.parent.mkdir()
    with open(big_policy, "wb") as handle:
        handle.write(b'{"Version": "2012-10-17", "Statement": [')
        handle.truncate(9_600_000)
    assert main(["--format", "concise", "--verbose", "--no-cache", "--select", "ISL000"]) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "big/trust.json:1:1: ISL000 file is 9,600,000 bytes, over the 5,242,880-byte limit (max-file-size)\n"
        "Checked 3 files, 1 role: 1 finding (1 error, 0 warnings) in 1 file.\n"
    )
    assert (
        "iam-saas-lint: skipped package-lock.json: over the 5,242,880-byte limit and its head looks like no IAM: "
        "skipped\n" in captured.err
    )
    assert main(["big/trust.json"]) == 1
    assert "  fix: split the file, or raise max-file-size in the configuration" in capsys.readouterr().out
