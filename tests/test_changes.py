"""``--hook``: which files a commit's changes bring into the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, write_tree

from iam_saas_lint.changes import hook_paths
from iam_saas_lint.cli import main
from iam_saas_lint.config import Config, RoleMapping

TREE = {
    "iam/main.tf": (
        'resource "aws_iam_role" "r" {\n  assume_role_policy = file("${path.module}/../policies/trust.json")\n}\n'
    ),
    "iam/deny.tf": "# the deny\n",
    "iam/terraform.tfvars": 'cidrs = ["203.0.113.0/24"]\n',
    "other/main.tf": "# names nothing\n",
    "policies/trust.json": '{"Statement": []}\n',
    "roles/vendor/trust.json": '{"Statement": []}\n',
    "roles/vendor/deny.json": '{"Statement": []}\n',
    "templates/unused.tftpl": "{}\n",
    "src/app.py": "print()\n",
}


@pytest.fixture
def tree(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(in_tmp, TREE)
    monkeypatch.setattr("iam_saas_lint.changes.staged_deletions", lambda: [])
    return in_tmp


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["iam/terraform.tfvars"], ["iam/deny.tf", "iam/main.tf"]),
        (["iam/prod.auto.tfvars.json"], ["iam/deny.tf", "iam/main.tf"]),  # deleted: its module is re-linted
        (["policies/trust.json"], ["iam/deny.tf", "iam/main.tf", "policies/trust.json"]),
        (["iam/gone.tf"], ["iam/deny.tf", "iam/main.tf"]),
        (["roles/vendor/gone.json"], ["roles/vendor/deny.json", "roles/vendor/trust.json"]),
        (["templates/unused.tftpl", "src/app.py"], []),
        ([], []),
    ],
)
def test_changed_and_deleted_files_bring_in_their_units(tree: Path, changed: list[str], expected: list[str]) -> None:
    assert hook_paths(changed, Config(root=str(tree))) == expected


def test_staged_deletions_come_from_git(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("iam_saas_lint.changes.staged_deletions", lambda: ["iam/deny-old.tf"])
    assert hook_paths([], Config(root=str(tree))) == ["iam/deny.tf", "iam/main.tf"]


def test_a_configured_role_comes_whole(tree: Path) -> None:
    role = RoleMapping("vendor", str(tree / "policies/trust.json"), (str(tree / "roles/vendor/*.json"),))
    found = hook_paths(["roles/vendor/deny.json"], Config(roles=(role,), root=str(tree)))
    assert found == ["policies/trust.json", "roles/vendor/deny.json", "roles/vendor/trust.json"]


def test_each_hook_batch_says_which_changed_files_it_covered(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pre-commit may split a long file list into batches: each run's summary names what it was given."""
    from iam_saas_lint.cli import main

    batch = ["roles/vendor/trust.json", "roles/vendor/deny.json", "src/app.py", "templates/unused.tftpl", "x.md"]
    assert main(["--hook", "--format", "concise", "--no-cache", *batch]) == 1
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.startswith(
        "Checked 4 files, 1 role (changed: roles/vendor/trust.json, roles/vendor/deny.json, src/app.py and 2 more): "
    )
    assert main(["--hook", "--format", "concise"]) == 0
    assert capsys.readouterr().out == "No IAM files found (no changed files): nothing checked.\n"


MODULE_TREE = {
    "envs/prod/main.tf": 'module "vendor" {\n  source = "../../modules/vendor"\n  account_id = "464622532012"\n}\n',
    "envs/stage/main.tf": 'module "wrapper" {\n  source = "../../modules/wrapper"\n}\n',
    "modules/wrapper/main.tf": 'module "vendor" {\n  source = "../vendor"\n  account_id = "123456789012"\n}\n',
    "modules/vendor/main.tf": 'variable "account_id" {}\nresource "aws_iam_role" "this" {}\n',
    "modules/other/main.tf": "# calls nothing\n",
}


