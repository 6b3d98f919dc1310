"""Raw IAM policy JSON files (a top-level object with ``Statement``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..model.document import DocumentKind, PolicyDocument
from .jsonfile import JsonFile


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


def read_raw_policy(json_file: JsonFile) -> RawPolicy | None:
    data = json_file.data
    if not isinstance(data, dict):
        return None
    kind = policy_kind(data)
    if kind == "resource":
        return None
    label = "trust policy" if kind == "trust" else "permission policy"
    document = PolicyDocument(data, kind, f"{label} {os.path.basename(json_file.path)}", json_file.anchor())
    return RawPolicy(json_file.path, document)
