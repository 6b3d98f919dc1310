"""The hooks, exercised for real: pre-commit's try-repo and the plain git hook."""

from __future__ import annotations

import os
import re
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


def test_hook_manifest_passes_every_ending_the_linter_reads() -> None:
    """pre-commit passes only files its ``files`` pattern matches: every ending the format registry
    recognises (without case, as the registry does) and every file a Terraform verdict depends on."""
    from iam_saas_lint.changes import TFVARS_SUFFIXES
    from iam_saas_lint.sources.formats import SUFFIXES

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    endings = (*SUFFIXES, *TFVARS_SUFFIXES, ".tpl", ".tftpl")
    for ending in endings:
        for name in (f"roles/vendor{ending}", f"roles/VENDOR{ending.upper()}"):
            assert pattern.search(name), name
    assert not pattern.search("README.md")


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
    """pre-commit installs this package as a hook (at a commit, as a user pins it) and runs it."""
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    source, sha = _hook_source(tmp_path)
    command = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(source),
        "iam-saas-lint",
        "--ref",
        sha,
        "--color",
        "never",
    ]
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


MAIN_TF = """resource "aws_iam_role" "datadog" {
  name               = "datadog"
  assume_role_policy = templatefile("${path.module}/templates/trust.tftpl", { external_id = "8a5f3c1e9b7d" })
}
"""
DENY_TF = """variable "allowed_cidrs" {
  type = list(string)
}

resource "aws_iam_role_policy" "deny_outside_datadog" {
  role = aws_iam_role.datadog.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { NotIpAddress = { "aws:SourceIp" = var.allowed_cidrs } }
    }]
  })
}
"""
TFVARS = 'allowed_cidrs = ["203.0.113.0/24"]\n'
TRUST_TEMPLATE = """{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
                 "Condition": {"StringEquals": {"sts:ExternalId": "${external_id}"}}}]
}
"""
#: Each change weakens the role without touching a .tf file, and the finding the hook must stop it with.
WEAKENING = {
    "tfvars": ("iam/terraform.tfvars", 'allowed_cidrs = ["0.0.0.0/0"]\n', "iam/deny.tf:13:38: ISL006"),
    "file() target": (
        "iam/templates/trust.tftpl",
        TRUST_TEMPLATE.replace(
            ',\n                 "Condition": {"StringEquals": {"sts:ExternalId": "${external_id}"}}', ""
        ),
        "iam/templates/trust.tftpl:4:18: ISL001",
    ),
    "deletion": ("iam/deny.tf", None, 'iam/main.tf:3:3: ISL005 role "aws_iam_role.datadog"'),
}


@pytest.fixture
def module_repo(tmp_path: Path) -> Path:
    """A repository with a Terraform module whose verdict depends on a tfvars file and a template."""
    work = tmp_path / "platform"
    files = {
        "iam/main.tf": MAIN_TF,
        "iam/deny.tf": DENY_TF,
        "iam/terraform.tfvars": TFVARS,
        "iam/templates/trust.tftpl": TRUST_TEMPLATE,
    }
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    _git(work, "init", "-q")
    _git(work, "add", ".")
    assert _git(work, "commit", "-qm", "datadog role").returncode == 0
    return work


def _weaken(repo: Path, path: str, text: str | None) -> None:
    if text is None:
        assert _git(repo, "rm", "-q", path).returncode == 0
    else:
        (repo / path).write_text(text)
        _git(repo, "add", path)


def _undo(repo: Path) -> None:
    assert _git(repo, "reset", "-q", "--hard", "HEAD").returncode == 0


HOOK_SOURCE_FILES = ("iam_saas_lint", "pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml")


