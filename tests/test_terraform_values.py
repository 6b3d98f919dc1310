"""What the static reader resolves, and what it leaves unknown: tested on small modules."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.model.document import Inventory, PolicyDocument
from iam_saas_lint.model.values import OWN_ACCOUNT, Span, Unknown
from iam_saas_lint.sources.terraform import read_module
from iam_saas_lint.sources.terraform.templates import render, scan

VENDOR = "arn:aws:iam::464622532012:root"
OWN_ROLE = f"arn:aws:iam::{OWN_ACCOUNT}:role/o"
TRUST = """
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = %s }%s }]
  })
}
"""


def _module(tmp_path: Path, files: dict[str, str]) -> Inventory:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    tf = sorted(str(tmp_path / n) for n in files if n.endswith(".tf") and "/" not in n)
    return read_module(str(tmp_path), tf, 1 << 20, (str(tmp_path),))


def _principal(tmp_path: Path, expression: str, extra: str = "") -> object:
    inventory = _module(tmp_path, {"main.tf": TRUST % (expression, "") + extra})
    assert not inventory.problems, inventory.problems
    trust = inventory.roles[0].trust
    assert trust is not None and isinstance(trust.data, dict)
    return trust.data["Statement"][0]["Principal"]["AWS"]


def _rules(tmp_path: Path, files: dict[str, str]) -> list[str]:
    _module(tmp_path, files)
    return [f.rule for f in run([str(tmp_path)], Config()).findings]


@pytest.mark.parametrize(
    ("expression", "extra", "expected"),
    [
        ('"arn:aws:iam::${var.a}:root"', 'variable "a" { default = "464622532012" }', VENDOR),
        ("local.roots[1]", f'locals {{ roots = ["x", "{VENDOR}"] }}', VENDOR),
        ('local.roots["1"]', f'locals {{ roots = ["x", "{VENDOR}"] }}', VENDOR),  # as terraform console
        ("data.aws_caller_identity.me.account_id", 'data "aws_caller_identity" "me" {}', OWN_ACCOUNT),
        ('"arn:${data.aws_partition.p.partition}:iam::1:root"', 'data "aws_partition" "p" {}', "arn:aws:iam::1:root"),
        ('format("arn:aws:iam::%s:root", "464622532012")', "", VENDOR),
        ('[for a in ["1", "2"] : "arn:aws:iam::${a}:root" if a != "1"]', "", ["arn:aws:iam::2:root"]),
        ('lookup({ a = "x" }, "a", "y")', "", "x"),
        ('var.on ? "on" : "off"', 'variable "on" { default = false }', "off"),
        ('join(",", concat(["a"], ["b"]))', "", "a,b"),
        ('"$${aws:username}"', "", "${aws:username}"),
        ("aws_iam_role.other.arn", 'resource "aws_iam_role" "other" { name = "o" }', OWN_ROLE),
    ],
)
def test_resolved_values(tmp_path: Path, expression: str, extra: str, expected: object) -> None:
    assert _principal(tmp_path, expression, extra) == expected


@pytest.mark.parametrize(
    ("expression", "extra", "why"),
    [
        ("var.a", 'variable "a" {}', "var.a has no default"),
        ("module.vendor.account_arn", "", "module.vendor is not called in this module"),
        ('"arn:aws:iam::${var.a}:root"', 'variable "a" {}', "var.a has no default"),
        ("var.on ? var.a : var.b", 'variable "on" {}\nvariable "a" {}\nvariable "b" {}', "condition that is not"),
        ('regex("x", "y")', "", "regex() is not evaluated"),
        # terraform console: "The given key does not identify an element in this collection value: a
        # number is required" (int() would read "\u0661" as 1)
        ('local.roots["\u0661"]', f'locals {{ roots = ["x", "{VENDOR}"] }}', "cannot take '\u0661' of a list"),
        ("data.terraform_remote_state.s.outputs.arn", 'data "terraform_remote_state" "s" {}', "read when Terraform"),
    ],
)
def test_unresolved_values_are_unknown(tmp_path: Path, expression: str, extra: str, why: str) -> None:
    value = _principal(tmp_path, expression, extra)
    assert isinstance(value, Unknown)
    assert why in value.description


def test_tfvars_json_and_later_auto_tfvars_win(tmp_path: Path) -> None:
    value = _principal(tmp_path, "var.a", 'variable "a" { default = "d" }')  # fixture first without tfvars
    assert value == "d"
    (tmp_path / "terraform.tfvars.json").write_text('{"a": "from-json"}')
    (tmp_path / "z.auto.tfvars").write_text('a = "from-auto"\n')
    assert _principal(tmp_path, "var.a", 'variable "a" { default = "d" }') == "from-auto"


def test_string_external_id_without_default_pins_the_id(tmp_path: Path) -> None:
    condition = ', Condition = { StringEquals = { "sts:ExternalId" = var.x } }'
    text = TRUST % ('"464622532012"', condition)
    assert _rules(tmp_path, {"main.tf": text + 'variable "x" { type = string }'}) == ["ISL005"]


def test_list_external_ids_without_default_pin_the_ids(tmp_path: Path) -> None:
    # whatever the list holds, StringEquals pins it (an empty list matches nothing)
    condition = ', Condition = { StringEquals = { "sts:ExternalId" = var.x } }'
    text = TRUST % ('"464622532012"', condition)
    assert _rules(tmp_path, {"main.tf": text + 'variable "x" { type = list(string) }'}) == ["ISL005"]


def test_unresolved_string_like_external_id_is_unverifiable(tmp_path: Path) -> None:
    # a StringLike value may hold a wildcard
    condition = ', Condition = { StringLike = { "sts:ExternalId" = var.x } }'
    text = TRUST % ('"464622532012"', condition)
    assert _rules(tmp_path, {"main.tf": text + 'variable "x" {}'}) == ["ISL005", "ISL009"]


def test_unresolved_trust_is_unverifiable_not_a_pass(tmp_path: Path) -> None:
    text = 'resource "aws_iam_role" "r" {\n  assume_role_policy = module.trust.json\n}\n'
    assert _rules(tmp_path, {"main.tf": text}) == ["ISL005", "ISL009"]


def test_unresolved_permission_policy_is_unverifiable(tmp_path: Path) -> None:
    trust = TRUST % ('"464622532012"', ', Condition = { StringEquals = { "sts:ExternalId" = "k7Qm2xVb9" } }')
    policy = 'resource "aws_iam_role_policy" "p" {\n  role = aws_iam_role.r.id\n  policy = var.p\n}\nvariable "p" {}\n'
    assert _rules(tmp_path, {"main.tf": trust + policy}) == ["ISL009"]


def test_role_policy_links_by_literal_name(tmp_path: Path) -> None:
    trust = TRUST % ('"464622532012"', ', Condition = { StringEquals = { "sts:ExternalId" = "k7Qm2xVb9" } }')
    deny = (
        'resource "aws_iam_role_policy" "p" {\n  role = "r"\n  policy = jsonencode({Version = "2012-10-17", '
        'Statement = [{Effect = "Deny", Action = "*", Resource = "*", '
        'Condition = {NotIpAddress = {"aws:SourceIp" = ["203.0.113.9"]}}}]})\n}\n'
    )
    assert _rules(tmp_path, {"main.tf": trust + deny}) == []


def test_escapes_in_heredocs_and_policy_documents(tmp_path: Path) -> None:
    text = """
