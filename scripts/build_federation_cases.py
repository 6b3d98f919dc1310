"""Write ``tests/cases/ISL012-ISL013-issuers.yaml``: every issuer of the registry, in every syntax the
linter reads, with the same scenarios (missing subject, audience only, owner wildcard, repository
wildcard, ``StringLike "*"``, ``…IfExists``, negated, correct).

The expected positions are found in the generated text, independently of the linter's locators:
the condition key when the verdict is about one, the statement's ``Condition`` when the claim is
not tested, the principal when there is no condition. Run ``python scripts/build_federation_cases.py``
after changing the registry and read the diff.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iam_saas_lint.model.issuers import Issuer, builtin_issuers, has_wildcard  # noqa: E402

TARGET = ROOT / "tests" / "cases" / "ISL012-ISL013-issuers.yaml"
#: The host a customer's provider has, for issuers whose registry host is a pattern.
TEST_HOSTS = {
    "circleci": "oidc.circleci.com/org/1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b",
    "bitbucket-pipelines": "api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc",
    "spacelift": "acme.app.spacelift.io",
    "eks": "oidc.eks.eu-west-1.amazonaws.com/id/5C5E0AD0A4D3B0C1E2F3A4B5C6D7E8F9",
}
#: A claim other than the audience, for the "audience only" scenario of audience issuers.
OTHER_CLAIM = {
    "google": ("StringEquals", "sub", "110169484474386276334"),
    "cognito": ("ForAnyValue:StringLike", "amr", "authenticated"),
    "facebook": ("StringEquals", "id", "100001234567890"),
    "login-with-amazon": ("StringEquals", "user_id", "amzn1.account.AEXAMPLE"),
}
SYNTAXES = ("raw", "export", "cloudformation-yaml", "cloudformation-json", "terraform-jsonencode",
            "terraform-document", "plan")  # fmt: skip


@dataclass
class Scenario:
    name: str
    #: Condition as written in a policy (operator -> key -> value); empty for none.
    condition: dict[str, dict[str, str]]
    #: The rule that reports it and where: "key" (the condition key named), "Condition", "principal".
    rule: str | None = None
    anchor: str = ""
    key: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _host(issuer: Issuer) -> str:
    return TEST_HOSTS.get(issuer.id, issuer.hosts[0])


def _principal(issuer: Issuer) -> str:
    host = _host(issuer)
    return host if issuer.builtin else f"arn:aws:iam::111122223333:oidc-provider/{host}"


def scenarios(issuer: Issuer) -> list[Scenario]:
    host = _host(issuer)
    audience = issuer.audience
    aud_key = f"{host}:{audience.claim}" if audience else f"{host}:aud"
    aud_value = audience.value if audience else "sts.amazonaws.com"
    subject = issuer.subject
    if subject is not None:
        judged = subject.required
        sub_key = f"{host}:{subject.claim}"
        rule = "ISL012" if judged else None

        def value(owner: str, repository: str) -> str:
            return subject.suggest.format(owner=owner, repository=repository)

        pinned = value("acme", "infra")
        exact = pinned.replace("*", "main") if has_wildcard(pinned) else pinned
        like = "StringLike" if has_wildcard(pinned) else "StringEquals"
        return [
            Scenario("missing-subject", {}, rule, "principal"),
            Scenario("audience-only", {"StringEquals": {aud_key: aud_value}}, rule, "Condition"),
            Scenario("owner-wildcard", {"StringLike": {sub_key: value("*", "infra")}}, rule, "key", sub_key),
            Scenario("repository-wildcard", {"StringLike": {sub_key: value("acme", "*")}}),
            Scenario("stringlike-star", {"StringLike": {sub_key: "*"}}, rule, "key", sub_key),
            Scenario("if-exists", {"StringEqualsIfExists": {sub_key: exact}}, rule, "key", sub_key),
            Scenario("negated", {"StringNotEquals": {sub_key: exact}}, rule, "key", sub_key),
            Scenario("correct", {"StringEquals": {aud_key: aud_value}, like: {sub_key: pinned}}),
        ]
    assert audience is not None and audience.shared
    operator, claim, other = OTHER_CLAIM[issuer.id]
    return [
        Scenario("missing-audience", {}, "ISL013", "principal"),
        Scenario("other-claim-only", {operator: {f"{host}:{claim}": other}}, "ISL013", "Condition"),
        Scenario("prefix-wildcard", {"StringLike": {aud_key: aud_value[:6] + "*"}}, "ISL013", "key", aud_key),
        Scenario("stringlike-star", {"StringLike": {aud_key: "*"}}, "ISL013", "key", aud_key),
        Scenario("if-exists", {"StringEqualsIfExists": {aud_key: aud_value}}, "ISL013", "key", aud_key),
        Scenario("negated", {"StringNotEquals": {aud_key: aud_value}}, "ISL013", "key", aud_key),
        Scenario("correct", {"StringEquals": {aud_key: aud_value}}),
    ]


def statement(issuer: Issuer, scenario: Scenario, principal: object) -> dict[str, object]:
    found: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"Federated": principal},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if scenario.condition:
        found["Condition"] = scenario.condition
    return found


def policy(issuer: Issuer, scenario: Scenario, principal: object) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": [statement(issuer, scenario, principal)]}


def _logical(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _snake(name: str) -> str:
    return name.replace("-", "_")


# -- writers: each returns {path: text} and, per scenario, (path, first line of its block) ----------


def _raw(issuer: Issuer, cases: list[Scenario]) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    files = {f"roles/{c.name}/trust.json": json.dumps(policy(issuer, c, _principal(issuer)), indent=2) + "\n"
             for c in cases}  # fmt: skip
    return files, {c.name: (f"roles/{c.name}/trust.json", 1) for c in cases}


def _blocks(text: str, markers: dict[str, str]) -> dict[str, int]:
    lines = text.splitlines()
    return {name: next(i for i, line in enumerate(lines, 1) if marker in line) for name, marker in markers.items()}


def _export(issuer: Issuer, cases: list[Scenario]) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    roles = [
        {"RoleName": c.name, "Arn": f"arn:aws:iam::111122223333:role/{c.name}", "Path": "/",
         "AssumeRolePolicyDocument": policy(issuer, c, _principal(issuer)), "RolePolicyList": [],
         "AttachedManagedPolicies": []}
        for c in cases
    ]  # fmt: skip
    text = json.dumps({"RoleDetailList": roles, "Policies": []}, indent=2) + "\n"
    starts = _blocks(text, {c.name: f'"RoleName": "{c.name}"' for c in cases})
    return {"export.json": text}, {name: ("export.json", line) for name, line in starts.items()}


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_.:/-]*$")


def _scalar(value: object) -> str:
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in {"true", "false", "yes", "no", "null", "on", "off"}:
        return text
    return json.dumps(text)


def _yaml(data: object, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Fn::Sub", "Ref"):
                tag = "!Sub" if "Fn::Sub" in value else "!Ref"
                lines.append(f"{pad}{_scalar(key)}: {tag} {json.dumps(next(iter(value.values())))}")
            elif isinstance(value, (dict, list)):
                lines.append(f"{pad}{_scalar(key)}:")
                lines.extend(_yaml(value, indent + 2))
            else:
                lines.append(f"{pad}{_scalar(key)}: {_scalar(value)}")
    elif isinstance(data, list):
        for item in data:
            nested = _yaml(item, indent + 2)
            lines.append(f"{pad}- {nested[0].lstrip()}")
            lines.extend(nested[1:])
    return lines


Written = tuple[dict[str, str], dict[str, tuple[str, int]]]


def _cloudformation(issuer: Issuer, cases: list[Scenario], as_yaml: bool) -> Written:
    host = _host(issuer)
    resources: dict[str, object] = {}
    principal: object
    if issuer.builtin:
        principal = host
    elif as_yaml:
        principal = {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{host}"}
    else:
        resources["Provider"] = {
            "Type": "AWS::IAM::OIDCProvider",
            "Properties": {"Url": f"https://{host}", "ClientIdList": ["sts.amazonaws.com"]},
        }
        principal = {"Fn::GetAtt": ["Provider", "Arn"]}
    for case in cases:
        resources[_logical(case.name)] = {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": policy(issuer, case, principal)},
        }
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    name = "template.yaml" if as_yaml else "template.json"
    if as_yaml:
        text = "\n".join(_yaml(template, 0)) + "\n"
        markers = {c.name: f"  {_logical(c.name)}:" for c in cases}
    else:
        text = json.dumps(template, indent=2) + "\n"
        markers = {c.name: f'"{_logical(c.name)}": {{' for c in cases}
    return {name: text}, {n: (name, line) for n, line in _blocks(text, markers).items()}


def _hcl(value: object) -> str:
    return json.dumps(value).replace("${", "$${")


def _terraform_provider(issuer: Issuer) -> tuple[str, str]:
    host = _host(issuer)
    if issuer.builtin:
        return "", _hcl(host)
    block = (
        'resource "aws_iam_openid_connect_provider" "this" {\n'
        f'  url            = "https://{host}"\n'
        '  client_id_list = ["sts.amazonaws.com"]\n'
        "}\n\n"
    )
    return block, "aws_iam_openid_connect_provider.this.arn"


def _jsonencode(issuer: Issuer, cases: list[Scenario]) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    provider, principal = _terraform_provider(issuer)
    parts = [provider]
    for case in cases:
        lines = [
            f'resource "aws_iam_role" "{_snake(case.name)}" {{',
            f'  name = "{case.name}"',
            "  assume_role_policy = jsonencode({",
            '    Version = "2012-10-17"',
            "    Statement = [{",
            '      Effect    = "Allow"',
            f"      Principal = {{ Federated = {principal} }}",
            '      Action    = "sts:AssumeRoleWithWebIdentity"',
        ]
        if case.condition:
            lines.append("      Condition = {")
            for operator, entries in case.condition.items():
                inner = ", ".join(f"{_hcl(k)} = {_hcl(v)}" for k, v in entries.items())
                lines.append(f"        {_hcl(operator)} = {{ {inner} }}")
            lines.append("      }")
        lines += ["    }]", "  })", "}", ""]
        parts.append("\n".join(lines) + "\n")
    text = "".join(parts)
    starts = _blocks(text, {c.name: f'"aws_iam_role" "{_snake(c.name)}"' for c in cases})
    return {"main.tf": text}, {n: ("main.tf", line) for n, line in starts.items()}


def _document(issuer: Issuer, cases: list[Scenario]) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    provider, principal = _terraform_provider(issuer)
    parts = [provider]
    for case in cases:
        name = _snake(case.name)
        lines = [
            f'data "aws_iam_policy_document" "{name}" {{',
            "  statement {",
            '    actions = ["sts:AssumeRoleWithWebIdentity"]',
            "    principals {",
            '      type        = "Federated"',
            f"      identifiers = [{principal}]",
            "    }",
        ]
        for operator, entries in case.condition.items():
            for key, value in entries.items():
                lines += [
                    "    condition {",
                    f"      test     = {_hcl(operator)}",
                    f"      variable = {_hcl(key)}",
                    f"      values   = [{_hcl(value)}]",
                    "    }",
                ]
        lines += [
            "  }",
            "}",
            "",
            f'resource "aws_iam_role" "{name}" {{',
            f'  name               = "{case.name}"',
            f"  assume_role_policy = data.aws_iam_policy_document.{name}.json",
            "}",
            "",
        ]
        parts.append("\n".join(lines) + "\n")
    text = "".join(parts)
    starts = _blocks(text, {c.name: f'"aws_iam_policy_document" "{_snake(c.name)}"' for c in cases})
    return {"main.tf": text}, {n: ("main.tf", line) for n, line in starts.items()}


def _plan(issuer: Issuer, cases: list[Scenario]) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    changes = []
    for case in cases:
        document = json.dumps(policy(issuer, case, _principal(issuer)), separators=(",", ":"))
        changes.append({
            "address": f"aws_iam_role.{_snake(case.name)}", "mode": "managed", "type": "aws_iam_role",
            "name": _snake(case.name),
            "change": {"actions": ["create"], "after": {"name": case.name, "assume_role_policy": document},
                       "after_unknown": {"arn": True, "id": True}, "after_sensitive": {}},
        })  # fmt: skip
    text = json.dumps({"format_version": "1.2", "resource_changes": changes}, indent=2) + "\n"
    starts = _blocks(text, {c.name: f'"address": "aws_iam_role.{_snake(c.name)}"' for c in cases})
    return {"plan.json": text}, {n: ("plan.json", line) for n, line in starts.items()}


WRITERS = {
    "raw": _raw,
    "export": _export,
    "cloudformation-yaml": lambda i, c: _cloudformation(i, c, as_yaml=True),
    "cloudformation-json": lambda i, c: _cloudformation(i, c, as_yaml=False),
    "terraform-jsonencode": _jsonencode,
    "terraform-document": _document,
    "plan": _plan,
}


# -- where each finding is expected ----------------------------------------------------------------


def _needles(syntax: str, scenario: Scenario) -> list[str]:
    """Text that starts the expected position, tried in order, searched from the scenario's block."""
    if syntax == "terraform-document":
        if scenario.anchor == "key":
            return [f'variable = "{scenario.key}"']  # then back to its "condition {" line
        if scenario.anchor == "Condition":
            return ["condition {"]
        return ["identifiers = ["]  # the element in the list, just after it
    quoted = syntax != "cloudformation-yaml"
    if syntax == "plan":
        return ['"assume_role_policy":']  # the plan reader places a policy at its attribute, not inside the text
    if syntax == "terraform-jsonencode":
        return {"key": [_hcl(scenario.key)], "Condition": ["Condition = {"], "principal": ["Federated = "]}[
            scenario.anchor
        ]
    word = {"key": scenario.key, "Condition": "Condition", "principal": "Federated"}[scenario.anchor]
    return [f'"{word}":' if quoted else f"{_scalar(word)}:"]


