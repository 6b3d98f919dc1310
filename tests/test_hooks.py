"""The hooks, exercised for real: pre-commit's try-repo and the plain git hook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
TRUST_WITHOUT_ID = """{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]
}
"""
TRUST_WITH_ID = TRUST_WITHOUT_ID.replace(
    '"Principal"', '"Condition": {"StringEquals": {"sts:ExternalId": "8a5f3c1e9b7d"}},\n                 "Principal"'
)
DENY = """{"Version": "2012-10-17",
 "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
"""


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    work = tmp_path / "infra"
    (work / "roles" / "datadog").mkdir(parents=True)
    _git(work, "init", "-q")
    (work / "roles" / "datadog" / "deny.json").write_text(DENY)
    _git(work, "add", ".")
    assert _git(work, "commit", "-qm", "deny").returncode == 0
    return work


def test_hook_manifest_is_documented() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    readme = (REPO / "README.md").read_text()
    for hook in hooks:
        assert f"id: {hook['id']}" in readme
        assert hook["language"] == "python"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_plain_git_hook_stops_the_commit_then_lets_the_fix_through(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(REPO / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    (repo / "roles" / "datadog" / "trust.json").write_text(TRUST_WITHOUT_ID)
    _git(repo, "add", ".")
    refused = _git(repo, "commit", "-qm", "vendor role")
    assert refused.returncode == 1
    assert "roles/datadog/trust.json:4:18: ISL001" in refused.stderr  # git shows hook output on stderr
    (repo / "roles" / "datadog" / "trust.json").write_text(TRUST_WITH_ID)
    _git(repo, "add", ".")
    accepted = _git(repo, "commit", "-qm", "vendor role")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_try_repo(repo: Path, tmp_path: Path) -> None:
    """pre-commit installs this repository as a hook (from PyPI, like a user's machine) and runs it."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "iam-saas-lint", "--color", "never"]
    (repo / "roles" / "datadog" / "trust.json").write_text(TRUST_WITHOUT_ID)
    _git(repo, "add", ".")
    failed = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, check=False)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "roles/datadog/trust.json:4:18: ISL001" in failed.stdout
    (repo / "roles" / "datadog" / "trust.json").write_text(TRUST_WITH_ID)
    _git(repo, "add", ".")
    passed = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def _readme_block(language: str, containing: str) -> str:
    text = (REPO / "README.md").read_text()
    for block in text.split("```" + language + "\n")[1:]:
        body = block.split("```", 1)[0]
        if containing in body:
            return body
    raise AssertionError(f"no {language} block with {containing!r} in README.md")


def test_readme_pre_commit_snippet_names_this_hook() -> None:
    snippet = yaml.safe_load(_readme_block("yaml", "repos:"))
    hooks = {hook["id"] for repo in snippet["repos"] for hook in repo["hooks"]}
    manifest = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks <= manifest


def test_readme_github_workflow_commands_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow's iam-saas-lint steps, run on the fixtures: valid SARIF, then annotations."""
    import json
    import shlex

    from jsonschema import Draft7Validator

    from iam_saas_lint.cli import main

    workflow = yaml.safe_load(_readme_block("yaml", "upload-sarif"))
    steps = workflow["jobs"]["lint"]["steps"]
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps)
    commands = [step["run"] for step in steps if step.get("run", "").startswith("iam-saas-lint")]
    assert len(commands) == 2
    shutil.copytree(REPO / "fixtures" / "raw", tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    sarif_command, redirect = commands[0].split(" > ")
    sarif_args = [a if a != "." else "fixtures" for a in shlex.split(sarif_command)[1:]]
    with open(redirect.strip(), "w", encoding="utf-8") as handle:
        monkeypatch.setattr(sys, "stdout", handle)
        assert main(sarif_args) == 0
    monkeypatch.undo()
    schema = json.loads((REPO / "tests" / "sarif-schema-2.1.0.json").read_text())
    document = json.loads((tmp_path / redirect.strip()).read_text())
    assert not list(Draft7Validator(schema).iter_errors(document))
    assert document["runs"][0]["results"]
    github_args = [a if a != "." else str(tmp_path / "fixtures") for a in shlex.split(commands[1])[1:]]
    assert main(github_args) == 1
