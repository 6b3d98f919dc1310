"""A template's roles, one ``Role`` per variant: the combination of ``Fn::If`` and resource conditions
its material depends on (``conditions``), each with every policy attached to it in that variant:
inline ``Policies``, ``ManagedPolicyArns``, ``PermissionsBoundary`` and the policy resources that
name it."""

from __future__ import annotations

from collections.abc import Mapping

from ...model.document import (
    DocumentKind,
    PolicyDocument,
    Role,
    UnresolvedPolicy,
    is_aws_managed_policy,
)
from ...model.values import OWN_ACCOUNT, Anchor, JsonPath, Unknown
from .conditions import ConditionModel, Variant, if_conditions
from .documents import DocumentReader
from .intrinsic_values import NO_VALUE
from .intrinsics import Resolver
from .links import Links, attachment_target
from .map_keys import keyed_inputs
from .template import MANAGED_POLICY, POLICY, ROLE_POLICY, SAM_FUNCTION, Template

ROLE_PROPERTIES = ("AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "PermissionsBoundary")
SAM_ROLE_PROPERTIES = ("AssumeRolePolicyDocument", "Policies", "PermissionsBoundary")
_WHAT = {POLICY: "policy", MANAGED_POLICY: "managed policy", ROLE_POLICY: "role policy"}
_Found = PolicyDocument | UnresolvedPolicy | None


def display_name(template: Template, static: Resolver, logical_id: str, property_name: str) -> str:
    """``Logical (Name)`` when the resource's name is known whatever the branches, else ``Logical``."""
    raw = template.properties(logical_id).get(property_name)
    name = static.value(raw, ()) if not if_conditions(raw) else None
    shown = template.name_prefix + logical_id
    return f"{shown} ({name})" if isinstance(name, str) and name and name != logical_id else shown


class RoleReader:
    def __init__(self, template: Template, links: Links, documents: DocumentReader) -> None:
        self.template = template
        self.links = links
        self.documents = documents
        self.conditions = ConditionModel(template)

    def anchor(self, path: JsonPath) -> Anchor:
        return Anchor(self.template.file, path, self.template.locator)

    def roles(self, role_id: str, display: str, properties: tuple[str, ...]) -> tuple[list[Role], list[str]]:
        """The role's variants, and the policy resources that may attach to it."""
        policies, ranked, attached = self._role_material(role_id, properties)
        resource_conditions = [self.template.resources[logical_id].get("Condition") for logical_id in policies]
        names = [name for name in resource_conditions if isinstance(name, str)]
        names.extend(name for material in ranked for name in if_conditions(material))
        own_condition = self.template.resources[role_id].get("Condition")
        required = [own_condition] if isinstance(own_condition, str) else []
        variants = [
            self._role_variant(role_id, display, variant, attached)
            for variant in self.conditions.variants(names, required, keyed_inputs(self.template, ranked))
        ]
        return variants, attached

    def _role_material(self, role_id: str, properties: tuple[str, ...]) -> tuple[list[str], list[object], list[str]]:
        """What a role's verdict depends on: the policy resources that may take part, the raw values
        most decisive first, and the attached policy ids.

        Conditions are enumerated in this order and those past ``MAX_VARIANTS`` are left unknown,
        so the ones that switch whole policies on or off (the policies' own conditions, then
        ``Roles``, ``ManagedPolicyArns``, the boundary) come first, then the trust policy, then the
        policies' contents."""
        props = self.template.properties(role_id)
        attached = self.links.attachments.get(role_id, [])
        linked = self.links.managed_ids([props.get("ManagedPolicyArns"), props.get("PermissionsBoundary")])
        if self.template.type_of(role_id) == SAM_FUNCTION:
            linked += self.links.managed_ids(props.get("Policies"))
        policies = list(dict.fromkeys(attached + linked))
        switches: list[object] = [
            self.template.properties(logical_id).get(attachment_target(self.template.type_of(logical_id)))
            for logical_id in policies
        ]
        switches.extend(props.get(name) for name in ("ManagedPolicyArns", "PermissionsBoundary"))
        rest: list[object] = [props.get(name) for name in properties if name != "AssumeRolePolicyDocument"]
        rest.extend(self.template.properties(logical_id).get("PolicyDocument") for logical_id in policies)
        return policies, [switches, props.get("AssumeRolePolicyDocument"), rest], attached

    def _role_variant(self, role_id: str, display: str, variant: Variant, attached: list[str]) -> Role:
        assignment = variant.assignment
        branches = dict(assignment)
        resolver = Resolver(self.template, branches, variant.parameters)
        props = self.template.properties(role_id)
        here = self.template.resource_path(role_id, "Properties")
        policies: list[PolicyDocument] = []
        unresolved: list[UnresolvedPolicy] = []

        def add(found: _Found) -> None:
            if isinstance(found, PolicyDocument):
                policies.append(found)
            elif isinstance(found, UnresolvedPolicy):
                unresolved.append(found)

        trust = None
        if "AssumeRolePolicyDocument" in props:
            origin = here + ("AssumeRolePolicyDocument",)
            found = self.documents.document(
                resolver, props["AssumeRolePolicyDocument"], origin, "trust", "trust policy"
            )
            trust = found if isinstance(found, PolicyDocument) else None
        is_sam = self.template.type_of(role_id) == SAM_FUNCTION
        for item, path in self._list(resolver, props.get("Policies"), here + ("Policies",), unresolved, "Policies"):
            if is_sam:
                add(self._sam_policy(resolver, item, path))
            elif isinstance(item, dict):
                name = resolver.value(item.get("PolicyName"), path + ("PolicyName",))
                label = f"inline policy {name}" if isinstance(name, str) else "an inline policy"
                origin = path + ("PolicyDocument",)
                add(self.documents.document(resolver, item.get("PolicyDocument"), origin, "permissions", label))
        arns_path = here + ("ManagedPolicyArns",)
        for item, path in self._list(
            resolver, props.get("ManagedPolicyArns"), arns_path, unresolved, "ManagedPolicyArns"
        ):
            add(self.managed(resolver, item, path, "permissions"))
        if "PermissionsBoundary" in props:
            add(self.managed(resolver, props["PermissionsBoundary"], here + ("PermissionsBoundary",), "boundary"))
        for logical_id in attached:
            exists = self._exists(logical_id, branches)
            if exists is not False:
                add(self._attached_policy(resolver, role_id, logical_id, exists))
        is_sam = self.template.type_of(role_id) == SAM_FUNCTION
        return Role(
            name=display,
            logical=display if is_sam else self.template.name_prefix + role_id,
            anchor=self.anchor(self.template.resource_path(role_id)),
            trust=trust,
            policies=tuple(policies),
            unresolved_policies=tuple(unresolved),
            files=self.template.files(),
            variant=tuple((name, "true" if value else "false") for name, value in assignment) + variant.keys,
        )

    def _attached_policy(self, resolver: Resolver, role_id: str, logical_id: str, exists: bool | Unknown) -> _Found:
        """A policy resource that names the role in this variant (``Roles``, ``RoleName``)."""
        kind = self.template.type_of(logical_id)
        target = attachment_target(kind)
        policy_props = self.template.properties(logical_id)
        policy_path = self.template.resource_path(logical_id, "Properties")
        named = self.links.named(policy_props.get(target), resolver, policy_path + (target,))
        if isinstance(named, Unknown):
            exists = Unknown(f"whether {logical_id} names this role: {named}")
        elif role_id not in named:
            return None
        if isinstance(exists, Unknown):
            return UnresolvedPolicy(logical_id, exists, self.anchor(self.template.resource_path(logical_id)))
        label = f"{_WHAT[str(kind)]} {logical_id}"
        raw = policy_props.get("PolicyDocument")
        return self.documents.document(resolver, raw, policy_path + ("PolicyDocument",), "permissions", label)

    def _exists(self, logical_id: str, assignment: Mapping[str, bool]) -> bool | Unknown:
        """Whether a resource exists in a variant; unknown when its condition was not enumerated."""
        condition = self.template.resources[logical_id].get("Condition")
        if not isinstance(condition, str) or condition not in self.template.conditions:
            return True
        if condition in assignment:
            return assignment[condition]
        return Unknown(f"{logical_id} exists only if condition {condition} holds, one condition too many to try")

    def _list(
        self, resolver: Resolver, raw: object, origin: JsonPath, unresolved: list[UnresolvedPolicy], what: str
    ) -> list[tuple[object, JsonPath]]:
        if raw is None:
            return []
        items = resolver.items(raw, origin)
        if isinstance(items, Unknown):
            unresolved.append(UnresolvedPolicy(what, items, self.anchor(origin)))
            return []
        found = []
        for item, path in items:
            if isinstance(item, Unknown):
                unresolved.append(UnresolvedPolicy(what, item, self.anchor(path)))
            else:
                found.append((item, path))
        return found

    def _sam_policy(self, resolver: Resolver, item: object, path: JsonPath) -> _Found:
        """A SAM ``Policies`` entry: an inline document, a policy template, or a managed policy."""
        if isinstance(item, dict) and any(key.lower() == "statement" for key in item):
            return self.documents.document(resolver, item, path, "permissions", "inline policy")
        if isinstance(item, dict) and len(item) == 1 and not next(iter(item)).startswith(("Ref", "Fn::")):
            return None  # a SAM policy template: AWS-defined Allow statements
        return self.managed(resolver, item, path, "permissions")

    def managed(self, resolver: Resolver, raw: object, origin: JsonPath, kind: DocumentKind) -> _Found:
        """A policy linked by ARN: a managed policy of this template, AWS-managed, or unknown."""
        what = "permissions boundary" if kind == "boundary" else "managed policy"
        picked = resolver.pick(raw, origin)
        if picked is NO_VALUE:
            return None
        if isinstance(picked, Unknown):
            return UnresolvedPolicy(what, picked, self.anchor(origin))
        assert isinstance(picked, tuple)
        raw, origin = picked
        linked = self.links.managed_ids(raw)
        if len(linked) == 1:
            return self.managed_document(resolver, linked[0], kind, f"{what} {linked[0]}")
        arn = resolver.value(raw, origin)
        if isinstance(arn, str):
            if is_aws_managed_policy(arn):
                return None
            if arn in self.links.managed_arns:
                logical_id = self.links.managed_arns[arn]
                return self.managed_document(resolver, logical_id, kind, f"{what} {logical_id}")
            if kind != "boundary" and not arn.startswith("arn:"):
                return None  # SAM: a bare name is an AWS-managed policy
            shown = arn.replace(OWN_ACCOUNT, "${AWS::AccountId}")
            reason = Unknown("it is not defined in this template")
            return UnresolvedPolicy(f"{what} {shown}", reason, self.anchor(origin))
        if isinstance(arn, Unknown):
            return UnresolvedPolicy(what, arn, self.anchor(origin))
        return None

    def managed_document(self, resolver: Resolver, logical_id: str, kind: DocumentKind, label: str) -> _Found:
        path = self.template.resource_path(logical_id, "Properties", "PolicyDocument")
        exists = self._exists(logical_id, resolver.branches)
        if isinstance(exists, Unknown):
            return UnresolvedPolicy(label, exists, self.anchor(self.template.resource_path(logical_id)))
        if not exists:
            return None
        raw = self.template.properties(logical_id).get("PolicyDocument")
        return self.documents.document(resolver, raw, path, kind, label)
