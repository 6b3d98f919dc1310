"""The command line: exact output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree

from iam_saas_lint import __version__
from iam_saas_lint.cli import main

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


@pytest.fixture
def vendor(in_tmp: Path) -> Path:
    write_tree(in_tmp, {"roles/datadog/trust.json": TRUST, "roles/datadog/deny.json": DENY})
    return in_tmp


def test_text_output_and_exit_code(vendor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 1
    assert capsys.readouterr().out == (
        "roles/datadog/trust.json\n"
        'roles/datadog/trust.json:6:7: ISL001 role "datadog" can be assumed by Datadog (464622532012) '
        "without an sts:ExternalId condition\n"
        '  6 |       "Principal": {"AWS": "arn:aws:iam::464622532012:root"},\n'
        "            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "  why: Anyone who learns your role ARN can have the vendor assume it on their behalf.\n"
        "  fix: add Condition StringEquals sts:ExternalId with the id the vendor generated for you\n"
        "\n"
        "Checked 2 files, 1 role: 1 finding (1 error, 0 warnings) in 1 file.\n"
    )


def test_concise_output(vendor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "concise"]) == 1
    assert capsys.readouterr().out == (
        'roles/datadog/trust.json:6:7: ISL001 role "datadog" can be assumed by Datadog (464622532012) '
        "without an sts:ExternalId condition\n"
        "Checked 2 files, 1 role: 1 finding (1 error, 0 warnings) in 1 file.\n"
    )


def test_vendors_subcommand(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vendors", "datadog"]) == 0
    assert capsys.readouterr().out.startswith(
        "Datadog\n  name for suggest: datadog\n  accounts: 464622532012, 865078226113\n"
    )
    assert main(["vendors"]) == 0
    assert "datadog                  Datadog: 464622532012, 865078226113\n" in capsys.readouterr().out
    (in_tmp / ".iam-saas-lint.toml").write_text(
        '[vendors.acme-backup]\naccounts = ["999988887777"]\nsource-ips = ["198.51.100.0/24"]\n'
    )
    assert main(["vendors", "acme backup"]) == 0
    assert capsys.readouterr().out == (
        "acme-backup\n  name for suggest: acme-backup\n  accounts: 999988887777\n  source-ips: 198.51.100.0/24\n"
    )
    assert main(["vendors", "nobody"]) == 2


def test_clean_tree_exits_zero(vendor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--ignore", "ISL001"]) == 0
    assert capsys.readouterr().out == "Checked 2 files, 1 role: no findings.\n"


def test_exit_zero(vendor: Path) -> None:
    assert main(["--exit-zero"]) == 0


def test_json_output(vendor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "json", "roles"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["version"] == __version__
    assert document["findings"] == [
        {
            "rule": "ISL001",
            "name": "missing-external-id",
            "severity": "error",
            "message": 'role "datadog" can be assumed by Datadog (464622532012) without an sts:ExternalId condition',
            "path": "roles/datadog/trust.json",
            "line": 6,
            "column": 7,
            "end_line": 6,
            "end_column": 61,
            "json_path": "$.Statement[0].Principal",
            "role": "datadog",
            "fix": '{\n  "Condition": {\n    "StringEquals": {\n'
            '      "sts:ExternalId": "<external id the vendor generated for you>"\n    }\n  }\n}',
        }
    ]
    assert document["summary"] == {
        "findings": 1,
        "errors": 1,
        "warnings": 0,
        "files": 2,
        "files_with_findings": 1,
        "roles": 1,
        "baselined": 0,
        "rules": {"ISL001": 1},
    }


def test_own_account_option(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(in_tmp, {"trust.json": TRUST.replace("464622532012", "111122223333")})
    assert main(["--own-account", "111122223333"]) == 0
    assert main(["--own-account", "1234"]) == 2
    assert "not a 12-digit account id" in capsys.readouterr().err


def test_select_and_ignore_by_prefix(vendor: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--select", "ISL00", "--ignore", "ISL001"]) == 0
    assert main(["--select", "ISL001,ISL005"]) == 1


def test_config_with_unknown_key_is_a_usage_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / ".iam-saas-lint.toml").write_text('own-acounts = ["111122223333"]\n')
    assert main([]) == 2
    assert "unknown key 'own-acounts'" in capsys.readouterr().err


def test_config_in_pyproject_is_found_walking_up(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (in_tmp / ".iam-saas-lint.toml").unlink()
    (in_tmp / ".git").mkdir()  # up to the repository's root, and no further
    (in_tmp / "pyproject.toml").write_text('[tool.iam-saas-lint]\nown-accounts = ["464622532012"]\n')
    write_tree(in_tmp, {"infra/roles/x/trust.json": TRUST})
    monkeypatch.chdir(in_tmp / "infra")
    assert main([]) == 0


def test_missing_path_is_an_error(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nope.json"]) == 2
    assert capsys.readouterr().out == (
        "nope.json\nnope.json:1:1: ISL000 no such file or folder\n"
        "  why: A linter that cannot read a policy cannot vouch for it, and silence would look like a pass.\n"
        "  fix: check the path: nothing exists there (a typo, or a file not created yet)\n"
        "\nChecked 0 files, 0 roles: 1 finding (1 error, 0 warnings) in 1 file.\n"
    )


def test_rule_and_rules_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "isl001"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ISL001 missing-external-id (error)\n\n## What it does\n")
    assert "## Use instead" in out
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [*(f"ISL{n:03d}" for n in range(16)), "ISL100", "ISL101"]
    assert lines[10].endswith("(off by default)")
    assert lines[14].endswith("(off by default)")
    assert main(["rule", "ISL999"]) == 2


def test_colour_only_on_a_terminal_and_never_with_no_color(vendor: Path) -> None:
    command = [sys.executable, "-m", "iam_saas_lint"]
    piped = subprocess.run(command, capture_output=True, text=True, check=False)
    assert piped.returncode == 1
    assert "\033[" not in piped.stdout
    script = "import sys; sys.stdout.isatty = lambda: True; from iam_saas_lint.cli import main; sys.exit(main())"
    tty = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert "\033[31mISL001\033[0m" in tty.stdout
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    no_color = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, env=env)
    assert "\033[" not in no_color.stdout


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"iam-saas-lint {__version__}\n"
