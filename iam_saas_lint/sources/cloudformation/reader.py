"""The CloudFormation family: templates in JSON or YAML, SAM, CDK synth output and Serverless.

Each ``AWS::IAM::Role`` (and each SAM function that declares its own role's policies) becomes a
``Role`` holding every policy attached to it anywhere in the template: inline ``Policies``,
``AWS::IAM::Policy``/``ManagedPolicy``/``RolePolicy`` resources that name it, managed policies
linked through ``ManagedPolicyArns`` and its permissions boundary.

``Fn::If``: a role whose material tests conditions becomes one ``Role`` per combination of those
conditions that can occur (``cfn_conditions``), named ``Logical [if Cond=true]`` and carrying the
combination in ``Role.variant``; the engine then merges a finding that several variants share
and names only the conditions it depends on (``iam_saas_lint.variants``). A resource-level
``Condition`` counts too: a role exists only where its condition holds, an attached policy only
where its own does.

What cannot be resolved never passes silently. A trust policy (or one of its statements) that is
unknown as a whole stands as an Allow of ``sts:AssumeRole`` to an unknown principal under an
unknown condition, so that the rules report it as unverifiable; an unknown permission policy is
an ``UnresolvedPolicy``, and so is a managed policy or boundary named by an ARN the template does
not define. AWS-managed policies (``arn:aws:iam::aws:policy/…``) cannot hold the vendor's Deny and
are left out.
"""

from __future__ import annotations

import json
import re

from ...model.document import (
    AccessKey,
    DocumentKind,
    Inventory,
    PolicyDocument,
    Problem,
    Role,
    Suppression,
    Syntax,
    UnresolvedPolicy,
)
from ...model.values import OWN_ACCOUNT, Anchor, JsonPath, Locator, Span, Unknown
from ...variants import variant_name
from ..text.comments import comment_suppressions
from ..text.embedded_json import EmbeddedLocator, embedded_locator, text_in_file
from ..text.files import TextFile, looks_like_iam, read_text
from ..text.json_locations import JsonLocations
from ..text.jsonfile import MAX_FILE_NESTING, JsonFile, load_json, parse_json
from ..text.yaml_positions import YamlDocument, YamlError, load_yaml
from .conditions import ConditionModel, Variant, if_conditions
from .intrinsics import NO_VALUE, PathMap, Resolver
from .template import Template, is_serverless, is_template

ROLE = "AWS::IAM::Role"
USER = "AWS::IAM::User"
SAM_FUNCTION = "AWS::Serverless::Function"
POLICY = "AWS::IAM::Policy"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
ROLE_POLICY = "AWS::IAM::RolePolicy"
STACK_SET = "AWS::CloudFormation::StackSet"
_MAX_NESTING = 2
_AWS_MANAGED = re.compile(r"^arn:[^:]+:iam::aws:policy/")
#: Policy documents nested deeper than this are not read (no real policy comes close).
_MAX_DEPTH = 64
_ROLE_PROPERTIES = ("AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns", "PermissionsBoundary")


class MappedLocator:
    """Positions inside a resolved document, looked up where each part came from in the file."""

    def __init__(self, base: Locator, origin: JsonPath, paths: PathMap) -> None:
        self.base = base
        self.origin = origin
        self.paths = paths

    def locate(self, path: JsonPath) -> Span | None:
        if path[: len(self.origin)] != self.origin:
            return self.base.locate(path)
        mapped = self.paths.get(path[len(self.origin) :])
        return self.base.locate(mapped) if mapped is not None else None

    def source_path(self, path: JsonPath) -> JsonPath | None:
        """Where a resolved path was written in the file (for the finding's JSON path)."""
        if path[: len(self.origin)] != self.origin:
            return path
        return self.paths.get(path[len(self.origin) :])


