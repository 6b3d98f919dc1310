from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOT = str(REPO)


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run in an empty folder, so paths in findings are relative and no config is picked up."""
    (tmp_path / ".iam-saas-lint.toml").write_text("")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run from the repository root, so that findings name files as ``fixtures/...``."""
    monkeypatch.chdir(ROOT)
    yield ROOT


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def terraform_plan(folder: Path) -> dict[str, Any]:
    """``terraform show -json`` of a plan of ``folder`` made offline (init without a backend, no
    refresh), for the differential checks; what init and plan leave in the folder is removed."""
    terraform = shutil.which("terraform")
    assert terraform is not None
    environment = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}

    def run(*args: str) -> str:
        done = subprocess.run(
            [terraform, *args], cwd=folder, env=environment, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("init", "-input=false", "-backend=false")
    run("plan", "-input=false", "-refresh=false", "-lock=false", "-out=plan.out")
    plan = json.loads(run("show", "-json", "plan.out"))
    for name in (".terraform", ".terraform.lock.hcl", "plan.out"):
        path = folder / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    assert isinstance(plan, dict)
    return plan


@pytest.fixture(autouse=True, scope="session")
def _private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The cache's signing key (and python-hcl2's grammar cache) go to a folder of the test run's."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
