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
