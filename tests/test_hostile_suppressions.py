"""A file cannot hide its own findings: only real comments suppress (the tokenizer's, not the same
words inside a string, a block scalar, a heredoc or JSON), and a resource's ``Metadata`` covers
that resource, never the resources written on the same lines. Each case runs in a watched child."""

from __future__ import annotations

from pathlib import Path

import pytest
from child import lint_child

VENDOR = "arn:aws:iam::464622532012:root"
MARK = "# iam-saas-lint: ignore[ISL001,ISL005] x"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".iam-saas-lint.toml").write_text("")
    return root


def _rows(root: Path) -> list[str]:
    outcome = lint_child(root)
    outcome.within_limits()
    assert "internal error" not in outcome.stdout
    return outcome.rows()


def _tf(before_policy: str, before_principal: str = "") -> str:
    return (
        'resource "aws_iam_role" "vendor" {\n'
        f"{before_policy}"
        "  assume_role_policy = jsonencode({\n"
        '    Statement = [{\n      Effect = "Allow"\n      Action = "sts:AssumeRole"\n'
        f"{before_principal}"
        f'      Principal = {{ AWS = "{VENDOR}" }}\n'
        "    }]\n  })\n}\n"
    )


TERRAFORM_STRINGS = {
    "description": _tf(f'  description = "{MARK}"\n', f'      Sid = "{MARK}"\n'),
    "template": _tf(f'  description = "${{"{MARK}"}}"\n', f'      Sid = "a${{1}}{MARK}"\n'),
    "heredoc": _tf(f"  description = <<EOT\n{MARK}\nEOT\n", f"      Sid = <<-EOT\n      {MARK}\n      EOT\n"),
    "block comment": _tf(f'  /* ends here */ description = "{MARK}"\n', f"      /*\n      {MARK}\n      */\n"),
}


@pytest.mark.parametrize("form", TERRAFORM_STRINGS)
def test_terraform_strings_do_not_suppress(tmp_path: Path, form: str) -> None:
    text = TERRAFORM_STRINGS[form]
    rows = _rows(_tree(tmp_path, {"tf/main.tf": text}))
    policy = 1 + text.splitlines().index("  assume_role_policy = jsonencode({")
    principal = 1 + next(i for i, line in enumerate(text.splitlines()) if "Principal" in line)
    assert rows == [f"ISL005 tf/main.tf:{policy}", f"ISL001 tf/main.tf:{principal}"]


def test_terraform_comments_still_suppress(tmp_path: Path) -> None:
    text = _tf(f"  {MARK}\n", "      // iam-saas-lint: ignore[ISL001] x\n")
    assert _rows(_tree(tmp_path, {"tf/main.tf": text})) == []
    # a comment after a string that holds a quote and a template: the lexer kept its place
    text = _tf('  description = "a \\" ${"}"} b" # iam-saas-lint: ignore[ISL005] x\n', f"      {MARK}\n")
    assert _rows(_tree(tmp_path / "2", {"tf/main.tf": text})) == []


def _yaml(before_policy: str, before_principal: str = "") -> str:
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  VendorRole:\n    Type: AWS::IAM::Role\n"
        f"    Properties:\n{before_policy}      AssumeRolePolicyDocument:\n        Statement:\n"
        f"          - Effect: Allow\n            Action: sts:AssumeRole\n{before_principal}"
        f"            Principal: {{AWS: '{VENDOR}'}}\n"
    )


YAML_STRINGS = {
    "quoted": _yaml(f'      Description: "{MARK}"\n', f"            Sid: '{MARK}'\n"),
    "block scalar": _yaml(f"      Description: |\n        {MARK}\n", f"            Sid: >-\n              {MARK}\n"),
    "multi-line quoted": _yaml(
        f'      Description: "a\n        {MARK}"\n', f"            Sid: 'b\n\n              {MARK}'\n"
    ),
}


@pytest.mark.parametrize("form", YAML_STRINGS)
def test_yaml_strings_do_not_suppress(tmp_path: Path, form: str) -> None:
    text = YAML_STRINGS[form]
    lines = text.splitlines()
    policy = 1 + lines.index("      AssumeRolePolicyDocument:")
    principal = 1 + next(i for i, line in enumerate(lines) if "Principal" in line)
    assert _rows(_tree(tmp_path, {"template.yaml": text})) == [
        f"ISL005 template.yaml:{policy}",
        f"ISL001 template.yaml:{principal}",
    ]


def test_yaml_comments_still_suppress(tmp_path: Path) -> None:
    text = _yaml(f"      Description: plain words {MARK}\n", f"            {MARK}\n")
    assert _rows(_tree(tmp_path, {"template.yaml": text})) == []


def test_json_has_no_comments(tmp_path: Path) -> None:
    """One line: the string sits on the line of every finding."""
    document = (
        f'{{"AWSTemplateFormatVersion": "2010-09-09", "Description": "{MARK}", "Resources": {{"R": '
        '{"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{'
        f'"Sid": "{MARK}", "Effect": "Allow", "Action": "sts:AssumeRole", '
        f'"Principal": {{"AWS": "{VENDOR}"}}}}]}}}}}}}}}}\n'
    )
    trust = f'{{"Statement": [{{"Sid": "{MARK}", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}}]}}\n'
    root = _tree(tmp_path, {"a.template": document, "b.json": document, "trust.json": trust})
    assert _rows(root) == [
        "ISL005 a.template:1",
        "ISL001 a.template:1",
        "ISL005 b.json:1",
        "ISL001 b.json:1",
        "ISL005 trust.json:1",
        "ISL001 trust.json:1",
        "ISL004 trust.json:1",
    ]


def _role(logical_id: str, account: str, metadata: bool) -> str:
    ignore = (
        '"Metadata": {"iam-saas-lint": {"ignore": '
        '[{"rule": "ISL001", "reason": "r"}, {"rule": "ISL005", "reason": "r"}]}}, '
        if metadata
        else ""
    )
    return (
        f'"{logical_id}": {{"Type": "AWS::IAM::Role", {ignore}"Properties": {{"AssumeRolePolicyDocument": '
        f'{{"Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {{"AWS": "{account}"}}}}]}}}}}}'
    )


@pytest.mark.parametrize("name", ["minified.json", "minified.template", "minified.yaml"])
def test_metadata_covers_its_resource_not_its_lines(tmp_path: Path, name: str) -> None:
    resources = ", ".join([_role("Ignored", "111111111111", True), _role("Other", "222222222222", False)])
    template = f'{{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {{{resources}}}}}\n'
    outcome = lint_child(_tree(tmp_path, {name: template}))
    assert [(f["rule"], f["line"], f["role"]) for f in outcome.findings] == [
        ("ISL005", 1, "Other"),
        ("ISL001", 1, "Other"),
    ]
    outcome.within_limits()