def _placeholder_statement(kind: DocumentKind, unknown: Unknown) -> dict[str, object]:
    """What an unresolvable statement may be, so that rules say "unverifiable" instead of nothing."""
    if kind == "trust":
        return {"Effect": "Allow", "Principal": {"AWS": unknown}, "Action": "sts:AssumeRole", "Condition": unknown}
    return {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": unknown}


def _depth(value: object) -> int:
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if deepest > _MAX_DEPTH:
                return deepest
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _written_as_text(raw: object) -> bool:
    return isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("Fn::Sub", "Fn::Join")


def _normalise(value: object) -> object:
    """Numbers become text, as IAM reads them (YAML makes ``123456789012`` an integer)."""
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _with_placeholders(data: dict[str, object], kind: DocumentKind) -> dict[str, object]:
    statements = data.get("Statement")
    if isinstance(statements, Unknown):
        return {**data, "Statement": [_placeholder_statement(kind, statements)]}
    if isinstance(statements, list) and any(isinstance(s, Unknown) for s in statements):
        fixed = [_placeholder_statement(kind, s) if isinstance(s, Unknown) else s for s in statements]
        return {**data, "Statement": fixed}
    return data


class TemplateReader:
    def __init__(self, template: Template) -> None:
        self.template = template
        self.inventory = Inventory()
        self.static = Resolver(template)
        self.conditions = ConditionModel(template)
        self.role_names = self._role_names()
        self.sam_roles = {f"{logical_id}Role": logical_id for logical_id in template.of_type(SAM_FUNCTION)}
        self.attachments = self._attachments()
        self.managed_arns = {str(self.static.ref(m)): m for m in template.of_type(MANAGED_POLICY)}

    # -- helpers -----------------------------------------------------------------------------
    def anchor(self, path: JsonPath) -> Anchor:
        return Anchor(self.template.file, path, self.template.locator)

    def problem(self, message: str, path: JsonPath) -> None:
        self.inventory.problems.append(Problem(self.template.file, message, self.anchor(path).span()))

    def _role_names(self) -> dict[str, str]:
        """Literal role names (``RoleName``, possibly a parameter default) → logical ids."""
        names: dict[str, str] = {}
        for logical_id in self.template.of_type(ROLE):
            name = self.static.value(self.template.properties(logical_id).get("RoleName"), ())
            if isinstance(name, str):
                names[name] = logical_id
        return names

    def _role_ref(self, item: object) -> str | None:
        """The role a ``{"Ref": …}`` names: a role of the template or the role SAM makes for a function."""
        if not (isinstance(item, dict) and len(item) == 1 and isinstance(item.get("Ref"), str)):
            return None
        target = item["Ref"]
        if self.template.type_of(target) == ROLE:
            return str(target)
        return self.sam_roles.get(target)

    def _named(self, raw: object, resolver: Resolver, path: JsonPath) -> set[str]:
        """Roles that a ``Roles``/``RoleName`` property names in this variant, by ``Ref`` or by name."""
        found: set[str] = set()
        picked = resolver.pick(raw, path)
        if not isinstance(picked, tuple):
            return found
        items = resolver.items(*picked) if isinstance(picked[0], list) else [picked]
        if isinstance(items, Unknown):
            return found
        for item, item_path in items:
            target = self._role_ref(item)
            if target is not None:
                found.add(target)
                continue
            value = resolver.value(item, item_path)
            if isinstance(value, str) and value in self.role_names:
                found.add(self.role_names[value])
        return found

    def _every_branch(self, raw: object) -> list[object]:
        """``raw`` with each ``Fn::If`` replaced by a list of both branches (for static linking)."""
        if isinstance(raw, dict):
            branch = raw.get("Fn::If")
            if len(raw) == 1 and isinstance(branch, list) and len(branch) == 3:
                return [self._every_branch(branch[1]), self._every_branch(branch[2])]
            return [raw]
        if isinstance(raw, list):
            return [self._every_branch(item) for item in raw]
        return [raw]

    def _flatten(self, raw: object) -> list[object]:
        stack: list[object] = [self._every_branch(raw)]
        flat: list[object] = []
        while stack:
            value = stack.pop()
            if isinstance(value, list):
                stack.extend(value)
            else:
                flat.append(value)
        return flat

    def _may_name(self, raw: object) -> set[str]:
        """Roles that a ``Roles``/``RoleName`` property may name, in any branch."""
        found: set[str] = set()
        for item in self._flatten(raw):
            target = self._role_ref(item)
            if target is not None:
                found.add(target)
                continue
            value = self.static.value(item, ())
            for name in value if isinstance(value, list) else [value]:
                if isinstance(name, str) and name in self.role_names:
                    found.add(self.role_names[name])
        return found

    def _managed_ids(self, raw: object) -> list[str]:
        """Template managed policies that ``ManagedPolicyArns``/``PermissionsBoundary`` may link."""
        found = []
        for item in self._flatten(raw):
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
            target = "RoleName" if self.template.type_of(logical_id) == ROLE_POLICY else "Roles"
            for role_id in sorted(self._may_name(self.template.properties(logical_id).get(target))):
                found.setdefault(role_id, []).append(logical_id)
        return found

    # -- documents ---------------------------------------------------------------------------
    def document(
        self, resolver: Resolver, raw: object, origin: JsonPath, kind: DocumentKind, label: str
    ) -> PolicyDocument | UnresolvedPolicy | None:
        if raw is None:
            return None
        if _depth(raw) > _MAX_DEPTH:
            self.problem(f"{label}: nested more than {_MAX_DEPTH} levels deep, not read", origin)
            return None
        data, paths = resolver.document(raw, origin)
        if data is NO_VALUE:
            return None
        locator: Locator | None = None
        if isinstance(data, str):
            try:
                data = load_json(data)
            except ValueError as error:
                self.problem(f"{label}: neither a policy object nor a JSON policy document ({error})", origin)
                return None
            paths = {(): paths.get((), origin)}
            locator = self._embedded(resolver, raw, origin)
        if isinstance(data, Unknown) and _written_as_text(raw):
            data = resolver.text_document(raw, origin)
            paths = {(): origin}
            locator = self._embedded(resolver, raw, origin)
        if isinstance(data, Unknown):
            if kind != "trust":
                return UnresolvedPolicy(label, data, self.anchor(origin))
            data = {"Version": "2012-10-17", "Statement": [_placeholder_statement(kind, data)]}
        data = _normalise(data)
        if isinstance(data, dict):
            data = _with_placeholders(data, kind)
        locator = locator or MappedLocator(self.template.locator, origin, paths)
        syntax: Syntax = (
            "cloudformation-json" if isinstance(self.template.locator, JsonLocations) else "cloudformation-yaml"
        )
        if isinstance(raw, str) or (isinstance(raw, dict) and "Fn::Sub" in raw):
            syntax = "json"  # written as JSON text inside the template
        return PolicyDocument(data, kind, label, Anchor(self.template.file, origin, locator), syntax)

    def _embedded(self, resolver: Resolver, raw: object, origin: JsonPath) -> Locator | None:
        """Where the JSON text of a document written as a string sits in the file, if it can be found."""
        picked = resolver.pick(raw, origin)
        if self.template.text is None or not isinstance(picked, tuple):
            return None
        node, node_origin = picked
        if isinstance(node, dict) and len(node) == 1 and "Fn::Sub" in node:
            node = node["Fn::Sub"]
            node = node[0] if isinstance(node, list) and node else node
        if not isinstance(node, str):
            return None
        near = self.template.locator.locate(node_origin)
        return embedded_locator(self.template.locator, origin, self.template.text, node, near.line if near else 1)

    def managed(
        self, resolver: Resolver, raw: object, origin: JsonPath, kind: DocumentKind
    ) -> PolicyDocument | UnresolvedPolicy | None:
        """A policy linked by ARN: a managed policy of this template, AWS-managed, or unknown."""
        what = "permissions boundary" if kind == "boundary" else "managed policy"
        picked = resolver.pick(raw, origin)
        if picked is NO_VALUE:
            return None
        if isinstance(picked, Unknown):
            return UnresolvedPolicy(what, picked, self.anchor(origin))
        assert isinstance(picked, tuple)
        raw, origin = picked
        linked = self._managed_ids(raw)
        if len(linked) == 1:
            return self._managed_document(resolver, linked[0], kind, f"{what} {linked[0]}")
        arn = resolver.value(raw, origin)
        if isinstance(arn, str):
            if _AWS_MANAGED.match(arn):
                return None  # an AWS-managed policy cannot hold your vendor's addresses
            if arn in self.managed_arns:
                logical_id = self.managed_arns[arn]
                return self._managed_document(resolver, logical_id, kind, f"{what} {logical_id}")
            if kind != "boundary" and not arn.startswith("arn:"):
                return None  # SAM: a bare name is an AWS-managed policy
            shown = arn.replace(OWN_ACCOUNT, "${AWS::AccountId}")
            return UnresolvedPolicy(
                f"{what} {shown}", Unknown("it is not defined in this template"), self.anchor(origin)
            )
        if isinstance(arn, Unknown):
            return UnresolvedPolicy(what, arn, self.anchor(origin))
        return None

    def _managed_document(
        self, resolver: Resolver, logical_id: str, kind: DocumentKind, label: str
    ) -> PolicyDocument | UnresolvedPolicy | None:
        path = self.template.resource_path(logical_id, "Properties", "PolicyDocument")
        return self.document(resolver, self.template.properties(logical_id).get("PolicyDocument"), path, kind, label)

    def _exists(self, logical_id: str, assignment: dict[str, bool]) -> bool:
        condition = self.template.resources[logical_id].get("Condition")
        return not isinstance(condition, str) or assignment.get(condition, True)

    # -- roles -------------------------------------------------------------------------------
    def _role_material(self, role_id: str, properties: tuple[str, ...]) -> tuple[list[object], list[str], list[str]]:
        """What a role's verdict depends on: raw values, attached policy ids, resource conditions."""
        props = self.template.properties(role_id)
        material: list[object] = [props.get(name) for name in properties]
        attached = self.attachments.get(role_id, [])
        linked = self._managed_ids([props.get("ManagedPolicyArns"), props.get("PermissionsBoundary")])
        if self.template.type_of(role_id) == SAM_FUNCTION:
            linked += self._managed_ids(props.get("Policies"))
        for logical_id in dict.fromkeys(attached + linked):
            policy_props = self.template.properties(logical_id)
            material.extend([policy_props.get("PolicyDocument"), policy_props.get("Roles")])
        resource_conditions = [
            self.template.resources[logical_id].get("Condition") for logical_id in dict.fromkeys(attached + linked)
        ]
        return material, attached, [c for c in resource_conditions if isinstance(c, str)]

    def display_name(self, logical_id: str, property_name: str) -> str:
        """``Logical (Name)`` when the resource's name is known whatever the branches, else ``Logical``."""
        raw = self.template.properties(logical_id).get(property_name)
        name = self.static.value(raw, ()) if not if_conditions(raw) else None
        shown = self.template.name_prefix + logical_id
        return f"{shown} ({name})" if isinstance(name, str) and name and name != logical_id else shown

    def roles(self, role_id: str, display: str, properties: tuple[str, ...]) -> list[str]:
        """Add the role's variants; return the policy resources that may attach to it."""
        material, attached, resource_conditions = self._role_material(role_id, properties)
        names = [*if_conditions(material), *resource_conditions]
        own_condition = self.template.resources[role_id].get("Condition")
        required = [own_condition] if isinstance(own_condition, str) else []
        for variant in self.conditions.variants(names, required):
            self.inventory.roles.append(self._role_variant(role_id, display, variant, attached))
        return attached

    def _role_variant(self, role_id: str, display: str, variant: Variant, attached: list[str]) -> Role:
        assignment = variant.assignment
        branches = dict(assignment)
        resolver = Resolver(self.template, branches, variant.parameters)
        props = self.template.properties(role_id)
        here = self.template.resource_path(role_id, "Properties")
        policies: list[PolicyDocument] = []
        unresolved: list[UnresolvedPolicy] = []

        def add(found: PolicyDocument | UnresolvedPolicy | None) -> None:
            if isinstance(found, PolicyDocument):
                policies.append(found)
            elif isinstance(found, UnresolvedPolicy):
                unresolved.append(found)

        trust = None
        if "AssumeRolePolicyDocument" in props:
            found = self.document(
                resolver,
                props["AssumeRolePolicyDocument"],
                here + ("AssumeRolePolicyDocument",),
                "trust",
                "trust policy",
            )
            trust = found if isinstance(found, PolicyDocument) else None
        is_sam = self.template.type_of(role_id) == SAM_FUNCTION
        for item, path in self._list(resolver, props.get("Policies"), here + ("Policies",), unresolved, "Policies"):
            if is_sam:
                add(self._sam_policy(resolver, item, path))
            elif isinstance(item, dict):
                name = resolver.value(item.get("PolicyName"), path + ("PolicyName",))
                label = f"inline policy {name}" if isinstance(name, str) else "an inline policy"
                add(
                    self.document(
                        resolver, item.get("PolicyDocument"), path + ("PolicyDocument",), "permissions", label
                    )
                )
        for item, path in self._list(
            resolver, props.get("ManagedPolicyArns"), here + ("ManagedPolicyArns",), unresolved, "ManagedPolicyArns"
        ):
            add(self.managed(resolver, item, path, "permissions"))
        if "PermissionsBoundary" in props:
            add(self.managed(resolver, props["PermissionsBoundary"], here + ("PermissionsBoundary",), "boundary"))
        for logical_id in attached:
            if not self._exists(logical_id, branches):
                continue
            kind = self.template.type_of(logical_id)
            target = "RoleName" if kind == ROLE_POLICY else "Roles"
            policy_props = self.template.properties(logical_id)
            policy_path = self.template.resource_path(logical_id, "Properties")
            if role_id not in self._named(policy_props.get(target), resolver, policy_path + (target,)):
                continue
            what = {POLICY: "policy", MANAGED_POLICY: "managed policy", ROLE_POLICY: "role policy"}[str(kind)]
            add(
                self.document(
                    resolver,
                    policy_props.get("PolicyDocument"),
                    policy_path + ("PolicyDocument",),
                    "permissions",
                    f"{what} {logical_id}",
                )
            )
        return Role(
            name=variant_name(display, assignment),
            anchor=self.anchor(self.template.resource_path(role_id)),
            trust=trust,
            policies=tuple(policies),
            unresolved_policies=tuple(unresolved),
            files=frozenset({self.template.file}),
            variant=tuple((name, "true" if value else "false") for name, value in assignment),
        )

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

    def _sam_policy(self, resolver: Resolver, item: object, path: JsonPath) -> PolicyDocument | UnresolvedPolicy | None:
        """A SAM ``Policies`` entry: an inline document, a policy template, or a managed policy."""
        if isinstance(item, dict) and any(key.lower() == "statement" for key in item):
            return self.document(resolver, item, path, "permissions", "inline policy")
        if isinstance(item, dict) and len(item) == 1 and not next(iter(item)).startswith(("Ref", "Fn::")):
            return None  # a SAM policy template: AWS-defined Allow statements
        return self.managed(resolver, item, path, "permissions")

    # -- the rest ----------------------------------------------------------------------------
    def access_keys(self) -> None:
        users = self.template.of_type(USER)
        user_names = {}
        for logical_id in users:
            name = self.static.value(self.template.properties(logical_id).get("UserName"), ())
            if isinstance(name, str):
                user_names[name] = logical_id
        for key_id in self.template.of_type("AWS::IAM::AccessKey"):
            for item in self._flatten(self.template.properties(key_id).get("UserName")):
                target = item.get("Ref") if isinstance(item, dict) else None
                if not (isinstance(target, str) and target in users):
                    value = self.static.value(item, ())
                    target = user_names.get(value) if isinstance(value, str) else None
                if target is not None:
                    shown = self.display_name(target, "UserName")
                    self.inventory.access_keys.append(
                        AccessKey(shown, self.anchor(self.template.resource_path(key_id)))
                    )
                    break

    def standalone_policies(self, attached: set[str]) -> None:
        """Policy resources attached to no role of the template still get their grammar checked."""
        for logical_id in self.template.of_type(POLICY, MANAGED_POLICY):
            if logical_id in attached:
                continue
            path = self.template.resource_path(logical_id, "Properties", "PolicyDocument")
            raw = self.template.properties(logical_id).get("PolicyDocument")
            what = "managed policy" if self.template.type_of(logical_id) == MANAGED_POLICY else "policy"
            found = self.document(self.static, raw, path, "permissions", f"{what} {logical_id}")
            if isinstance(found, PolicyDocument):
                self.inventory.documents.append(found)

    def read(self) -> Inventory:
        used: set[str] = set()
        for role_id in self.template.of_type(ROLE):
            props = self.template.properties(role_id)
            if "AssumeRolePolicyDocument" not in props:
                self.problem(f"role {role_id} has no AssumeRolePolicyDocument", self.template.resource_path(role_id))
            used.update(self.roles(role_id, self.display_name(role_id, "RoleName"), _ROLE_PROPERTIES))
            used.update(self._managed_ids([props.get("ManagedPolicyArns"), props.get("PermissionsBoundary")]))
        for function_id in self.template.of_type(SAM_FUNCTION):
            props = self.template.properties(function_id)
            if "Role" in props or not any(p in props for p in _ROLE_PROPERTIES):
                continue
            properties = ("AssumeRolePolicyDocument", "Policies", "PermissionsBoundary")
            used.update(self.roles(function_id, f"{self.template.name_prefix}{function_id}Role", properties))
            used.update(self._managed_ids([props.get("Policies"), props.get("PermissionsBoundary")]))
        self.standalone_policies(used)
        self.access_keys()
        self.stack_sets()
        self.metadata_suppressions()
        return self.inventory

    def metadata_suppressions(self) -> None:
        """``Metadata: {iam-saas-lint: {ignore: [{rule: ISL005, reason: ...}]}}`` on a resource."""
        for logical_id, resource in self.template.resources.items():
            metadata = resource.get("Metadata")
            ours = metadata.get("iam-saas-lint") if isinstance(metadata, dict) else None
            entries = ours.get("ignore") if isinstance(ours, dict) else None
            if not isinstance(entries, list):
                continue
            region = self.anchor(self.template.resource_path(logical_id)).span()
            role = self.template.name_prefix + logical_id
            if self.template.type_of(logical_id) == SAM_FUNCTION:
                role += "Role"
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    continue
                raw_rules = entry.get("rule", entry.get("rules"))
                rules = [raw_rules] if isinstance(raw_rules, str) else raw_rules if isinstance(raw_rules, list) else []
                reason = entry.get("reason")
                path = self.template.resource_path(logical_id, "Metadata", "iam-saas-lint", "ignore", index)
                self.inventory.suppressions.append(
                    Suppression(
                        tuple(str(r).strip().upper() for r in rules),
                        reason.strip() if isinstance(reason, str) else "",
                        self.template.file,
                        self.anchor(path).span(),
                        scope="role",
                        role=role,
                        region=region,
                    )
                )

    def stack_sets(self) -> None:
        """Templates inside StackSets (``TemplateBody``), read as templates of their own."""
        if self.template.depth >= _MAX_NESTING:
            return
        for stack_id in self.template.of_type(STACK_SET):
            props = self.template.properties(stack_id)
            body = props.get("TemplateBody")
            if not isinstance(body, str):
                continue
            origin = self.template.resource_path(stack_id, "Properties", "TemplateBody")
            nested = self._nested(stack_id, body, origin)
            if nested is not None:
                self._pass_parameters(nested, props.get("Parameters"))
                self.inventory.extend(TemplateReader(nested).read())

    def _nested(self, stack_id: str, body: str, origin: JsonPath) -> Template | None:
        inner: Locator
        try:
            if body.lstrip().startswith("{"):
                data = load_json(body, MAX_FILE_NESTING)
                inner = JsonLocations(body)
                issues = []
            else:
                documents = load_yaml(body)
                data = documents[0].data if documents else None
                inner = documents[0].locations if documents else JsonLocations("")
                issues = documents[0].issues if documents else []
        except (ValueError, YamlError) as error:
            message = error.message if isinstance(error, YamlError) else str(error)
            self.problem(f"StackSet {stack_id}: TemplateBody: {message}", origin)
            return None
        if not is_template(data):
            return None
        assert isinstance(data, dict)
        near = self.template.locator.locate(origin)
        to_file = text_in_file(self.template.text, body, near.line if near else 1) if self.template.text else None
        locator = EmbeddedLocator(self.template.locator, origin, inner, to_file)
        for issue in issues:
            self.problem(f"StackSet {stack_id}: TemplateBody: {issue.message}", origin)
        return Template(
            self.template.file,
            locator,
            data,
            root=origin,
            text=self.template.text,
            name_prefix=f"{self.template.name_prefix}{stack_id}/",
            depth=self.template.depth + 1,
        )

    def _pass_parameters(self, nested: Template, parameters: object) -> None:
        """StackSet parameter values become the nested template's defaults when they are known and
        do not name this account (which is another account from where the StackSet deploys);
        otherwise the nested parameter has no default."""
        items = self.static.items(parameters, ())
        if isinstance(items, Unknown):
            return
        for item, _ in items:
            if not isinstance(item, dict):
                continue
            key, value = item.get("ParameterKey"), self.static.value(item.get("ParameterValue"), ())
            spec = nested.parameters.get(key) if isinstance(key, str) else None
            if spec is None or value is NO_VALUE:
                continue
            if isinstance(value, Unknown) or OWN_ACCOUNT in json.dumps(value, default=str):
                nested.parameters[str(key)] = {k: v for k, v in spec.items() if k != "Default"}
            else:
                nested.parameters[str(key)] = {**spec, "Default": value}


def read_template(template: Template) -> Inventory:
    try:
        return TemplateReader(template).read()
    except RecursionError:
        problem = Problem(template.file, "the template is nested too deeply to read", Span(1, 1, 1, 1))
        return Inventory(problems=[problem])


_CFN_MARKERS = re.compile(r"^\s*(?:Resources|AWSTemplateFormatVersion|Transform)\s*:", re.MULTILINE)


def looks_like_template(text: str) -> bool:
    return looks_like_iam(text) or _CFN_MARKERS.search(text) is not None


def read_json_template(json_file: JsonFile) -> Inventory:
    assert isinstance(json_file.data, dict)
    locations = json_file.locations
    return read_template(Template(json_file.path, locations, json_file.data, text=locations.text))


def _template_of(path: str, document: YamlDocument, text: str) -> Template | None:
    data = document.data
    if is_template(data):
        assert isinstance(data, dict)
        return Template(path, document.locations, data, text=text)
    if is_serverless(data, path):
        assert isinstance(data, dict)
        resources = data["resources"]
        assert isinstance(resources, dict)
        return Template(path, document.locations, resources, root=("resources",), service=data, text=text)
    return None


def read_yaml_file(path: str, max_bytes: int) -> Inventory:
    """A YAML file: a CloudFormation, SAM or Serverless template, or nothing (other YAML is skipped)."""
    text = read_text(path, max_bytes)
    if text is None:
        return Inventory()
    if isinstance(text, Problem):
        return Inventory(problems=[text])
    inventory = _read_yaml_text(path, text)
    inventory.suppressions.extend(comment_suppressions(path, text.text))
    return inventory


def _read_yaml_text(path: str, text: TextFile) -> Inventory:
    if text.text.lstrip().startswith("{"):  # a JSON template with a YAML-family name (``.template``)
        parsed = parse_json(text)
        if isinstance(parsed, JsonFile) and is_template(parsed.data):
            inventory = read_json_template(parsed)
            inventory.problems[:0] = parsed.duplicate_problems() if parsed.has_duplicates else []
            return inventory
    try:
        documents = load_yaml(text.text)
    except YamlError as error:
        if error.hostile or looks_like_template(text.text):
            return Inventory(problems=[Problem(path, error.message, error.span)])
        return Inventory()
    for document in documents:
        template = _template_of(path, document, text.text)
        if template is None:
            continue
        inventory = read_template(template)
        inventory.problems[:0] = [Problem(path, issue.message, issue.span) for issue in document.issues]
        return inventory
    return Inventory()
