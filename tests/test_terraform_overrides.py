"""Override files merge into the blocks they override, as Terraform and OpenTofu load a module."""

from __future__ import annotations

from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.sources.terraform.overrides import is_override_file

TRUST = """
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::464622532012:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["k7Qm2xVb9Lp4"]
    }
  }
}
"""

ROLE = (
    TRUST
    + """
resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "deny" {
  role   = aws_iam_role.vendor.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "*", Resource = "*",
    Condition = { NotIpAddress = { "aws:SourceIp" = ["203.0.113.0/24"] } } }] })
}
"""
)

NO_CONDITION = """
data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = ["arn:aws:iam::464622532012:root"]
    content {
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }
}
"""


def _rows(folder: Path, config: Config | None = None) -> list[tuple[str, str, int]]:
    result = run([str(folder)], config or Config())
    assert not result.internal_error, result.tracebacks
    return [(f.rule, Path(f.path).name, f.line) for f in result.findings]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("override.tf", True),
        ("vendor_override.tf", True),
        ("override.tf.json", True),
        ("a_override.tofu.json", True),
        ("override.tofu", True),
        ("overrides.tf", False),
        ("my-override.tf", False),
        ("main.tf", False),
        ("override.tfvars", False),
    ],
)
def test_which_files_are_override_files(name: str, expected: bool) -> None:
    assert is_override_file(f"some/folder/{name}") is expected


def test_an_override_file_is_not_a_duplicate_and_the_role_is_judged_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    (tmp_path / "override.tf").write_text('resource "aws_iam_role" "vendor" {\n  name = "renamed"\n}\n')
    assert _rows(tmp_path) == []


def test_a_dynamic_block_of_the_override_replaces_the_static_blocks_of_its_type(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    (tmp_path / "trust_override.tf").write_text(NO_CONDITION)
    assert _rows(tmp_path) == [("ISL001", "trust_override.tf", 7)]


def test_later_override_files_win(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    (tmp_path / "a_override.tf").write_text(NO_CONDITION)
    (tmp_path / "b_override.tf").write_text(TRUST)
    assert _rows(tmp_path) == []  # b writes the trust with its condition again


def test_an_override_of_nothing_is_rejected_like_terraform_does(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ROLE)
    (tmp_path / "override.tf").write_text('variable "missing" {\n  default = 1\n}\nlocals {\n  nothing = 1\n}\n')
    result = run([str(tmp_path)], Config())
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("ISL000", 1, 1), ("ISL000", 5, 3)]
    assert "overrides no" in result.findings[0].message


def test_opentofu_override_forms_apply_only_where_opentofu_loads_the_module(tmp_path: Path) -> None:
    (tmp_path / "main.tofu").write_text(ROLE)
    (tmp_path / "trust_override.tofu").write_text(NO_CONDITION)
    assert _rows(tmp_path) == [("ISL001", "trust_override.tofu", 7)]
    (tmp_path / "main.tf").write_text(ROLE)
    assert _rows(tmp_path, Config(terraform_engine="terraform")) == []
