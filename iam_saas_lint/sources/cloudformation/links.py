"""Which resources of a template name which: roles by ``Ref`` or by name, the policy resources that
attach to a role, and the managed policies that ``ManagedPolicyArns`` or a boundary link.

Linking is static (every ``Fn::If`` branch at once), so that a role's variants are built from
everything that may take part in them; each variant then checks with its own resolver which
links hold in it (``named``).
"""

from __future__ import annotations

import json

from ...model.values import JsonPath, Unknown
from .intrinsics import Resolver
from .template import MANAGED_POLICY, POLICY, ROLE, ROLE_POLICY, SAM_FUNCTION, Template


def _expression(raw: dict[object, object]) -> str:
    """A name written as an expression, as a key that only the same expression has."""
    return "\0expression " + json.dumps(raw, sort_keys=True, default=str)


def _every_branch(raw: object) -> list[object]:
    """``raw`` with each ``Fn::If`` replaced by a list of both branches (for static linking)."""
    if isinstance(raw, dict):
        branch = raw.get("Fn::If")
        if len(raw) == 1 and isinstance(branch, list) and len(branch) == 3:
            return [_every_branch(branch[1]), _every_branch(branch[2])]
        return [raw]
    if isinstance(raw, list):
        return [_every_branch(item) for item in raw]
    return [raw]


def every_branch_item(raw: object) -> list[object]:
    """The values ``raw`` may hold in any branch, lists flattened."""
    stack: list[object] = [_every_branch(raw)]
    flat: list[object] = []
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        else:
            flat.append(value)
    return flat


def attachment_target(resource_type: str | None) -> str:
    """The property by which a policy resource names its roles."""
    return "RoleName" if resource_type == ROLE_POLICY else "Roles"


class Links:
    def __init__(self, template: Template, static: Resolver) -> None:
        self.template = template
        self.static = static
        self.role_names = self._role_names()
        self.sam_roles = {f"{logical_id}Role": logical_id for logical_id in template.of_type(SAM_FUNCTION)}
        self.attachments = self._attachments()
        arns = {m: static.ref(m) for m in template.of_type(MANAGED_POLICY)}
        self.managed_arns = {arn: m for m, arn in arns.items() if isinstance(arn, str)}

    def _role_names(self) -> dict[str, str]:
        """Role names → logical ids: literal names (possibly a parameter default), and names that
        are known only at deploy time keyed by their expression (the same expression in one
        template is the same name: ``!Sub "${AWS::StackName}-datadog"`` in a role and a policy)."""
        names: dict[str, str] = {}
        for logical_id in self.template.of_type(ROLE):
            raw = self.template.properties(logical_id).get("RoleName")
            name = self.static.value(raw, ())
            if isinstance(name, str):
                names[name] = logical_id
            elif isinstance(raw, dict):
                names[_expression(raw)] = logical_id
        return names

    def _by_name(self, item: object, value: object) -> str | None:
        if isinstance(value, str):
            return self.role_names.get(value)
        return self.role_names.get(_expression(item)) if isinstance(item, dict) else None

    def _role_ref(self, item: object) -> str | None:
        """The role a ``{"Ref": …}`` names: a role of the template or the role SAM makes for a function."""
        if not (isinstance(item, dict) and len(item) == 1 and isinstance(item.get("Ref"), str)):
            return None
        target = item["Ref"]
        if self.template.type_of(target) == ROLE:
            return str(target)
        return self.sam_roles.get(target)

    def named(self, raw: object, resolver: Resolver, path: JsonPath) -> set[str] | Unknown:
        """Roles that a ``Roles``/``RoleName`` property names in this variant, by ``Ref`` or by name;
        unknown when a branch it takes is one the variant does not choose."""
        found: set[str] = set()
        picked = resolver.pick(raw, path)
        if isinstance(picked, Unknown):
            return picked
        if not isinstance(picked, tuple):
            return found
        items = resolver.items(*picked) if isinstance(picked[0], list) else [picked]
        if isinstance(items, Unknown):
            return items
        for item, item_path in items:
            if isinstance(item, Unknown):
                return item
            target = self._role_ref(item)
            if target is not None:
                found.add(target)
                continue
            named = self._by_name(item, resolver.value(item, item_path))
            if named is not None:
                found.add(named)
        return found

    def _may_name(self, raw: object) -> set[str]:
        """Roles that a ``Roles``/``RoleName`` property may name, in any branch."""
        found: set[str] = set()
        for item in every_branch_item(raw):
            target = self._role_ref(item)
            if target is not None:
                found.add(target)
                continue
            value = self.static.value(item, ())
            for name in value if isinstance(value, list) else [value]:
                named = self._by_name(item, name)
                if named is not None:
                    found.add(named)
        return found

    def managed_ids(self, raw: object) -> list[str]:
        """Template managed policies that ``ManagedPolicyArns``/``PermissionsBoundary`` may link."""
        found = []
        for item in every_branch_item(raw):
            if isinstance(item, dict) and len(item) == 1:
                target = item.get("Ref")
                get_att = item.get("Fn::GetAtt")
                if isinstance(get_att, list) and get_att:
                    target = get_att[0]
                elif isinstance(get_att, str):
                    target = get_att.split(".", 1)[0]
                if isinstance(target, str) and self.template.type_of(target) == MANAGED_POLICY:
                    found.append(target)
        return found

    def _attachments(self) -> dict[str, list[str]]:
        """Role → the policy resources that may attach to it (``Roles``, ``RoleName``)."""
        found: dict[str, list[str]] = {}
        for logical_id in self.template.of_type(POLICY, MANAGED_POLICY, ROLE_POLICY):
            target = attachment_target(self.template.type_of(logical_id))
            for role_id in sorted(self._may_name(self.template.properties(logical_id).get(target))):
                found.setdefault(role_id, []).append(logical_id)
        return found
