"""The role graph of a module: each ``aws_iam_role`` instance with every policy attached to it.

Attachments are linked by reference (``aws_iam_role.x.name``, ``aws_iam_policy.p.arn``) or by the
literal role name and policy ARN. AWS-managed policies cannot hold the vendor's Deny and are left
out; any other policy that is not in the module is unresolved, so the verdict says it depends on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...model.document import (
    AccessKey,
    DocumentKind,
    Inventory,
    PolicyDocument,
    Problem,
    Role,
    Syntax,
    UnresolvedPolicy,
    is_aws_managed_policy,
)
from ...model.values import Anchor, Span, Unknown
from ..text.jsonfile import MAX_DOCUMENT_NESTING, TooDeep, load_json, nesting_depth
from .evaluate import Evaluator
from .graph_documents import PlacesLocator, maybe_absent, unknown_values_as_lists
from .module import Module
from .scope import BadJsonText, Instance
from .values import JsonText, Places, ResourceAttr, first_unknown, plain_data

_POLICY_ARN = re.compile(r"^arn:[^:]*:iam::[^:]*:policy/(?:.*/)?([^/]+)$")
_ROLE_ARN = re.compile(r"^arn:[^:]*:iam::[^:]*:role/(?:.*/)?([^/]+)$")


@dataclass
class _Role:
    instance: Instance
    name: object
    trust: PolicyDocument | None = None
    policies: list[PolicyDocument] = field(default_factory=list)
    unresolved: list[UnresolvedPolicy] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    #: Inline policies by name (for aws_iam_role_policies_exclusive); None for inline_policy blocks.
    inline: list[tuple[object, PolicyDocument | UnresolvedPolicy]] = field(default_factory=list)
    managed: list[tuple[object, PolicyDocument | UnresolvedPolicy]] = field(default_factory=list)


class GraphBuilder:
    def __init__(self, module: Module, evaluator: Evaluator) -> None:
        self.module = module
        self.ev = evaluator
        self.inventory = Inventory()
        self.roles: list[_Role] = []
        self._policies: dict[tuple[str, str, str], list[PolicyDocument | UnresolvedPolicy]] = {}
        self._policy_files: dict[tuple[str, str, str], frozenset[str]] = {}
        self._attached: set[int] = set()
        self._standalone: list[PolicyDocument | UnresolvedPolicy] = []

    # -- documents --------------------------------------------------------------------------------

    def documents(
        self, value: object, root: Span, kind: DocumentKind, label: str
    ) -> list[PolicyDocument | UnresolvedPolicy]:
        """A policy attribute's value as documents: the document and, apart, what of it is unresolved.

        Nothing when there is no policy or it is broken (then a problem says why).
        """
        file = root.file or ""
        anchor_places: Places = {}
        if isinstance(value, BadJsonText):
            self.inventory.problems.append(Problem(value.span.file or file, f"{label}: {value.message}", value.span))
            return []
        if isinstance(value, ResourceAttr):
            value = value.text()
        syntax: Syntax = "json"
        if isinstance(value, JsonText):
            data: object = plain_data(value.data)
            anchor_places = dict(value.places)
            syntax = value.syntax
        elif isinstance(value, str):
            if not value.strip():
                self.inventory.problems.append(Problem(file, f"{label}: the policy is empty", root))
                return []
            try:
                data = load_json(value)
            except ValueError as error:
                self.inventory.problems.append(Problem(file, f"{label}: not a JSON policy document ({error})", root))
                return []
        elif value is None:
            return []
        elif isinstance(value, Unknown):
            if kind == "trust":
                return [PolicyDocument(value, kind, label, Anchor(file, (), PlacesLocator(root, {})))]
            return [UnresolvedPolicy(label, value, Anchor(file, (), PlacesLocator(root, {})))]
        else:
            self.inventory.problems.append(
                Problem(file, f"{label}: a policy must be a JSON string (use jsonencode), not an HCL value", root)
            )
            return []
        if nesting_depth(data, MAX_DOCUMENT_NESTING) > MAX_DOCUMENT_NESTING:
            self.inventory.problems.append(Problem(file, f"{label}: {TooDeep(MAX_DOCUMENT_NESTING)}", root))
            return []
        anchor = Anchor(file, (), PlacesLocator(root, anchor_places))
        return [PolicyDocument(unknown_values_as_lists(data), kind, label, anchor, syntax)]

    def attribute_document(
        self, instance: Instance, attribute: str, kind: DocumentKind, label: str
    ) -> list[PolicyDocument | UnresolvedPolicy]:
        node = instance.declaration.block.body.attributes.get(attribute)
        if node is None:
            return []
        span = node.span
        value, _ = self.ev.argument_result(instance, attribute, span)
        return self.documents(value, span, kind, label)

    def policy(self, instance: Instance, kind: DocumentKind) -> list[PolicyDocument | UnresolvedPolicy]:
        """The document of an aws_iam_policy instance, made once per kind and shared by its roles."""
        key = _policy_key(instance, kind)
        if key not in self._policies:
            label = f"{'permissions boundary ' if kind == 'boundary' else ''}{instance.address}"
            with self.ev.recording() as files:
                self._policies[key] = maybe_absent(instance, self.attribute_document(instance, "policy", kind, label))
            self._policy_files[key] = frozenset(files | {instance.file})
        self.ev.touch(*self._policy_files[key])
        return self._policies[key]

    # -- linking ----------------------------------------------------------------------------------

    def _roles_for(self, value: object) -> list[_Role]:
        if isinstance(value, list):
            return [role for item in value for role in self._roles_for(item)]
        if isinstance(value, ResourceAttr):
            if value.type != "aws_iam_role":
                return self._roles_for(value.known) if isinstance(value.known, str) else []
            if value.all_instances:
                found = [r for r in self.roles if r.instance.declaration.address == value.resource]
            else:
                found = [r for r in self.roles if r.instance.address == value.address]
            return [r for r in found if not value.declared_in or r.instance.file == value.declared_in]
        if isinstance(value, str):
            match = _ROLE_ARN.match(value)
            name = match.group(1) if match else value
            return [r for r in self.roles if r.name == name]
        return []

    def _policy_instances(self, value: ResourceAttr) -> list[Instance]:
        found = []
        for declaration in self.module.by_type("resource", "aws_iam_policy"):
            for instance in self.ev.instances(declaration):
                if value.declared_in and instance.file != value.declared_in:
                    continue
                if instance.address == value.address or (value.all_instances and declaration.address == value.resource):
                    found.append(instance)
        return found

    def _policy_named(self, name: str) -> list[Instance]:
        found = []
        for declaration in self.module.by_type("resource", "aws_iam_policy"):
            for instance in self.ev.instances(declaration):
                if self.ev.argument(instance, "name") == name:
                    found.append(instance)
        return found

    def resolve_arn(
        self, value: object, kind: DocumentKind, label: str, anchor: Anchor
    ) -> list[PolicyDocument | UnresolvedPolicy]:
        """The documents a policy ARN stands for; nothing for AWS-managed policies."""
        if isinstance(value, ResourceAttr) and value.type == "aws_iam_policy":
            return [doc for instance in self._policy_instances(value) for doc in self.policy(instance, kind)]
        text = value.text() if isinstance(value, ResourceAttr) else value
        if text is None or text == "":
            return []
        if isinstance(text, str):
            if is_aws_managed_policy(text):
                return []
            match = _POLICY_ARN.match(text)
            named = self._policy_named(match.group(1)) if match else []
            if named:
                return [doc for instance in named for doc in self.policy(instance, kind)]
            return [UnresolvedPolicy(f"{label} {text}", Unknown(f"{text} is not defined in this module"), anchor)]
        reason = text if isinstance(text, Unknown) else first_unknown(text) or Unknown(f"{label} is not a policy ARN")
        return [UnresolvedPolicy(label, reason, anchor)]

    def _arn_list(
        self, instance: Instance, attribute: str, kind: DocumentKind, label: str
    ) -> list[tuple[object, PolicyDocument | UnresolvedPolicy]]:
        node = instance.declaration.block.body.attributes.get(attribute)
        if node is None:
            return []
        span = node.span
        value, places = self.ev.argument_result(instance, attribute, span)
        items = value if isinstance(value, list) else [value]
        result = []
        for index, item in enumerate(items):
            where = places.get((index,), span) if isinstance(value, list) else span
            anchor = Anchor(instance.file, (), PlacesLocator(where, {}))
            for document in self.resolve_arn(item, kind, f"{label} of {instance.address}", anchor):
                result.append((item, document))
        return result

    # -- building ---------------------------------------------------------------------------------

    def build(self) -> Inventory:
        for declaration in self.module.by_type("resource", "aws_iam_role"):
            for instance in self.ev.instances(declaration):
                self.roles.append(self._role(instance))
        self._link_role_policies()
        self._link_attachments()
        self._apply_exclusive()
        self._access_keys()
        for role in self.roles:
            self._finish(role)
        for instance in self._instances("aws_iam_policy"):
            made = [
                d for kind in ("permissions", "boundary") for d in self._policies.get(_policy_key(instance, kind), [])
            ]
            if not any(id(document) in self._attached for document in made):
                self.inventory.documents.extend(
                    d for d in self.policy(instance, "permissions") if isinstance(d, PolicyDocument)
                )
        for document in self._standalone:
            if isinstance(document, PolicyDocument):
                self.inventory.documents.append(document)
        self.inventory.problems.extend(self.ev.problems)
        return self.inventory

    def _role(self, instance: Instance) -> _Role:
        with self.ev.recording() as files:
            name = self.ev.argument(instance, "name")
            role = _Role(instance, name)
            body = instance.declaration.block.body
            label = f"trust policy of {instance.address}"
            for found in self.attribute_document(instance, "assume_role_policy", "trust", label):
                if isinstance(found, PolicyDocument):
                    role.trust = found
            for entry in self.ev.nested(body, "inline_policy", instance.scope()):
                block = entry[0]
                if len(entry) == 2:
                    reason = entry[1]
                    assert isinstance(reason, Unknown)
                    anchor = Anchor(instance.file, (), PlacesLocator(block.span, {}))
                    role.inline.append(
                        (None, UnresolvedPolicy(f"inline policies of {instance.address}", reason, anchor))
                    )
                    continue
                _, inner, scope = entry
                policy_node = inner.attributes.get("policy")
                if policy_node is None:
                    continue
                policy_name = (
                    self.ev.value(inner.attributes["name"].expr, scope) if "name" in inner.attributes else None
                )
                value = self.ev.value(policy_node.expr, scope)
                label = (
                    f"inline policy {policy_name} of {instance.address}"
                    if isinstance(policy_name, str)
                    else f"an inline policy of {instance.address}"
                )
                for document in self.documents(value, policy_node.span, "permissions", label):
                    role.inline.append((policy_name, document))
            role.managed.extend(self._arn_list(instance, "managed_policy_arns", "permissions", "managed_policy_arns"))
            for _, document in self._arn_list(instance, "permissions_boundary", "boundary", "permissions_boundary"):
                self._attach(role, document)
        role.files.update(files)
        role.files.add(instance.file)
        return role

    def _attach(self, role: _Role, document: PolicyDocument | UnresolvedPolicy) -> None:
        self._attached.add(id(document))
        if isinstance(document, PolicyDocument):
            if all(existing is not document for existing in role.policies):
                role.policies.append(document)
        elif all(existing is not document for existing in role.unresolved):
            role.unresolved.append(document)

    def _instances(self, type_name: str) -> Iterable[Instance]:
        for declaration in self.module.by_type("resource", type_name):
            yield from self.ev.instances(declaration)

    def _link_role_policies(self) -> None:
        for instance in self._instances("aws_iam_role_policy"):
            with self.ev.recording() as files:
                roles = self._roles_for(self.ev.argument(instance, "role"))
                name = self.ev.argument(instance, "name")
                documents = maybe_absent(
                    instance, self.attribute_document(instance, "policy", "permissions", instance.address)
                )
            if not roles:
                self._standalone.extend(documents)
            for role in roles:
                role.inline.extend((name, document) for document in documents)
                role.files.update(files | {instance.file})

    def _link_attachments(self) -> None:
        for type_name, role_attribute in (
            ("aws_iam_role_policy_attachment", "role"),
            ("aws_iam_policy_attachment", "roles"),
        ):
            for instance in self._instances(type_name):
                with self.ev.recording() as files:
                    roles = self._roles_for(self.ev.argument(instance, role_attribute))
                    if not roles:
                        continue
                    attached = [
                        (arn, document)
                        for arn, found in self._arn_list(instance, "policy_arn", "permissions", "policy_arn")
                        for document in maybe_absent(instance, [found])
                    ]
                for role in roles:
                    role.managed.extend(attached)
                    role.files.update(files | {instance.file})

    def _apply_exclusive(self) -> None:
        """``aws_iam_role_policies_exclusive`` and ``…_policy_attachments_exclusive``: only the listed ones stay."""
        for type_name, attribute, inline in (
            ("aws_iam_role_policies_exclusive", "policy_names", True),
            ("aws_iam_role_policy_attachments_exclusive", "policy_arns", False),
        ):
            for instance in self._instances(type_name):
                with self.ev.recording() as files:
                    roles = self._roles_for(self.ev.argument(instance, "role_name"))
                    listed = self.ev.argument(instance, attribute)
                    listed_arns = self._arn_list(instance, attribute, "permissions", attribute) if not inline else []
                if not roles or not isinstance(listed, list) or first_unknown(listed) is not None:
                    continue
                for role in roles:
                    role.files.update(files | {instance.file})
                    if inline:
                        role.inline = [
                            (n, d) for n, d in role.inline if n is None or isinstance(n, Unknown) or n in listed
                        ]
                        known = {n for n, _ in role.inline}
                        for missing in (n for n in listed if n not in known):
                            anchor = Anchor(
                                instance.file,
                                (),
                                PlacesLocator(instance.declaration.block.span, {}),
                            )
                            reason = Unknown(f"the inline policy {missing!r} is not defined in this module")
                            role.inline.append((missing, UnresolvedPolicy(f"inline policy {missing}", reason, anchor)))
                    else:
                        keep = {_arn_key(item) for item in listed}
                        role.managed = [(arn, d) for arn, d in role.managed if _arn_key(arn) in keep]
                        attached_ids = {id(d) for _, d in role.managed}
                        role.managed.extend(pair for pair in listed_arns if id(pair[1]) not in attached_ids)

    def _finish(self, role: _Role) -> None:
        for _, document in role.inline + role.managed:
            self._attach(role, document)
            if isinstance(document, PolicyDocument):
                role.files.update(_files_of(document))
        instance = role.instance
        if role.trust is not None:
            role.files.update(_files_of(role.trust))
        anchor = Anchor(instance.file, (), PlacesLocator(instance.declaration.block.span, {}))
        self.inventory.roles.append(
            Role(
                name=instance.address,
                logical=instance.declaration.address,
                instance=instance.address[len(instance.declaration.address) :],
                anchor=anchor,
                trust=role.trust,
                policies=tuple(role.policies),
                unresolved_policies=tuple(role.unresolved),
                files=frozenset(role.files),
            )
        )

    def _access_keys(self) -> None:
        for instance in self._instances("aws_iam_access_key"):
            user = self.ev.argument(instance, "user")
            if isinstance(user, ResourceAttr):
                name = user.known if isinstance(user.known, str) else user.address
            elif isinstance(user, str):
                name = user
            else:
                name = f"{instance.address}.user (unresolved)"
            span = instance.declaration.block.span
            self.inventory.access_keys.append(AccessKey(name, Anchor(instance.file, (), PlacesLocator(span, {}))))


def _policy_key(instance: Instance, kind: DocumentKind) -> tuple[str, str, str]:
    return instance.address, instance.file, kind


def _arn_key(value: object) -> object:
    if isinstance(value, ResourceAttr):
        return value.address
    return value


def _files_of(document: PolicyDocument) -> set[str]:
    locator = document.anchor.locator
    files = {document.anchor.file}
    if isinstance(locator, PlacesLocator):
        files.update(span.file for span in locator.places.values() if span.file)
    return files
