"""``aws iam get-account-authorization-details`` output (JSON with ``RoleDetailList``)."""

from __future__ import annotations

from urllib.parse import unquote

from ..model.document import (
    DocumentKind,
    Inventory,
    PolicyDocument,
    Problem,
    Role,
    UnresolvedPolicy,
    is_aws_managed_policy,
)
from ..model.values import Anchor, Unknown
from ..patterns import lazy_compile
from .text.jsonfile import JsonFile, load_json

_ROLE_ARN_ACCOUNT = lazy_compile(r"^arn:[^:]+:iam::([0-9]{12}):")


def is_account_export(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("RoleDetailList"), list)


def _document(raw: object) -> object:
    """Documents come as objects, or URL-encoded JSON strings (the raw API form)."""
    if isinstance(raw, str):
        text = unquote(raw) if "%" in raw else raw
        return load_json(text)
    return raw


def _default_versions(data: dict[str, object]) -> dict[str, tuple[int, int, object]]:
    """Managed policy ARN → (policy index, version index, document) of its default version."""
    found: dict[str, tuple[int, int, object]] = {}
    policies = data.get("Policies")
    if not isinstance(policies, list):
        return found
    for p_index, policy in enumerate(policies):
        if not isinstance(policy, dict) or not isinstance(policy.get("Arn"), str):
            continue
        versions = policy.get("PolicyVersionList")
        for v_index, version in enumerate(versions if isinstance(versions, list) else []):
            if isinstance(version, dict) and version.get("IsDefaultVersion") is True:
                found[policy["Arn"]] = (p_index, v_index, version.get("Document"))
    return found


class _RoleReader:
    def __init__(self, json_file: JsonFile, inventory: Inventory) -> None:
        self.file = json_file
        self.inventory = inventory
        assert isinstance(json_file.data, dict)
        self.managed = _default_versions(json_file.data)

    def document(self, raw: object, kind: DocumentKind, label: str, anchor: Anchor) -> PolicyDocument | None:
        try:
            data = _document(raw)
        except ValueError as error:
            span = anchor.span()
            self.inventory.problems.append(
                Problem(self.file.path, f"{label}: not a JSON policy document ({error})", span)
            )
            return None
        return PolicyDocument(data, kind, label, anchor)

    def managed_policy(
        self, arn: object, kind: DocumentKind, label: str, anchor: Anchor
    ) -> PolicyDocument | UnresolvedPolicy | None:
        if not isinstance(arn, str):
            return UnresolvedPolicy(label, Unknown("the policy ARN is missing"), anchor)
        found = self.managed.get(arn)
        if found is not None:
            p_index, v_index, raw = found
            where = self.file.anchor("Policies", p_index, "PolicyVersionList", v_index, "Document")
            return self.document(raw, kind, f"{label} {arn}", where)
        if is_aws_managed_policy(arn):
            return None
        return UnresolvedPolicy(f"{label} {arn}", Unknown(f"{arn} is not in the export's Policies"), anchor)

    def role(self, index: int, detail: dict[str, object]) -> Role:
        name = str(detail.get("RoleName", f"RoleDetailList[{index}]"))
        here = self.file.anchor("RoleDetailList", index)
        policies: list[PolicyDocument] = []
        unresolved: list[UnresolvedPolicy] = []
        trust = None
        if "AssumeRolePolicyDocument" in detail:
            trust = self.document(
                detail["AssumeRolePolicyDocument"], "trust", "trust policy", here.child("AssumeRolePolicyDocument")
            )
        inline = detail.get("RolePolicyList")
        for i, item in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(item, dict):
                label = f"inline policy {item.get('PolicyName', i)}"
                found = self.document(item.get("PolicyDocument"), "permissions", label, here.child("RolePolicyList", i))
                if found is not None:
                    policies.append(found)
        attached = detail.get("AttachedManagedPolicies")
        for i, item in enumerate(attached if isinstance(attached, list) else []):
            if isinstance(item, dict):
                anchor = here.child("AttachedManagedPolicies", i)
                self._add(
                    self.managed_policy(item.get("PolicyArn"), "permissions", "managed policy", anchor),
                    policies,
                    unresolved,
                )
        boundary = detail.get("PermissionsBoundary")
        if isinstance(boundary, dict):
            anchor = here.child("PermissionsBoundary")
            arn = boundary.get("PermissionsBoundaryArn")
            self._add(self.managed_policy(arn, "boundary", "permissions boundary", anchor), policies, unresolved)
        account = _ROLE_ARN_ACCOUNT.match(str(detail.get("Arn", "")))
        own = frozenset({account.group(1)}) if account else frozenset()
        return Role(name, here, trust, tuple(policies), tuple(unresolved), frozenset({self.file.path}), own)

    @staticmethod
    def _add(
        found: PolicyDocument | UnresolvedPolicy | None,
        policies: list[PolicyDocument],
        unresolved: list[UnresolvedPolicy],
    ) -> None:
        if isinstance(found, PolicyDocument):
            policies.append(found)
        elif isinstance(found, UnresolvedPolicy):
            unresolved.append(found)


def read_account_export(json_file: JsonFile) -> Inventory:
    inventory = Inventory()
    reader = _RoleReader(json_file, inventory)
    assert isinstance(json_file.data, dict)
    details = json_file.data["RoleDetailList"]
    assert isinstance(details, list)
    for index, detail in enumerate(details):
        if isinstance(detail, dict):
            inventory.roles.append(reader.role(index, detail))
    return inventory