resource "aws_iam_policy" "heredoc" {
  policy = <<-EOF
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/$${aws:username}/${var.prefix}"}]}
  EOF
}
variable "prefix" { default = "reports" }
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/&{aws:username}"]
  }
}
resource "aws_iam_policy" "document" {
  policy = data.aws_iam_policy_document.d.json
}
"""
    inventory = _module(tmp_path, {"main.tf": text})
    resources = [d.data["Statement"][0]["Resource"] for d in inventory.documents if isinstance(d.data, dict)]
    assert resources == ["arn:aws:s3:::b/${aws:username}/reports", ["arn:aws:s3:::b/${aws:username}"]]


def test_heredoc_closing_marker_with_trailing_blanks(tmp_path: Path) -> None:
    text = 'resource "aws_iam_policy" "p" {\n  policy = <<POLICY\n{"Statement": []}\nPOLICY  \n}\n'
    inventory = _module(tmp_path, {"main.tf": text})
    assert not [p for p in inventory.problems if "invalid HCL" in p.message]
    assert len(inventory.documents) == 1


def test_duplicate_declarations_are_reported(tmp_path: Path) -> None:
    role = 'resource "aws_iam_role" "r" {\n  assume_role_policy = "{}"\n}\n'
    inventory = _module(tmp_path, {"a.tf": role, "b.tf": role})
    assert [p.message.split(" (")[0] for p in inventory.problems if "declared twice" in p.message] == [
        "aws_iam_role.r is declared twice"
    ]


def test_a_resource_declared_twice_is_reported_where_it_is_and_still_read_when_looked_up(tmp_path: Path) -> None:
    bucket = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs-café" }\n'
    policy = (
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = '
        '"Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::${aws_s3_bucket.logs.bucket}/*" }] })\n}\n'
    )
    inventory = _module(tmp_path, {"a.tf": bucket, "b.tf": bucket + policy})
    twice = [p for p in inventory.problems if "declared twice" in p.message]
    assert [(p.file, p.message.split(":")[0], p.span) for p in twice] == [
        (
            str(tmp_path / "b.tf"),
            f"aws_s3_bucket.logs is declared twice (also at {tmp_path / 'a.tf'}",
            Span(1, 1, 2, 25, str(tmp_path / "b.tf")),
        )
    ]
    resources = [d.data["Statement"][0]["Resource"] for d in inventory.documents if isinstance(d.data, dict)]
    assert resources == ["arn:aws:s3:::logs-café/*"]


def test_symlink_out_of_the_tree_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "deny.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    module = tmp_path / "module"
    module.mkdir()
    os.symlink(outside / "deny.json", module / "deny.json")
    policy = 'resource "aws_iam_policy" "p" {\n  policy = file("${path.module}/deny.json")\n}\n'
    (module / "main.tf").write_text(policy)
    inventory = read_module(str(module), [str(module / "main.tf")], 1 << 20, (str(module),))
    assert inventory.documents == []  # unresolved: nothing read through the link


def test_policy_documents_are_shared_between_roles(in_repo: str) -> None:
    inventory = read_module(
        "fixtures/terraform/split_files",
        sorted(os.path.join("fixtures/terraform/split_files", n) for n in os.listdir("fixtures/terraform/split_files")),
        1 << 20,
    )
    trusts = [role.trust for role in inventory.roles]
    assert all(isinstance(t, PolicyDocument) for t in trusts)
    assert {r.name: sorted(r.files) for r in inventory.roles}["aws_iam_role.reporting"] == [
        "fixtures/terraform/split_files/attachments.tf",
        "fixtures/terraform/split_files/data.tf",
        "fixtures/terraform/split_files/policy.tf",
        "fixtures/terraform/split_files/role.tf",
    ]


def test_template_scan_and_render() -> None:
    text = "a ${var.x} b $${literal} c %{ if true }d%{ endif }"
    pieces = scan(text)
    assert not isinstance(pieces, Exception)
    assert [(p.kind, p.text) for p in pieces] == [
        ("interpolation", "var.x"),
        ("escape", "${"),
        ("directive", "if true"),
        ("directive", "endif"),
    ]
    simple = scan("x-${a}-$${b}")
    assert not isinstance(simple, Exception)
    assert render("x-${a}-$${b}", simple, ["1", None]) == "x-1-${b}"


def test_a_sensitive_variable_is_never_printed(tmp_path: Path) -> None:
    condition = ', Condition = { StringEquals = { "sts:ExternalId" = var.x } }'
    text = TRUST % ('"464622532012"', condition) + 'variable "x" {\n  default   = "changeme"\n  sensitive = true\n}\n'
    findings = run([str(_write_only(tmp_path, text))], Config()).findings
    assert [f.rule for f in findings] == ["ISL005", "ISL003"]  # a sensitive placeholder is still one
    assert all("changeme" not in f.message for f in findings)
    assert "external id (a sensitive value) is a placeholder" in findings[1].message


def _write_only(tmp_path: Path, text: str) -> Path:
    (tmp_path / "main.tf").write_text(text)
    return tmp_path


SENSITIVE_ROLE = """
resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = %s } }
    }]
  })
  inline_policy {
    name = "deny"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{
        Effect = "Deny", Action = "*", Resource = "*"
        Condition = { NotIpAddress = { "aws:SourceIp" = %s } }
      }]
    })
  }
}
"""
SECRET_VARIABLES = """
variable "external_id" {
  default   = "<vendor-external-id-k3Q>"
  sensitive = true
}
variable "office" {
  default   = ["198.51.100.77/0"]
  sensitive = true
}
"""


@pytest.mark.parametrize("output", ["text", "concise", "github", "json", "sarif"])
def test_a_sensitive_value_is_never_printed_after_the_same_plain_document(
    in_tmp: Path, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Verdicts are remembered by document content: the plain module (read first, its findings
    suppressed) writes the same documents as the one whose values are sensitive, and its verdicts,
    which quote the values, must not be reused for them."""
    from iam_saas_lint.cli import main

    plain = SENSITIVE_ROLE % ('"<vendor-external-id-k3Q>"', '["198.51.100.77/0"]')
    plain = plain.replace('"sts:AssumeRole"', '"sts:AssumeRole" # iam-saas-lint: ignore[ISL003] the value under test')
    plain = plain.replace('"] } }', '"] } } # iam-saas-lint: ignore[ISL006] the value under test')
    (in_tmp / "a-plain").mkdir()
    (in_tmp / "a-plain" / "main.tf").write_text(plain)
    (in_tmp / "b-secret").mkdir()
    (in_tmp / "b-secret" / "main.tf").write_text(SENSITIVE_ROLE % ("var.external_id", "var.office") + SECRET_VARIABLES)

    assert main(["--no-cache", "--jobs", "1", "--format", "json", "."]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("ISL003", "b-secret/main.tf", 10),
        ("ISL006", "b-secret/main.tf", 19),
    ]  # the plain module's findings are suppressed: its verdicts were computed, first
    assert "external id (a sensitive value) is a placeholder" in findings[0]["message"]
    assert "(a sensitive value) is /0" in findings[1]["message"]

    assert main(["--no-cache", "--jobs", "1", "--format", output, "."]) == 1
    printed = capsys.readouterr()
    for secret in ("external-id-k3Q", "198.51.100.77"):
        assert secret not in printed.out
        assert secret not in printed.err
