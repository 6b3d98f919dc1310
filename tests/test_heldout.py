"""The held-out set (``tests/heldout``), tried as a new user would: hostile files written apart from
the other tests give at most ISL000 findings, within 2 s and 200 MB, and the good files beside them
get exactly their findings, in every output format, with nothing a terminal would act on."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from child import lint_child

HELDOUT = Path(__file__).resolve().parent / "heldout"
GOOD = [
    # Web-identity trusts as CI/CD and app teams write them (GitLab, HCP Terraform, Buildkite, EKS,
    # env0, GitHub, Cognito, Google): only the unpinned ones are reported.
    "ISL012 good/federated/cfn/ci-roles.yaml:47",
    "ISL012 good/federated/env0/stack.template.json:43",
    "ISL013 good/federated/export/account.json:20",
    "ISL012 good/federated/irsa/main.tf:24",
    "ISL012 good/federated/plan/plan.json:14",
    "ISL005 good/template.yaml:12",
    "ISL001 good/template.yaml:16",
    "ISL006 good/tf/main.tf:33",
    "ISL005 good/weak/trust.json:1",
    "ISL002 good/weak/trust.json:13",
]
#: Hostile files that are skipped without a finding (they hold nothing that looks like IAM).
SILENT = {"hostile/empty.json"}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "heldout"
    shutil.copytree(HELDOUT, root)
    (root / ".iam-saas-lint.toml").write_text("")
    # generated rather than committed: too big to keep, or a name git will not take
    principal = '{"AWS": "arn:aws:iam::464622532012:root"}'
    statement = f'{{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"}}'
    heredoc = ",\n".join([statement] * 2000)
    (root / "hostile" / "heredoc").mkdir()
    (root / "hostile" / "heredoc" / "main.tf").write_text(
        f'resource "aws_iam_role" "r" {{\n  assume_role_policy = <<EOF\n{{"Statement": [\n{heredoc}\n]}}\nEOF\n}}\n'
    )
    if os.name == "posix":
        (root / "hostile" / "name\x1b[31m\nforged.json").write_bytes(b'{"Statement": [}')
    return root


def test_hostile_files_are_at_most_isl000_and_good_files_keep_their_findings(tree: Path) -> None:
    outcome = lint_child(tree)
    assert outcome.rows("good/") == GOOD
    # a heredoc of 2,000 statements is read (it was too big for python-hcl2): its role's findings
    heredoc = [f for f in outcome.findings if f["path"] == "hostile/heredoc/main.tf"]
    assert sorted({(f["rule"], f["role"]) for f in heredoc}) == [
        ("ISL001", "aws_iam_role.r"),
        ("ISL005", "aws_iam_role.r"),
    ]
    assert len(heredoc) == 2001
    hostile = [f for f in outcome.outside("good/") if f not in heredoc]
    assert {f["rule"] for f in hostile} == {"ISL000"}
    assert "internal error" not in outcome.stdout
    reported = {str(f["path"]) for f in hostile} | {"hostile/heredoc/main.tf"}
    written = {str(p.relative_to(tree)) for p in (tree / "hostile").rglob("*") if p.is_file()}
    assert reported == written - SILENT
    assert outcome.code == 1
    outcome.within_limits()


@pytest.mark.parametrize("output", ["text", "concise", "github", "sarif"])
def test_no_output_format_passes_on_control_characters(tree: Path, output: str) -> None:
    outcome = lint_child(tree, output=output)
    assert outcome.code == 1
    shown = outcome.stdout if output != "sarif" else json.dumps(json.loads(outcome.stdout), ensure_ascii=False)
    for character in ("\x1b", "\x07", "\u202e", "\u2066", "\r"):
        assert character not in shown, repr(character)
    if output in ("concise", "github"):  # one line per finding: a newline in a name forges none
        assert all(line.startswith(("heldout", "good/", "hostile/", "::", "Checked")) for line in shown.splitlines())
    outcome.within_limits()
