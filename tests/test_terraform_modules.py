"""Terraform module calls: children judged through their callers, per instance, with the caller's
arguments, outputs flowing back, and calls that cannot be read reported."""

from __future__ import annotations

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding

F = "fixtures/terraform/module_calls/"


def _lint(*paths: str) -> list[Finding]:
    result = run(list(paths), Config())
    assert not result.internal_error, result.tracebacks
    return result.findings


def _rows(findings: list[Finding]) -> list[tuple[str, str, int, int, str | None]]:
    return [(f.rule, f.path.removeprefix(F), f.line, f.column, f.role) for f in findings]


def test_children_are_judged_per_instance_with_the_callers_arguments(in_repo: str) -> None:
    """snowflake leaves out source_ips (optional default 0.0.0.0/0) and passes a placeholder id;
    datadog passes both; cloudzero's deny is attached in the caller through module.cloudzero.role_name;
    the two sandbox instances have none; the audit module is not downloaded. The called folders
    get no verdict of their own."""
    assert _rows(_lint(F)) == [
        ("ISL009", "envs/prod/main.tf", 60, 1, "module.audit"),
        ("ISL009", "envs/prod/main.tf", 60, 1, "module.audit"),
        ("ISL005", "modules/readonly-role/main.tf", 16, 3, "module.sandbox[0].aws_iam_role.this"),
        ("ISL005", "modules/readonly-role/main.tf", 16, 3, "module.sandbox[1].aws_iam_role.this"),
        ("ISL003", "modules/vendor-access/main.tf", 9, 38, 'module.vendor["snowflake"].aws_iam_role.this'),
        ("ISL006", "modules/vendor-access/main.tf", 23, 38, 'module.vendor["snowflake"].aws_iam_role.this'),
    ]


def test_an_unread_call_names_the_module_and_its_source(in_repo: str) -> None:
    messages = [f.message for f in _lint(F) if f.rule == "ISL009"]
    assert all("module.audit (app.terraform.io/acme/audit-role/aws) is not read: not downloaded" in m for m in messages)


def test_a_folder_nobody_scanned_calls_is_a_root(in_repo: str) -> None:
    """Scanned alone, the shared module is a root: its inputs are unknown, and it says so."""
    rules = {(f.rule, f.role) for f in _lint(F + "modules/readonly-role")}
    assert ("ISL005", "aws_iam_role.this") in rules
