"""Fix suggestions as data, and their rendering in the syntax of the file they are for.

A rule says *what* to add (a condition on a statement, a whole Deny statement); this module
writes it as JSON, CloudFormation YAML or JSON, or Terraform (``jsonencode`` or an
``aws_iam_policy_document`` block), so that a reviewer can paste it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Literal

from .model.document import Syntax
from .patterns import lazy_compile
from .records import dataclass

EXTERNAL_ID_PLACEHOLDER = "<external id the vendor generated for you>"
CIDR_PLACEHOLDER = "<vendor egress CIDR>"


@dataclass(frozen=True)
class Fix:
    """``kind`` says where the snippet goes: into the offending statement, or as a new statement."""

    kind: Literal["condition", "statement"]
    data: dict[str, object]
    note: str


def external_id_condition() -> Fix:
    condition: dict[str, object] = {"StringEquals": {"sts:ExternalId": EXTERNAL_ID_PLACEHOLDER}}
    return Fix("condition", condition, "put this Condition on the statement (replace the weak one)")


def source_ip_deny(cidrs: Sequence[str] = ()) -> Fix:
    statement: dict[str, object] = {
        "Sid": "DenyOutsideVendorAddresses",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": list(cidrs) or [CIDR_PLACEHOLDER]}},
    }
    return Fix("statement", statement, "attach this statement to the role (inline or in an attached policy)")


def _json(data: object, indent: int = 2) -> str:
    return json.dumps(data, indent=indent)


_PLAIN_YAML = lazy_compile(r"^[A-Za-z][A-Za-z0-9_.:/-]*$")


def _yaml_scalar(value: object) -> str:
    text = str(value)
    if _PLAIN_YAML.match(text) and text.lower() not in {"true", "false", "yes", "no", "null", "on", "off"}:
        return text
    return json.dumps(text)


def _yaml(data: object, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict) and list(value) == ["Ref"]:
                lines.append(f"{pad}{_yaml_scalar(key)}: !Ref {value['Ref']}")
            elif isinstance(value, (dict, list)) and value:
                lines.append(f"{pad}{_yaml_scalar(key)}:")
                lines.extend(_yaml(value, indent + 2))
            else:
                lines.append(f"{pad}{_yaml_scalar(key)}: {_yaml_scalar(value)}")
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                nested = _yaml(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    return lines


_HCL_IDENTIFIER = lazy_compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _hcl_key(key: str) -> str:
    return key if _HCL_IDENTIFIER.match(key) else json.dumps(key)


def _hcl_value(data: object, indent: int) -> str:
    pad = " " * indent
    if isinstance(data, dict):
        inner = [f"{pad}  {_hcl_key(str(k))} = {_hcl_value(v, indent + 2)}" for k, v in data.items()]
        return "{\n" + "\n".join(inner) + f"\n{pad}}}"
    if isinstance(data, list):
        return "[" + ", ".join(_hcl_value(item, indent) for item in data) + "]"
    return json.dumps(str(data)).replace("${", "$${")


def _hcl_document_statement(statement: dict[str, object]) -> str:
    lines = ["statement {"]
    if "Sid" in statement:
        lines.append(f'  sid       = "{statement["Sid"]}"')
    lines.append(f'  effect    = "{statement["Effect"]}"')
    lines.append(f'  actions   = ["{statement["Action"]}"]')
    lines.append(f'  resources = ["{statement["Resource"]}"]')
    lines.extend(_hcl_document_conditions(statement.get("Condition", {})))
    lines.append("}")
    return "\n".join(lines)


def _hcl_document_conditions(condition: object) -> list[str]:
    lines: list[str] = []
    if not isinstance(condition, dict):
        return lines
    for test, block in condition.items():
        if not isinstance(block, dict):
            continue
        for variable, values in block.items():
            items = values if isinstance(values, list) else [values]
            lines += [
                "  condition {",
                f'    test     = "{test}"',
                f'    variable = "{variable}"',
                f"    values   = [{', '.join(json.dumps(str(v)) for v in items)}]",
                "  }",
            ]
    return lines


#: Rendered snippets: a policy of thousands of statements asks for the same one thousands of times.
_RENDERED: dict[tuple[str, str, Syntax], str] = {}


def render(fix: Fix, syntax: Syntax) -> str:
    """The snippet to paste, in the syntax of the file the finding is in."""
    key = (fix.kind, repr(fix.data), syntax)
    found = _RENDERED.get(key)
    if found is None:
        if len(_RENDERED) > 1024:
            _RENDERED.clear()
        found = _RENDERED[key] = _render(fix, syntax)
    return found


def _render(fix: Fix, syntax: Syntax) -> str:
    return RENDERERS[syntax](fix)


def _as_json(fix: Fix) -> str:
    return _json(fix.data if fix.kind == "statement" else {"Condition": fix.data})


def _as_cloudformation_yaml(fix: Fix) -> str:
    return "\n".join(_yaml(fix.data if fix.kind == "statement" else {"Condition": fix.data}))


def _as_jsonencode(fix: Fix) -> str:
    if fix.kind == "statement":
        return _hcl_value(fix.data, 0)
    return f"Condition = {_hcl_value(fix.data, 0)}"


def _as_policy_document(fix: Fix) -> str:
    if fix.kind == "statement":
        return _hcl_document_statement(fix.data)
    return "\n".join(line[2:] for line in _hcl_document_conditions(fix.data))


#: How a fix is written in each syntax a format's documents may have (``sources.formats``).
RENDERERS: dict[Syntax, Callable[[Fix], str]] = {
    "json": _as_json,
    "cloudformation-json": _as_json,
    "cloudformation-yaml": _as_cloudformation_yaml,
    "terraform-jsonencode": _as_jsonencode,
    "terraform-document": _as_policy_document,
}
