"""Property tests across formats: one generated role written five ways gets the same rule ids, and
the order in which files are found or named never changes the findings."""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run

Policy = dict[str, Any]
ARNS = ["arn:aws:iam::464622532012:root", "arn:aws:iam::754728514883:root", "arn:aws:iam::210987654321:root"]
PRINCIPALS = st.one_of(
    st.just("*"),
    st.builds(lambda arns: {"AWS": arns}, st.lists(st.sampled_from([*ARNS, "*"]), min_size=1, max_size=2, unique=True)),
    st.just({"Service": ["ec2.amazonaws.com"]}),
)
TRUST_CONDITIONS = st.dictionaries(
    st.sampled_from(["StringEquals", "StringLike", "StringEqualsIfExists", "StringNotEquals", "Bool"]),
    st.dictionaries(
        st.sampled_from(["sts:ExternalId", "aws:PrincipalOrgID", "aws:MultiFactorAuthPresent"]),
        st.lists(st.sampled_from(["9f1c2a7e4b8d", "*", "true", "o-a1b2c3d4e5"]), min_size=1, max_size=2, unique=True),
        min_size=1,
        max_size=2,
    ),
    max_size=2,
)
PERMISSION_CONDITIONS = st.dictionaries(
    st.sampled_from(["NotIpAddress", "IpAddress", "StringEquals"]),
    st.dictionaries(
        st.sampled_from(["aws:SourceIp", "aws:RequestedRegion"]),
        st.lists(
            st.sampled_from(["203.0.113.0/24", "0.0.0.0/0", "10.0.0.0/8", "eu-west-1"]),
            min_size=1,
            max_size=2,
            unique=True,
        ),
        min_size=1,
        max_size=1,
    ),
    max_size=1,
)
ACTIONS = st.lists(st.sampled_from(["sts:AssumeRole", "sts:TagSession", "sts:*", "*", "s3:GetObject"]), min_size=1,
                   max_size=2, unique=True)  # fmt: skip


@st.composite
def trust_statements(draw: Any) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": draw(st.sampled_from(["Allow", "Allow", "Allow", "Deny"])),
        "Principal": draw(PRINCIPALS),
        draw(st.sampled_from(["Action", "Action", "Action", "NotAction"])): draw(ACTIONS),
    }
    condition = draw(TRUST_CONDITIONS)
    if condition:
        statement["Condition"] = condition
    return statement


@st.composite
def permission_statements(draw: Any) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": draw(st.sampled_from(["Allow", "Deny", "Deny"])),
        draw(st.sampled_from(["Action", "Action", "NotAction"])): draw(st.sampled_from([["*"], ["s3:GetObject"]])),
        "Resource": draw(st.sampled_from([["*"], ["arn:aws:s3:::bucket/*"]])),
    }
    condition = draw(PERMISSION_CONDITIONS)
    if condition:
        statement["Condition"] = condition
    return statement


def _document(statements: list[dict[str, object]]) -> Policy:
    return {"Version": "2012-10-17", "Statement": statements}


ROLES = st.tuples(
    st.builds(_document, st.lists(trust_statements(), min_size=1, max_size=3)),
    st.lists(st.builds(_document, st.lists(permission_statements(), min_size=1, max_size=2)), max_size=2),
)


# -- the five forms of a role -------------------------------------------------------------------------


def _raw(name: str, trust: Policy, policies: list[Policy]) -> dict[str, str]:
    files = {f"{name}/trust.json": json.dumps(trust, indent=2)}
    files.update({f"{name}/policy-{i}.json": json.dumps(p, indent=2) for i, p in enumerate(policies)})
    return files


def _template(name: str, trust: Policy, policies: list[Policy]) -> dict[str, object]:
    properties: dict[str, object] = {"AssumeRolePolicyDocument": trust}
    if policies:
        properties["Policies"] = [{"PolicyName": f"p{i}", "PolicyDocument": p} for i, p in enumerate(policies)]
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {name: {"Type": "AWS::IAM::Role", "Properties": properties}},
    }


def _cfn_yaml(name: str, trust: Policy, policies: list[Policy]) -> dict[str, str]:
    return {f"{name}/template.yaml": yaml.safe_dump(_template(name, trust, policies), sort_keys=False)}


def _cfn_json(name: str, trust: Policy, policies: list[Policy]) -> dict[str, str]:
    return {f"{name}/template.json": json.dumps(_template(name, trust, policies), indent=2)}


def _hcl(value: object, indent: str = "") -> str:
    if isinstance(value, dict):
        inner = indent + "  "
        lines = [f"{inner}{json.dumps(key)} = {_hcl(item, inner)}" for key, item in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{indent}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(item, indent) for item in value) + "]"
    return json.dumps(value)


def _role_and_policies(name: str, trust: str, policies: list[str]) -> str:
    text = f'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n  assume_role_policy = {trust}\n}}\n'
    for index, policy in enumerate(policies):
        text += (
            f'resource "aws_iam_role_policy" "{name}_p{index}" {{\n  name = "p{index}"\n'
            f"  role = aws_iam_role.{name}.id\n  policy = {policy}\n}}\n"
        )
    return text


