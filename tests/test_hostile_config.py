"""The configuration and the baseline are files an attacker may shape too: a configuration above the
repository does not apply, one that cannot be used is exit 2 with its file, line and reason, and
neither a configuration nor a baseline is read unless it is a bounded regular file. A baseline is
written atomically, never through a link, and only inside the repository. Each runs in a child."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from child import lint_child

TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
    ' "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]}\n'
)
FOUND = ["ISL005 trust.json:1", "ISL001 trust.json:2"]
SILENCE = '[tool.iam-saas-lint]\nexclude = ["*"]\nignore = ["ISL"]\n'


def _repository(folder: Path) -> Path:
    (folder / ".git").mkdir(parents=True)
    (folder / "trust.json").write_text(TRUST)
    return folder


@pytest.mark.parametrize("name", ["pyproject.toml", ".iam-saas-lint.toml"])
def test_a_configuration_above_the_repository_does_not_apply(tmp_path: Path, name: str) -> None:
    shared = tmp_path / "shared"  # a folder any local user can write, such as /tmp
    shared.mkdir()
    (shared / name).write_text(SILENCE if name == "pyproject.toml" else SILENCE.split("\n", 1)[1])
    repository = _repository(shared / "repo")
    (repository / "sub").mkdir()
    (repository / "sub" / "trust.json").write_text(TRUST)
    assert lint_child(repository).rows() == ["ISL005 sub/trust.json:1", "ISL001 sub/trust.json:2", *FOUND]
    assert lint_child(repository / "sub").rows() == ["ISL005 trust.json:1", "ISL001 trust.json:2"]
    # outside any repository only the scanned folder's own configuration counts
    loose = shared / "loose"
    loose.mkdir()
    (loose / "trust.json").write_text(TRUST)
    assert lint_child(loose).rows() == FOUND


def test_the_repository_root_configuration_applies_from_a_subfolder(tmp_path: Path) -> None:
    repository = _repository(tmp_path / "repo")
    (repository / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.iam-saas-lint]\nignore = ["ISL005"]\n')
    (repository / "sub").mkdir()
    (repository / "sub" / "trust.json").write_text(TRUST)
    assert lint_child(repository / "sub").rows() == ["ISL001 trust.json:2"]


INVALID = {
    "bad toml": ("pyproject.toml", '[project]\nname = "x"\n[tool.iam-saas-lint]\nselect = ["ISL001"\n', 4,
                 "invalid TOML: Unclosed array"),
    "unknown nested table": ("pyproject.toml", '[tool.iam-saas-lint.vendors.x]\naccounts = ["123456789012"]\n\n'
                             "[tool.iam-saas-lint.vendors.x.regions]\neu = 1\n", 4,
                             "vendors.x: unknown key 'regions' (expected accounts, source-ips)"),
    "unknown table": (".iam-saas-lint.toml", 'select = ["ISL001"]\n\n[vendor.x]\naccounts = []\n', 3,
                      "unknown key 'vendor' (known keys: exclude, "),
    "tool is not a table": ("pyproject.toml", 'tool = "iam-saas-lint"\n[project]\nname = "x"\n', 1,
                            "tool must be a table, not str"),
    "our table is not a table": ("pyproject.toml", "[tool]\nblack = {}\niam-saas-lint = 5\n", 3,
                                 "[tool.iam-saas-lint] must be a table, not int"),
    "not utf-8": (".iam-saas-lint.toml", 'select = ["ISL001"]\nignore = ["\xff"]\n', 2, "not valid UTF-8"),
    "account in other digits": (".iam-saas-lint.toml", 'own-accounts = ["\u0661\u0662\u0663\u0664\u0665\u0666\u0667'
                                '\u0668\u0669\u0660\u0661\u0662"]\n', 1, "own-accounts: '\u0661\u0662"),
}  # fmt: skip


@pytest.mark.parametrize("case", INVALID)
def test_an_unusable_configuration_is_exit_2_with_file_line_and_reason(tmp_path: Path, case: str) -> None:
    name, text, line, reason = INVALID[case]
    repository = _repository(tmp_path / "repo")
    (repository / name).write_bytes(text.encode("latin-1") if case == "not utf-8" else text.encode())
    outcome = lint_child(repository, output="text")
    assert outcome.code == 2
    assert outcome.stdout == ""
    assert outcome.stderr.startswith(f"iam-saas-lint: {repository / name}:{line}: {reason}"), outcome.stderr
    assert "Traceback" not in outcome.stderr


def _special_files(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    return {"/dev/zero": "/dev/zero", "FIFO": str(fifo)}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("option", ["--config", "--baseline"])
def test_a_fifo_or_device_is_not_read_as_configuration_or_baseline(tmp_path: Path, option: str) -> None:
    repository = _repository(tmp_path / "repo")
    for kind, path in _special_files(tmp_path).items():
        outcome = lint_child(repository, option, path, output="text", forbid=[path])
        assert outcome.events["forbidden"] == [], kind
        assert outcome.code == 2
        what = "configuration" if option == "--config" else "baseline"
        expected = f"iam-saas-lint: {path}: cannot read the {what}: not a regular file (a FIFO, device or folder)"
        assert outcome.stderr.startswith(expected), outcome.stderr
        outcome.within_limits()


@pytest.mark.parametrize("findings", ["5", "null", '"x"', "{}"])
def test_a_baseline_whose_findings_are_not_a_list_is_exit_2(tmp_path: Path, findings: str) -> None:
    repository = _repository(tmp_path / "repo")
    (repository / "baseline.json").write_text(f'{{"format": "iam-saas-lint-baseline/1", "findings": {findings}}}')
    outcome = lint_child(repository, "--baseline", "baseline.json", output="text")
    assert outcome.code == 2
    kind = {"5": "int", "null": "NoneType", '"x"': "str", "{}": "dict"}[findings]
    assert outcome.stderr.startswith(
        f"iam-saas-lint: baseline.json: not a baseline file (findings must be a list, not {kind})"
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_the_baseline_is_never_written_through_a_link_or_outside_the_repository(tmp_path: Path) -> None:
    repository = _repository(tmp_path / "repo")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("keep")
    (repository / "baseline.json").symlink_to(outside / "victim")
    (repository / "dangling.json").symlink_to(outside / "created")
    (repository / "linked").symlink_to(outside, target_is_directory=True)
    refused = {
        "baseline.json": "exists and is not a regular file (a link, FIFO, device or folder): not written",
        "dangling.json": "exists and is not a regular file (a link, FIFO, device or folder): not written",
        "linked/baseline.json": f"{repository / 'linked'} is not a folder (or is a symbolic link): not written",
        str(outside / "baseline.json"): f"outside {repository}: not written",
    }
    for target, reason in refused.items():
        outcome = lint_child(repository, "--write-baseline", target, output="text", tree=outside)
        assert outcome.code == 2, target
        assert outcome.stderr.startswith(f"iam-saas-lint: {target}: cannot write the baseline: {reason}"), target
        assert outcome.events["writes"] == [], target
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_text() == "keep"


def test_the_baseline_is_written_whole_and_nothing_else_is_left(tmp_path: Path) -> None:
    repository = _repository(tmp_path / "repo")
    (repository / "records").mkdir()
    (repository / "records" / "baseline.json").write_text("old")
    outcome = lint_child(repository, "--write-baseline", "records/baseline.json", output="text")
    assert outcome.code == 0, outcome.stderr
    assert os.listdir(repository / "records") == ["baseline.json"]
    written = json.loads((repository / "records" / "baseline.json").read_text())
    assert [entry["rule"] for entry in written["findings"]] == ["ISL005", "ISL001"]
    assert lint_child(repository, "--baseline", "records/baseline.json").rows() == []
