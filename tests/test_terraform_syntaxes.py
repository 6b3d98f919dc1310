"""One module in native syntax (.tf), Terraform's JSON syntax (.tf.json) and OpenTofu's files
(.tofu): the same verdicts, each placed in its own file; OpenTofu's precedence of x.tofu over x.tf."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iam_saas_lint.cli import main
from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding

F = "fixtures/terraform/"
#: (rule, role, line, column) in each file: the same roles and rules, at the place each file writes them.
SYNTAXES = {
    "syntaxes/tf/main.tf": [
        ("ISL001", "aws_iam_role.vendor", 13, 7),  # the principal inside jsonencode
        ("ISL006", "aws_iam_role.vendor", 28, 5),  # the condition block of the Deny
        ("ISL005", "aws_iam_role.backup", 39, 3),  # the heredoc
        ("ISL002", "aws_iam_role.backup", 46, 34),  # "sts:ExternalId": "*" inside the heredoc
    ],
    "syntaxes/tofu/main.tofu": [
        ("ISL001", "aws_iam_role.vendor", 13, 7),
        ("ISL006", "aws_iam_role.vendor", 28, 5),
        ("ISL005", "aws_iam_role.backup", 39, 3),
        ("ISL002", "aws_iam_role.backup", 46, 34),
    ],
    "syntaxes/tf_json/main.tf.json": [
        ("ISL001", "aws_iam_role.vendor", 13, 171),  # Principal = … inside the "${jsonencode(…)}" string
        ("ISL006", "aws_iam_role.vendor", 37, 15),  # the condition object of the Deny
        ("ISL005", "aws_iam_role.backup", 18, 9),  # the "assume_role_policy" member
        ("ISL002", "aws_iam_role.backup", 18, 229),  # \"sts:ExternalId\": \"*\" inside the escaped JSON
    ],
}


def _lint(path: str, config: Config | None = None) -> list[Finding]:
    result = run([path], config or Config())
    assert not result.internal_error, result.tracebacks
    return result.findings


@pytest.mark.parametrize("file", SYNTAXES)
def test_the_same_roles_in_each_syntax_get_the_same_findings_in_their_own_file(in_repo: str, file: str) -> None:
    findings = _lint(F + file.rsplit("/", 1)[0])
    assert {f.path for f in findings} == {F + file}
    found = sorted((f.rule, f.role, f.line, f.column) for f in findings)
    assert found == sorted(SYNTAXES[file])


def test_positions_in_json_syntax_point_at_what_they_name(in_repo: str) -> None:
    lines = Path(F + "syntaxes/tf_json/main.tf.json").read_text().splitlines()
    text = {f.rule: lines[f.line - 1][f.column - 1 :] for f in _lint(F + "syntaxes/tf_json")}
    assert text["ISL001"].startswith('Principal = { AWS = \\"arn:aws:iam::${var.vendor_account}:root\\" }')
    assert text["ISL002"].startswith('\\"sts:ExternalId\\": \\"*\\"')
    assert text["ISL005"].startswith('"assume_role_policy": "{')


def test_opentofu_reads_x_tofu_instead_of_x_tf(in_repo: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = F + "opentofu_precedence"
    assert main(["--no-cache", "--format", "concise", "--verbose", folder]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[:-1] == [
        f'{folder}/main.tofu:4:3: ISL005 role "aws_iam_role.vendor" trusts Datadog (464622532012) but no permission '
        "policy denies all actions from outside the vendor's addresses (Deny * with NotIpAddress aws:SourceIp)"
    ]
    assert f"skipped {folder}/main.tf: OpenTofu reads main.tofu instead" in err
    assert f"{folder}: read as OpenTofu loads a module (it holds .tofu files)" in err


def test_the_configuration_can_choose_terraform(
    in_repo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "engine.toml"
    config.write_text('terraform-engine = "terraform"\n')
    folder = F + "opentofu_precedence"
    assert main(["--no-cache", "--format", "concise", "--verbose", "--config", str(config), folder]) == 1
    out, err = capsys.readouterr()
    assert [line.split(": ", 1)[0] for line in out.splitlines()[:-1]] == [
        f"{folder}/main.tf:4:3",
        f"{folder}/main.tf:9:7",
    ]
    assert f"skipped {folder}/main.tofu: a .tofu file: Terraform does not read it" in err


def test_an_unknown_engine_is_a_configuration_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "engine.toml"
    config.write_text('terraform-engine = "pulumi"\n')
    assert main(["--config", str(config), str(tmp_path)]) == 2
    assert 'terraform-engine must be "auto", "terraform" or "opentofu"' in capsys.readouterr().err


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text)


def test_json_syntax_rules(tmp_path: Path) -> None:
    """Comments, literal defaults, blocks as arrays, static references and single interpolations."""
    _write(
        tmp_path,
        {
            "main.tf.json": """{
  "//": "a comment: not a block",
  "variable": {"external_id": {"default": "${not a template}"}},
  "locals": [{"account": "464622532012"}, {"principals": "${[local.account]}"}],
  "resource": {"aws_iam_role": {"r": [{
    "//": "a comment: not an argument",
    "depends_on": ["aws_iam_role_policy.p"],
    "assume_role_policy": "${jsonencode({Statement = [{Effect = \\"Allow\\", Action = \\"sts:AssumeRole\\", \
Principal = {AWS = local.principals}, Condition = {StringEquals = {\\"sts:ExternalId\\" = var.external_id}}}]})}"
  }]}}
}
""",
        },
    )
    findings = _lint(str(tmp_path))
    assert [(f.rule, f.line) for f in findings] == [("ISL005", 8), ("ISL003", 8)]
    assert "'${not a template}'" in findings[1].message  # the default is literal text, as Terraform reads it


def test_a_file_that_does_not_parse_is_isl000_and_the_others_are_read(tmp_path: Path) -> None:
    trust = (
        '{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
        '"Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]}'
    )
    _write(
        tmp_path,
        {
            "broken.tf": 'variable "x" {\n  default = [1,\n}\n',
            "broken.tf.json": '{"variable": {"y": }}\n',
        },
    )
    (tmp_path / "role.tf.json").write_text(
        '{"resource": {"aws_iam_role": {"r": {"assume_role_policy": ' + json.dumps(trust) + "}}}}"
    )
    rows = [(f.rule, Path(f.path).name, f.line, f.column) for f in _lint(str(tmp_path))]
    assert rows == [
        ("ISL000", "broken.tf", 2, 3),  # tree-sitter's first error node: the attribute it could not finish
        ("ISL000", "broken.tf.json", 1, 20),
        ("ISL005", "role.tf.json", 1, 38),
        ("ISL001", "role.tf.json", 1, 134),
    ]


def test_a_named_json_syntax_file_brings_its_module(in_repo: str) -> None:
    named = _lint(F + "syntaxes/tf_json/main.tf.json")
    assert sorted(f.rule for f in named) == sorted(rule for rule, *_ in SYNTAXES["syntaxes/tf_json/main.tf.json"])