def _jsonencode(name: str, trust: Policy, policies: list[Policy]) -> dict[str, str]:
    text = _role_and_policies(
        name, f"jsonencode({_hcl(trust, '  ')})", [f"jsonencode({_hcl(p, '  ')})" for p in policies]
    )
    return {f"{name}/main.tf": text}


_ELEMENTS = {"Action": "actions", "NotAction": "not_actions", "Resource": "resources"}


def _statement_block(statement: dict[str, Any]) -> str:
    lines = ["  statement {", f'    effect = "{statement["Effect"]}"']
    for element, attribute in _ELEMENTS.items():
        if element in statement:
            lines.append(f"    {attribute} = {_hcl(statement[element])}")
    principal = statement.get("Principal")
    if principal == "*":
        lines.append('    principals {\n      type = "*"\n      identifiers = ["*"]\n    }')
    elif isinstance(principal, dict):
        for kind, identifiers in principal.items():
            lines.append(f'    principals {{\n      type = "{kind}"\n      identifiers = {_hcl(identifiers)}\n    }}')
    for test, entries in statement.get("Condition", {}).items():
        for variable, values in entries.items():
            condition = f'test = "{test}"\n      variable = "{variable}"\n      values = {_hcl(values)}'
            lines.append(f"    condition {{\n      {condition}\n    }}")
    return "\n".join([*lines, "  }"])


def _policy_document(name: str, trust: Policy, policies: list[Policy]) -> dict[str, str]:
    text = ""
    for label, document in [("trust", trust), *((f"p{i}", p) for i, p in enumerate(policies))]:
        blocks = "\n".join(_statement_block(s) for s in document["Statement"])
        text += f'data "aws_iam_policy_document" "{name}_{label}" {{\n{blocks}\n}}\n'
    text += _role_and_policies(
        name,
        f"data.aws_iam_policy_document.{name}_trust.json",
        [f"data.aws_iam_policy_document.{name}_p{i}.json" for i in range(len(policies))],
    )
    return {f"{name}/main.tf": text}


FORMS: dict[str, Callable[[str, Policy, list[Policy]], dict[str, str]]] = {
    "raw json": _raw,
    "cloudformation yaml": _cfn_yaml,
    "cloudformation json": _cfn_json,
    "terraform jsonencode": _jsonencode,
    "terraform aws_iam_policy_document": _policy_document,
}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(ROLES)
def test_the_same_role_in_five_forms_gets_the_same_rule_ids(role: tuple[Policy, list[Policy]]) -> None:
    trust, policies = role
    rules: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for form, render in FORMS.items():
            root = Path(scratch) / form.replace(" ", "-")
            _write(root, render("vendor", trust, policies))
            result = run([str(root)], Config())
            assert not result.internal_error, result.tracebacks
            rules[form] = sorted({f.rule for f in result.findings})
    assert len({tuple(r) for r in rules.values()}) == 1, rules


# -- order ----------------------------------------------------------------------------------------------


@contextmanager
def _shuffled_folders(seed: int) -> Iterator[None]:
    """Folder listings in a random order, as some file systems return them."""
    rng = random.Random(seed)
    real_scandir, real_listdir = os.scandir, os.listdir

    def scandir(path: Any = ".") -> Any:
        with real_scandir(path) as entries:
            found = list(entries)
        rng.shuffle(found)
        return _Entries(found)

    def listdir(path: Any = ".") -> list[str]:
        found = real_listdir(path)
        rng.shuffle(found)
        return found

    with mock.patch("os.scandir", scandir), mock.patch("os.listdir", listdir):
        yield


class _Entries:
    """What ``os.scandir`` returns: an iterator that is also a context manager."""

    def __init__(self, entries: list[Any]) -> None:
        self._entries = iter(entries)

    def __iter__(self) -> _Entries:
        return self

    def __next__(self) -> Any:
        return next(self._entries)

    def __enter__(self) -> _Entries:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def close(self) -> None:
        return None


def _key(findings: list[Any]) -> list[tuple[object, ...]]:
    return [(f.rule, f.path, f.line, f.column, f.message, f.role) for f in findings]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(sorted(FORMS)), ROLES), min_size=2, max_size=4), st.integers(0, 2**32))
def test_reordering_files_never_changes_the_findings(
    roles: list[tuple[str, tuple[Policy, list[Policy]]]], seed: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for index, (form, (trust, policies)) in enumerate(roles):
            _write(root, FORMS[form](f"role{index}", trust, policies))
        old = os.getcwd()
        os.chdir(root)
        try:
            expected = _key(run(["."], Config()).findings)
            with _shuffled_folders(seed):
                assert _key(run(["."], Config()).findings) == expected
            files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
            named = _key(run(files, Config()).findings)
            random.Random(seed).shuffle(files)
            assert _key(run(files, Config()).findings) == named == expected
        finally:
            os.chdir(old)
