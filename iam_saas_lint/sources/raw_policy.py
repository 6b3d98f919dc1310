"""Raw IAM policy JSON files (a top-level object with ``Statement``)."""

from __future__ import annotations

import json
import os

from ..model.document import DocumentKind, PolicyDocument
from ..model.values import Unknown
from ..patterns import lazy_compile
from ..records import dataclass
from .text.jsonfile import JsonFile


def is_policy(data: object) -> bool:
    return isinstance(data, dict) and "Statement" in data


def _statements(data: dict[str, object]) -> list[dict[str, object]]:
    statements = data.get("Statement")
    if isinstance(statements, dict):
        return [statements]
    if isinstance(statements, list):
        return [s for s in statements if isinstance(s, dict)]
    return []


def policy_kind(data: dict[str, object]) -> DocumentKind:
    """Trust when statements name principals but no resources; resource when both; else permissions."""
    statements = _statements(data)
    has_principal = any("Principal" in s or "NotPrincipal" in s for s in statements)
    has_resource = any("Resource" in s or "NotResource" in s for s in statements)
    if has_principal and has_resource:
        return "resource"
    return "trust" if has_principal else "permissions"


@dataclass(frozen=True)
class RawPolicy:
    file: str
    document: PolicyDocument
    #: What the cache's read log recorded when the file was read (kept for the bundle pass).
    read_state: str = ""


#: ``${EXTERNAL_ID}``, ``{{ external_id }}``: a template's variable, filled in before deployment.
#: IAM's own policy variables have a colon (``${aws:username}``) and are left alone.
_TEMPLATE_VARIABLE = lazy_compile(r"\$\{\s*[A-Za-z_][A-Za-z0-9_.\-]*\s*\}|\{\{[^}]*\}\}")


def _template_values(value: dict[str, object]) -> dict[str, object]:
    """Strings that hold template variables become unknown values: a template is not a policy yet."""
    stack: list[object] = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            items: list[tuple[object, object]] = list(current.items())
        else:
            items = list(enumerate(current)) if isinstance(current, list) else []
        for key, item in items:
            if isinstance(item, str) and _TEMPLATE_VARIABLE.search(item):
                current[key] = Unknown(f"{item!r} holds a template variable, filled in before deployment")  # type: ignore[index]
            elif isinstance(item, (dict, list)):
                stack.append(item)
    return value


def _holds_template(data: object) -> bool:
    text = json.dumps(data)
    return "${" in text or "{{" in text


def read_raw_policy(json_file: JsonFile) -> RawPolicy | None:
    data = json_file.data
    if not isinstance(data, dict):
        return None
    source = json_file.locations.text
    # only an escape (\u0024) spells either without the text holding it: the file's text tells first
    if ("${" in source or "{{" in source or "\\u" in source) and _holds_template(data):
        data = _template_values(data)
    kind = policy_kind(data)
    if kind == "resource":
        return None
    label = "trust policy" if kind == "trust" else "permission policy"
    document = PolicyDocument(data, kind, f"{label} {os.path.basename(json_file.path)}", json_file.anchor())
    return RawPolicy(json_file.path, document)