def test_a_changed_called_module_brings_in_its_callers(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Callers of callers too (stage calls the wrapper, which calls the vendor module)."""
    write_tree(in_tmp, MODULE_TREE)
    monkeypatch.setattr("iam_saas_lint.changes.staged_deletions", lambda: [])
    assert hook_paths(["modules/vendor/main.tf"], Config(root=str(in_tmp))) == [
        "envs/prod/main.tf",
        "envs/stage/main.tf",
        "modules/vendor/main.tf",
        "modules/wrapper/main.tf",
    ]
    assert hook_paths(["modules/other/main.tf"], Config(root=str(in_tmp))) == ["modules/other/main.tf"]


def test_a_hook_run_on_a_changed_caller_judges_its_children_per_instance(
    in_repo: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The other way round: only the caller changed (a new argument), and the called modules' roles
    are judged through it, at the children's lines, with the changed caller's arguments."""
    monkeypatch.setattr("iam_saas_lint.changes.staged_deletions", lambda: [])
    caller = "fixtures/terraform/module_calls/envs/prod/main.tf"
    assert main(["--hook", "--format", "concise", caller]) == 1
    rows = [line.split(" role ")[0] for line in capsys.readouterr().out.splitlines()[:-1]]
    child = "fixtures/terraform/module_calls/modules/"
    assert rows == [
        f"{caller}:60:1: ISL009",
        f"{caller}:60:1: ISL009",
        f"{child}readonly-role/main.tf:16:3: ISL005",
        f"{child}readonly-role/main.tf:16:3: ISL005",
        f"{child}vendor-access/main.tf:9:38: ISL003",
        f"{child}vendor-access/main.tf:23:38: ISL006",
    ]


NESTED_TREE = {
    "stacks/parent.yaml": (
        "Resources:\n  Integration:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: nested/vendor-role.yaml\n"
        "      Parameters: {VendorAccount: '464622532012'}\n"
    ),
    "stacks/nested/vendor-role.yaml": (
        "Parameters:\n  VendorAccount: {Type: String}\nResources:\n  Platform:\n"
        "    Type: AWS::Serverless::Application\n    Properties: {Location: platform.yaml}\n"
    ),
    "stacks/nested/platform.yaml": "Resources:\n  VendorRole: {Type: AWS::IAM::Role}\n",
    "apps/service.yaml": "Resources:\n  Queue: {Type: AWS::SQS::Queue}\n",
    "policies/platform.json": '{"Statement": []}\n',
}


def test_a_changed_nested_template_brings_in_the_templates_that_deploy_it(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parents of parents too; a template nobody nests, or a raw policy of the same name, brings in nothing."""
    write_tree(in_tmp, NESTED_TREE)
    monkeypatch.setattr("iam_saas_lint.changes.staged_deletions", lambda: [])
    config = Config(root=str(in_tmp))
    assert hook_paths(["stacks/nested/platform.yaml"], config) == [
        "stacks/nested/platform.yaml",
        "stacks/nested/vendor-role.yaml",
        "stacks/parent.yaml",
    ]
    assert hook_paths(["apps/service.yaml"], config) == ["apps/service.yaml"]
    assert hook_paths(["policies/platform.json"], config) == ["policies/platform.json"]
    (in_tmp / "stacks/nested/vendor-role.yaml").unlink()  # the parent now deploys a missing template
    monkeypatch.setattr("iam_saas_lint.changes.staged_deletions", lambda: ["stacks/nested/vendor-role.yaml"])
    assert hook_paths([], config) == ["stacks/parent.yaml"]


def test_a_hook_run_on_a_changed_nested_child_judges_it_through_its_parent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The child alone would be judged with the vendor account unknown; through its parent the role is
    named Parent/Child and the principal is the vendor the parent passes."""
    from iam_saas_lint.cli import main

    monkeypatch.chdir(REPO / "fixtures/cloudformation/nested")
    monkeypatch.setattr("iam_saas_lint.changes.staged_deletions", lambda: [])
    assert main(["--hook", "--format", "concise", "--no-cache", "stacks/vendor-role.yaml"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" role ")[0] for line in out[:-1]] == [
        "parent.yaml:19:7: ISL009",  # the parent is linted whole: its other nested stacks too
        "parent.yaml:19:7: ISL009",
        "stacks/vendor-role.yaml:16:13: ISL001",
    ]
    assert out[2] == (
        'stacks/vendor-role.yaml:16:13: ISL001 role "DatadogIntegration/VendorRole [if HasExternalId=false]" '
        "can be assumed by Datadog (464622532012) without an sts:ExternalId condition"
    )
    assert out[3].startswith("Checked 2 files, 2 roles (changed: stacks/vendor-role.yaml): 3 findings")
