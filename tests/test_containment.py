"""Containment: a bug in one reader or rule is an internal-error ISL000 finding for that file (exit 2),
never a traceback, and the other files still get their findings; ``--debug`` shows the traceback.
And a run touches nothing: no network, no new processes, no writes in the scanned tree.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from child import lint_child

from iam_saas_lint import cli
from iam_saas_lint.rules import isl001_missing_external_id
from iam_saas_lint.sources import account_export, raw_policy
from iam_saas_lint.sources.cloudformation import reader as cloudformation
from iam_saas_lint.sources.terraform import graph, plan
from iam_saas_lint.sources.text import yaml_positions

REPO = Path(__file__).resolve().parent.parent
#: One input of each family, every one with findings of its own.
TREE = {
    "raw": "fixtures/raw",
    "export": "fixtures/account-export",
    "cfn-json/managed-policy.json": "fixtures/cloudformation/managed-policy.json",
    "cfn-yaml/parameters.yaml": "fixtures/cloudformation/parameters.yaml",
    "tf": "fixtures/terraform/jsonencode",
    "plan": "fixtures/terraform/plan",
}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "tree"
    for target, source in TREE.items():
        if (REPO / source).is_dir():
            shutil.copytree(REPO / source, root / target)
        else:
            (root / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / source, root / target)
    (root / ".iam-saas-lint.toml").write_text("")
    monkeypatch.chdir(root)
    return root


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]], str]:
    code = cli.main(["--format", "json", "--no-cache", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out)["findings"], err


def _boom(*args: object, **kwargs: object) -> object:
    raise RuntimeError("injected failure")


#: A function each reader calls, and the file whose reading it breaks.
READERS: dict[str, tuple[object, str, str]] = {
    "raw policy": (raw_policy, "policy_kind", "raw/datadog-no-external-id/trust.json"),
    "account export": (account_export, "_default_versions", "export/authorization-details.json"),
    "cloudformation json": (cloudformation.TemplateReader, "read", "cfn-json/managed-policy.json"),
    "cloudformation yaml": (yaml_positions._Builder, "run", "cfn-yaml/parameters.yaml"),
    "terraform hcl": (graph.GraphBuilder, "build", "tf/main.tf"),
    "terraform plan": (plan._PlanReader, "read", "plan/plan.json"),
}


def _without(findings: list[dict[str, object]], files: Callable[[str], bool]) -> list[dict[str, object]]:
    return [f for f in findings if not files(str(f["path"]))]


@pytest.mark.parametrize("family", READERS)
def test_a_failing_reader_is_an_internal_error_for_its_file(
    tree: Path, family: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, healthy, _ = _run(capsys)
    assert code == 1
    owner, name, broken = READERS[family]
    monkeypatch.setattr(owner, name, _boom)
    if family == "cloudformation json":  # the same reader serves YAML templates
        affected: Callable[[str], bool] = lambda path: path.startswith("cfn-")  # noqa: E731
    elif family == "raw policy":  # raw policies are linted as bundles: every raw file is affected
        affected = lambda path: path.startswith("raw/")  # noqa: E731
    else:
        affected = lambda path: path == broken  # noqa: E731
    code, findings, err = _run(capsys)
    assert code == 2
    internal = [f for f in findings if "internal error" in str(f["message"])]
    assert broken in {f["path"] for f in internal}
    assert all(f["rule"] == "ISL000" and "RuntimeError: injected failure" in str(f["message"]) for f in internal)
    assert _without(findings, affected) == _without(healthy, affected)  # the other files: as before
    assert "Traceback" not in err
    code, _, err = _run(capsys, "--debug")
    assert code == 2
    assert "Traceback (most recent call last)" in err and "RuntimeError: injected failure" in err


def test_a_failing_rule_is_an_internal_error_and_the_other_rules_still_report(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, healthy, _ = _run(capsys)
    monkeypatch.setattr(isl001_missing_external_id, "missing_external_ids", _boom)
    code, findings, err = _run(capsys)
    assert code == 2
    internal = [f for f in findings if "internal error" in str(f["message"])]
    assert internal
    assert all("while checking ISL001: RuntimeError: injected failure" in str(f["message"]) for f in internal)
    # every family still gets its other findings
    others = [f for f in findings if f not in internal]
    # ISL001 also reports what it cannot decide (as ISL009): those may go with it
    assert [f for f in others if f["rule"] != "ISL009"] == [f for f in healthy if f["rule"] not in ("ISL001", "ISL009")]
    assert all(f in healthy for f in others if f["rule"] == "ISL009")
    assert {str(f["path"]).split("/")[0] for f in others} == {"cfn-json", "cfn-yaml", "export", "plan", "raw", "tf"}
    assert "Traceback" not in err
    _, _, err = _run(capsys, "--debug")
    assert err.count("RuntimeError: injected failure") >= len(internal)  # findings are deduplicated


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    found = {}
    for directory, folders, files in os.walk(root):
        for name in folders + files:
            path = os.path.join(directory, name)
            status = os.lstat(path)
            found[os.path.relpath(path, root)] = (status.st_size, status.st_mtime_ns, status.st_mode)
    return found


def test_no_network_no_processes_no_writes_in_the_tree(tmp_path: Path) -> None:
    """The whole fixtures tree, every format, in a child that refuses sockets and processes and
    records any write under the tree; the tree is made read-only, and compared before and after
    (root ignores read-only modes, so the comparison is what proves it)."""
    tree = tmp_path / "fixtures"
    shutil.copytree(REPO / "fixtures", tree)
    (tree / ".iam-saas-lint.toml").write_text("")
    options = ["--no-cache"]
    modes = {}
    for directory, _, files in os.walk(tree):
        for name in files:
            path = os.path.join(directory, name)
            modes[path] = os.stat(path).st_mode
            os.chmod(path, 0o444)
    before = _snapshot(tree)
    try:
        for output in ("json", "text", "sarif"):
            outcome = lint_child(tree, *options, output=output, tree=tree)
            assert outcome.events == {"forbidden": [], "writes": [], "network": [], "processes": []}
            assert outcome.code == 1, outcome.stderr
            assert _snapshot(tree) == before
    finally:
        for path, mode in modes.items():
            os.chmod(path, mode)
    assert len(outcome.stdout) > 1000  # it did lint the tree


def test_with_the_cache_the_only_writes_are_in_the_cache_folder(tmp_path: Path) -> None:
    tree = tmp_path / "fixtures"
    shutil.copytree(REPO / "fixtures" / "raw", tree)
    (tree / ".iam-saas-lint.toml").write_text("")
    (tree / ".git").mkdir()  # the cache is only kept at a repository's root
    before = _snapshot(tree)
    outcome = lint_child(tree, "--cache", tree=tree)
    assert outcome.code == 1 and outcome.events["network"] == [] and outcome.events["processes"] == []
    cache = str(tree / ".iam-saas-lint-cache")
    assert outcome.events["writes"], "the cache was written"
    assert all(write.split(" ")[-1].startswith(cache) for write in outcome.events["writes"]), outcome.events
    assert {k: v for k, v in _snapshot(tree).items() if not k.startswith(".iam-saas-lint-cache")} == before