def _hook_source(tmp_path: Path) -> tuple[Path, str]:
    """This checkout (or unpacked sdist) as a hook repository at a commit, as a user's config names it
    (``rev:`` a sha): the package and the hook manifest, committed in a repository of their own."""
    source = tmp_path / "hook-source"
    for name in HOOK_SOURCE_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif (REPO / name).is_file():
            source.mkdir(exist_ok=True)
            shutil.copy(REPO / name, source / name)
    _git(source, "init", "-q")
    _git(source, "add", ".")
    assert _git(source, "commit", "-qm", "snapshot").returncode == 0
    return source, _git(source, "rev-parse", "HEAD").stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_stops_commits_that_weaken_a_role_without_touching_a_tf_file(
    module_repo: Path, tmp_path: Path
) -> None:
    """Real commits through pre-commit's installed hook: only a tfvars change, only a templatefile()
    target, only a deletion. Each is stopped with the finding the CLI reports on the folder."""
    source, sha = _hook_source(tmp_path)
    config = {"repos": [{"repo": str(source), "rev": sha, "hooks": [{"id": "iam-saas-lint"}]}]}
    (module_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(module_repo, "add", ".pre-commit-config.yaml")
    assert _git(module_repo, "commit", "-qm", "pre-commit").returncode == 0
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    install = [sys.executable, "-m", "pre_commit", "install", "--install-hooks"]
    installed = subprocess.run(install, cwd=module_repo, capture_output=True, text=True, env=env, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    os.environ["PRE_COMMIT_HOME"], saved = env["PRE_COMMIT_HOME"], os.environ.get("PRE_COMMIT_HOME")
    try:
        for name, (path, text, expected) in WEAKENING.items():
            _weaken(module_repo, path, text)
            stopped = _git(module_repo, "commit", "-qm", f"only {name}")
            output = stopped.stdout + stopped.stderr
            assert stopped.returncode == 1, f"{name}: {output}"
            assert expected in output, f"{name}: {output}"
            assert "Failed" in output
            _undo(module_repo)
        (module_repo / "README.md").write_text("unrelated\n")
        _git(module_repo, "add", "README.md")
        passed = _git(module_repo, "commit", "-qm", "unrelated")
        assert passed.returncode == 0, passed.stdout + passed.stderr
    finally:
        if saved is None:
            os.environ.pop("PRE_COMMIT_HOME", None)
        else:
            os.environ["PRE_COMMIT_HOME"] = saved


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_plain_git_hook_checks_what_is_staged(module_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = module_repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(REPO / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for name, (path, text, expected) in WEAKENING.items():
        _weaken(module_repo, path, text)
        stopped = _git(module_repo, "commit", "-qm", f"only {name}")
        assert stopped.returncode == 1, f"{name}: {stopped.stdout + stopped.stderr}"
        assert expected in stopped.stderr, f"{name}: {stopped.stderr}"
        _undo(module_repo)
    # a bad staged template with a good working copy is stopped; the reverse goes through
    template = module_repo / "iam/templates/trust.tftpl"
    _weaken(module_repo, "iam/templates/trust.tftpl", WEAKENING["file() target"][1])
    template.write_text(TRUST_TEMPLATE)
    stopped = _git(module_repo, "commit", "-qm", "bad staged, good working copy")
    assert stopped.returncode == 1
    assert "iam/templates/trust.tftpl:4:18: ISL001" in stopped.stderr
    _git(module_repo, "add", "iam/templates/trust.tftpl")
    template.write_text(WEAKENING["file() target"][1] or "")
    (module_repo / "iam/main.tf").write_text(MAIN_TF + "\n")
    _git(module_repo, "add", "iam/main.tf")
    accepted = _git(module_repo, "commit", "-qm", "good staged, bad working copy")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_plain_git_hook_without_the_linter_stops_and_says_so(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(REPO / "hooks" / "pre-commit", hook)
    hook.chmod(0o755)
    (repo / "roles" / "datadog" / "trust.json").write_text(TRUST_WITH_ID)
    _git(repo, "add", ".")
    env = {**os.environ, "PATH": "/usr/bin:/bin", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    if shutil.which("iam-saas-lint", path=env["PATH"]):
        pytest.skip("iam-saas-lint is installed system-wide")
    refused = subprocess.run(["git", "commit", "-qm", "x"], cwd=repo, capture_output=True, text=True, env=env)
    assert refused.returncode == 1
    assert "iam-saas-lint is not installed" in refused.stderr
    assert "the commit is stopped" in refused.stderr


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


def test_readme_pins_a_commit_that_has_the_hook_and_the_action() -> None:
    """No tag exists: the README's pre-commit ``rev:``, action ref and git URL name one commit, which
    (in a checkout that has it) holds the hook manifest and the action as they are now."""
    import re

    readme = (REPO / "README.md").read_text()
    snippet = yaml.safe_load(_readme_block("yaml", "repos:"))
    revs = {repo["rev"] for repo in snippet["repos"]}
    assert len(revs) == 1
    (rev,) = revs
    assert re.fullmatch(r"[0-9a-f]{40}", str(rev)), rev
    assert f"uses: iam-saas-lint/iam-saas-lint@{rev}" in readme
    assert f"git+https://github.com/iam-saas-lint/iam-saas-lint@{rev}" in readme
    assert "pip install iam-saas-lint" not in readme and "rev: v" not in readme
    if shutil.which("git") is None or _git(REPO, "cat-file", "-e", f"{rev}^{{commit}}").returncode != 0:
        pytest.skip("not a git checkout that has the pinned commit (an sdist, a shallow clone)")
    pinned = yaml.safe_load(_git(REPO, "show", f"{rev}:.pre-commit-hooks.yaml").stdout)
    current = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert pinned == current
    assert _git(REPO, "show", f"{rev}:action.yml").stdout == (REPO / "action.yml").read_text()


def test_readme_workflow_uses_the_action_and_the_action_lints_with_its_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's workflow is one ``uses:`` of this repository's action; the action's lint steps,
    run with their default inputs on the fixtures, give valid SARIF and then annotations."""
    import json
    import shlex

    from jsonschema import Draft7Validator

    from iam_saas_lint.cli import main

    workflow = yaml.safe_load(_readme_block("yaml", "iam-saas-lint/iam-saas-lint@"))
    job = workflow["jobs"]["lint"]
    assert job["permissions"]["security-events"] == "write"
    action = yaml.safe_load((REPO / "action.yml").read_text())
    used = [step for step in job["steps"] if step.get("uses", "").startswith("iam-saas-lint/iam-saas-lint@")]
    assert len(used) == 1 and set(used[0].get("with", {})) <= set(action["inputs"])
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif@") for step in steps)
    assert any('pip install --quiet "$GITHUB_ACTION_PATH"' in step.get("run", "") for step in steps)
    inputs = {name: str(spec["default"]) for name, spec in action["inputs"].items()}
    sarif_step = next(step for step in steps if "--format sarif" in step.get("run", ""))
    annotate_step = next(step for step in steps if "--format github" in step.get("run", ""))
    shutil.copytree(REPO / "fixtures" / "raw", tmp_path / "fixtures")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)

    def argv(command: str, env: dict[str, str]) -> list[str]:
        for name, value in env.items():
            command = command.replace(f"${name}", value if name != "LINT_PATHS" else "fixtures")
        return [a for a in shlex.split(command.split(" > ")[0])[1:] if a]

    def step_env(step: dict[str, object]) -> dict[str, str]:
        env = step["env"]
        assert isinstance(env, dict)
        return {k: inputs[v.removeprefix("${{ inputs.").removesuffix(" }}")] for k, v in env.items()}

    sarif_env = step_env(sarif_step)
    with open(sarif_env["SARIF_FILE"], "w", encoding="utf-8") as handle:
        monkeypatch.setattr(sys, "stdout", handle)
        assert main(argv(sarif_step["run"], sarif_env)) == 0
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    schema = json.loads((REPO / "tests" / "sarif-schema-2.1.0.json").read_text())
    document = json.loads((tmp_path / sarif_env["SARIF_FILE"]).read_text())
    assert not list(Draft7Validator(schema).iter_errors(document))
    assert document["runs"][0]["results"]
    annotate = next(
        line.strip()
        for line in annotate_step["run"].splitlines()
        if "--exit-zero" not in line and "iam-saas-lint" in line
    )
    assert main(argv(annotate, step_env(annotate_step))) == 1