def expected(syntax: str, files: dict[str, str], scenario: Scenario, start: tuple[str, int]) -> str:
    path, first = start
    lines = files[path].splitlines()
    for needle in _needles(syntax, scenario):
        for number in range(first, len(lines) + 1):
            line = lines[number - 1]
            if needle in line:
                if syntax == "terraform-document" and scenario.anchor == "key":
                    while "condition {" not in lines[number - 1]:
                        number -= 1
                    line, needle = lines[number - 1], "condition {"
                column = line.index(needle) + 1
                if syntax == "terraform-document" and scenario.anchor == "principal":
                    column += len(needle)
                return f"{scenario.rule} {path}:{number}:{column}"
    raise AssertionError(f"{needle!r} not in {path} after line {first}")


def build() -> list[dict[str, object]]:
    cases: list[dict[str, object]] = []
    for issuer in builtin_issuers():
        chosen = scenarios(issuer)
        for syntax in SYNTAXES:
            files, starts = WRITERS[syntax](issuer, chosen)
            expect = sorted(expected(syntax, files, s, starts[s.name]) for s in chosen if s.rule is not None)
            cases.append({"name": f"{issuer.id}-{syntax}", "files": files, "expect": expect})
    return cases


class _Literal(str):
    pass


def _dump(cases: list[dict[str, object]]) -> str:
    import yaml

    def literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")

    yaml.SafeDumper.add_representer(_Literal, literal)
    for case in cases:
        files = case["files"]
        assert isinstance(files, dict)
        case["files"] = {k: _Literal(v) for k, v in files.items()}
    header = "# Generated by scripts/build_federation_cases.py from iam_saas_lint/data/issuers.json; do not edit.\n"
    return header + yaml.safe_dump(cases, sort_keys=False, width=200, allow_unicode=True)


def main() -> int:
    TARGET.write_text(_dump(build()))
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
