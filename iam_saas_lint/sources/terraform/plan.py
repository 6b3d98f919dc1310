"""``terraform show -json`` plans: resources with their values already resolved.

Resources come from ``planned_values`` (the root module and every ``child_modules`` level), with
``resource_changes`` telling which values are known only after apply (``after_unknown``), which are
sensitive (``after_sensitive``: external ids in them are masked, never printed) and which resources
are being deleted. Roles are linked to policies by the planned role name and policy ARN, or, when
those are known only after apply, by the references in ``configuration``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...model.document import (
    AccessKey,
    DocumentKind,
    Inventory,
    PolicyDocument,
    Problem,
    Role,
    UnresolvedPolicy,
    is_aws_managed_policy,
)
from ...model.values import Anchor, JsonPath, Unknown
from ...records import dataclass, field
from ..text.jsonfile import JsonFile, load_json
from .arns import matches, parse_iam_arn
from .plan_stacks import STACK_TYPES, EmbeddedStack, read_stacks

_INDEX = re.compile(r"\[[^\]]*\]")
MASKED = "sensitive-value-masked"


def is_plan(data: object) -> bool:
    """A plan (``planned_values``, ``resource_changes``) or a state (``values``) as ``terraform show -json``
    writes them."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data or isinstance(data.get("values"), dict))
    )


@dataclass
class _Resource:
    address: str
    type: str
    module: str  # "" or "module.a.module.b"
    values: dict[str, object]
    path: JsonPath  # of ``values`` in the plan file
    unknown: dict[str, object] = field(default_factory=dict)
    sensitive: dict[str, object] = field(default_factory=dict)
    #: attribute -> resource addresses it refers to (from ``configuration``), module prefix included
    references: dict[str, list[str]] = field(default_factory=dict)

    @property
    def config_address(self) -> str:
        return _INDEX.sub("", self.address)


def _items(value: object) -> list[object]:
    """A list in the plan, or nothing: a hand-edited or corrupted plan may hold anything there."""
    return value if isinstance(value, list) else []


def _modules(module: object, path: JsonPath) -> Iterator[tuple[dict[str, object], JsonPath]]:
    if not isinstance(module, dict):
        return
    for index, resource in enumerate(_items(module.get("resources"))):
        if isinstance(resource, dict):
            yield resource, path + ("resources", index)
    for index, child in enumerate(_items(module.get("child_modules"))):
        yield from _modules(child, path + ("child_modules", index))


def _config_references(module: object, prefix: str, into: dict[str, dict[str, list[str]]]) -> None:
    if not isinstance(module, dict):
        return
    for resource in _items(module.get("resources")):
        if not isinstance(resource, dict) or not isinstance(resource.get("address"), str):
            continue
        expressions = resource.get("expressions")
        found: dict[str, list[str]] = {}
        for name, expression in expressions.items() if isinstance(expressions, dict) else []:
            if isinstance(expression, dict) and isinstance(expression.get("references"), list):
                found[name] = [f"{prefix}{ref}" for ref in expression["references"] if isinstance(ref, str)]
        into[prefix + resource["address"]] = found
    calls = module.get("module_calls")
    for name, call in calls.items() if isinstance(calls, dict) else []:
        if isinstance(call, dict):
            _config_references(call.get("module"), f"{prefix}module.{name}.", into)


_MODULE_INSTANCE = re.compile(r'^(?:module\.[A-Za-z0-9_-]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.)*')


def module_instance(address: str) -> str:
    """The module instance a resource address is in, keys included: ``module.x["a"].`` (or "")."""
    found = _MODULE_INSTANCE.match(address)
    return found.group(0) if found else ""


def _module_of(address: str) -> str:
    parts = address.split(".")
    prefix = []
    while len(parts) > 2 and parts[0] == "module":
        prefix += parts[:2]
        parts = parts[2:]
    return ".".join(prefix)


def _resources(plan: dict[str, object]) -> list[_Resource]:
    found: dict[str, _Resource] = {}
    section = "planned_values" if "planned_values" in plan else "values"
    planned = plan.get(section)
    root = planned.get("root_module") if isinstance(planned, dict) else None
    for planned, path in _modules(root, (section, "root_module")):
        address, values = planned.get("address"), planned.get("values")
        if planned.get("mode", "managed") != "managed" or not isinstance(address, str):
            continue
        found[address] = _Resource(
            address, str(planned.get("type")), _module_of(address), values if isinstance(values, dict) else {},
            path + ("values",),
        )  # fmt: skip
        sensitive = planned.get("sensitive_values")
        if isinstance(sensitive, dict):
            found[address].sensitive = sensitive
    deleted: set[str] = set()
    changes = plan.get("resource_changes")
    for index, change in enumerate(changes if isinstance(changes, list) else []):
        if not isinstance(change, dict) or change.get("mode", "managed") != "managed":
            continue
        address, body = change.get("address"), change.get("change")
        if not isinstance(address, str) or not isinstance(body, dict):
            continue
        if body.get("actions") == ["delete"]:
            deleted.add(address)
            continue
        resource = found.get(address)
        if resource is None and isinstance(body.get("after"), dict):
            path = ("resource_changes", index, "change", "after")
            resource = _Resource(address, str(change.get("type")), _module_of(address), body["after"], path)
            found[address] = resource
        if resource is not None:
            for name, target in (("after_unknown", "unknown"), ("after_sensitive", "sensitive")):
                marks = body.get(name)
                if isinstance(marks, dict):
                    setattr(resource, target, marks)
    references: dict[str, dict[str, list[str]]] = {}
    configuration = plan.get("configuration")
    if isinstance(configuration, dict):
        _config_references(configuration.get("root_module"), "", references)
    result: list[_Resource] = []
    for address, kept in found.items():
        if address not in deleted:
            kept.references = references.get(kept.config_address, {})
            result.append(kept)
    return result


def _mask_external_ids(data: object) -> object:
    """External ids in a sensitive value are replaced, so no finding can print them."""
    if isinstance(data, dict):
        masked: dict[object, object] = {}
        for key, value in data.items():
            if isinstance(key, str) and key.lower() == "sts:externalid" and isinstance(value, (str, list)):
                masked[key] = MASKED if isinstance(value, str) else [MASKED for _ in value]
            else:
                masked[key] = _mask_external_ids(value)
        return masked
    if isinstance(data, list):
        return [_mask_external_ids(item) for item in data]
    return data


class _PlanReader:
    def __init__(self, json_file: JsonFile) -> None:
        self.file = json_file
        assert isinstance(json_file.data, dict)
        self.resources = _resources(json_file.data)
        self.own_accounts = _caller_accounts(json_file.data)
        self.kind = "state" if "planned_values" not in json_file.data and "values" in json_file.data else "plan"
        self.inventory = Inventory()
        self.attached: set[int] = set()
        self._documents: dict[tuple[str, str, str], PolicyDocument | UnresolvedPolicy | None] = {}

    def of_type(self, type_name: str) -> list[_Resource]:
        return [r for r in self.resources if r.type == type_name]

    def anchor(self, resource: _Resource, *path: str | int) -> Anchor:
        return self.file.anchor(*resource.path, *path)

    def document(
        self, resource: _Resource, path: tuple[str | int, ...], kind: DocumentKind, label: str
    ) -> PolicyDocument | UnresolvedPolicy | None:
        key = (resource.address, ".".join(map(str, path)), kind)
        if key not in self._documents:
            self._documents[key] = self._read_document(resource, path, kind, label)
        return self._documents[key]

    def _read_document(
        self, resource: _Resource, path: tuple[str | int, ...], kind: DocumentKind, label: str
    ) -> PolicyDocument | UnresolvedPolicy | None:
        value: object = resource.values
        unknown: object = resource.unknown
        sensitive: object = resource.sensitive
        for step in path:
            value = _get(value, step)
            unknown = _get(unknown, step)
            sensitive = _get(sensitive, step)
        anchor = self.anchor(resource, *path)
        if unknown is True:
            return UnresolvedPolicy(label, Unknown(f"{resource.address}.{path[-1]} is known only after apply"), anchor)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return UnresolvedPolicy(label, Unknown(f"{resource.address}.{path[-1]} is not a JSON string"), anchor)
        try:
            data = load_json(value)
        except ValueError as error:
            self.inventory.problems.append(
                Problem(self.file.path, f"{label}: not a JSON policy document ({error})", anchor.span())
            )
            return None
        if sensitive is True:
            data = _mask_external_ids(data)
        return PolicyDocument(data, kind, label, anchor)

    # -- linking ---------------------------------------------------------------------------------

    def _referenced(self, resource: _Resource, attribute: str, type_name: str) -> tuple[list[_Resource], bool]:
        """Resources of ``type_name`` that the configuration of ``attribute`` refers to, and whether
        they are certain. References are module-local, so only the referring resource's own module
        instance is searched; among the instances of a ``count``/``for_each`` resource, the one the
        reference indexes, or the one with the referring resource's own key; otherwise every
        instance may be meant, and none is certain."""
        here = module_instance(resource.address)
        own_key = _instance_key(resource.address)
        chosen: list[_Resource] = []
        certain = True
        for reference in resource.references.get(attribute, []):
            target = _target(reference, type_name)
            if target is None:
                continue
            config, key = target
            instances = [
                r for r in self.of_type(type_name)
                if module_instance(r.address) == here and _INDEX.sub("", r.address[len(here) :]) == config
            ]  # fmt: skip
            if key is None and len(instances) > 1:
                keyed = [r for r in instances if own_key is not None and _instance_key(r.address) == own_key]
                instances, certain = (keyed, certain) if keyed else (instances, False)
            elif key is not None:
                instances = [r for r in instances if _instance_key(r.address) == key]
            chosen.extend(r for r in instances if r not in chosen)
        return chosen, certain

    def roles_for(self, resource: _Resource, attribute: str) -> tuple[list[_Resource], bool]:
        value = resource.values.get(attribute)
        names = value if isinstance(value, list) else [value]
        found = [r for r in self.of_type("aws_iam_role") if r.values.get("name") in names and r.values.get("name")]
        return (found, True) if found else self._referenced(resource, attribute, "aws_iam_role")

    def policies_for(
        self, resource: _Resource, attribute: str, kind: DocumentKind, value: object, path: tuple[str | int, ...]
    ) -> list[PolicyDocument | UnresolvedPolicy]:
        anchor = self.anchor(resource, *path)
        if isinstance(value, str):
            if is_aws_managed_policy(value):
                return []
            matches, maybe = self._named_by(value)
            if maybe:
                return [UnresolvedPolicy(f"policy {value}", maybe[0], anchor)]
            if not matches:
                reason = Unknown(f"{value} is not defined in this {self.kind}")
                return [UnresolvedPolicy(f"policy {value}", reason, anchor)]
        else:
            matches, certain = self._referenced(resource, attribute, "aws_iam_policy")
            if not matches or not certain:
                why = "is known only after apply" if not matches else "may name any instance of the policy it refers to"
                reason = Unknown(f"{resource.address}.{attribute} {why}")
                return [UnresolvedPolicy(f"{attribute} of {resource.address}", reason, anchor)]
        found = []
        for policy in matches:
            prefix = "permissions boundary " if kind == "boundary" else ""
            document = self.document(policy, ("policy",), kind, f"{prefix}{policy.address}")
            if document is not None:
                found.append(document)
        return found

    def _named_by(self, arn_text: str) -> tuple[list[_Resource], list[Unknown]]:
        """The policies a literal ARN names: by their ARN where the plan knows it, else by account, path
        and name (account unknown unless a ``data.aws_caller_identity`` read it); and why others may be."""
        arn = parse_iam_arn(arn_text)
        found: list[_Resource] = []
        maybe: list[Unknown] = []
        for policy in self.of_type("aws_iam_policy"):
            known = policy.values.get("arn")
            if isinstance(known, str) and known:
                if known == arn_text:
                    found.append(policy)
                continue
            if arn is None or arn.kind != "policy":
                continue
            name, path = policy.values.get("name"), policy.values.get("path")
            verdict = matches(arn, name if isinstance(name, str) else Unknown("known only after apply"),
                              path, self.own_accounts)  # fmt: skip
            if verdict is True:
                found.append(policy)
            elif isinstance(verdict, Unknown):
                maybe.append(Unknown(f"{policy.address} may be the policy it names: {verdict.description}"))
        return found, maybe

    # -- reading ---------------------------------------------------------------------------------

    def read(self) -> Inventory:
        roles: dict[str, tuple[_Resource, list[PolicyDocument | UnresolvedPolicy]]] = {}
        for role in self.of_type("aws_iam_role"):
            roles[role.address] = (role, self._own_policies(role))
        for kind_type, attribute in (("aws_iam_role_policy", "role"),):
            for resource in self.of_type(kind_type):
                document = self.document(resource, ("policy",), "permissions", resource.address)
                targets, certain = self.roles_for(resource, attribute)
                for role in targets:
                    if document is not None:
                        roles[role.address][1].append(document if certain else self._maybe(resource, role))
        for kind_type, attribute in (
            ("aws_iam_role_policy_attachment", "role"),
            ("aws_iam_policy_attachment", "roles"),
        ):
            for resource in self.of_type(kind_type):
                targets, certain = self.roles_for(resource, attribute)
                if not targets:
                    continue
                documents = self.policies_for(
                    resource, "policy_arn", "permissions", resource.values.get("policy_arn"), ("policy_arn",)
                )
                for role in targets:
                    roles[role.address][1].extend(documents if certain else [self._maybe(resource, role)])
        for role, documents in roles.values():
            self._role(role, documents)
        for policy in self.of_type("aws_iam_policy"):
            document = self.document(policy, ("policy",), "permissions", policy.address)
            if isinstance(document, PolicyDocument) and id(document) not in self.attached:
                self.inventory.documents.append(document)
        stacks = [
            EmbeddedStack(
                r.address,
                r.values,
                {"unknown": _get(r.unknown, "template_body"), "sensitive": _get(r.sensitive, "parameters")},
                r.path,
            )
            for r in self.resources
            if r.type in STACK_TYPES
        ]
        if stacks:
            self.inventory.extend(read_stacks(self.file, stacks))
        for key in self.of_type("aws_iam_access_key"):
            user = key.values.get("user")
            self.inventory.access_keys.append(AccessKey(str(user) if user else key.address, self.anchor(key)))
        return self.inventory

    def _maybe(self, resource: _Resource, role: _Resource) -> UnresolvedPolicy:
        """A policy that attaches to one instance of a role, and the plan cannot tell which."""
        family = _INDEX.sub("", role.address)
        reason = Unknown(f"{resource.address} attaches to one instance of {family}, the plan does not say which")
        return UnresolvedPolicy(resource.address, reason, self.anchor(resource))

    def _own_policies(self, role: _Resource) -> list[PolicyDocument | UnresolvedPolicy]:
        documents: list[PolicyDocument | UnresolvedPolicy] = []
        inline = role.values.get("inline_policy")
        for index, item in enumerate(inline if isinstance(inline, list) else []):
            if isinstance(item, dict) and item.get("policy"):
                label = f"inline policy {item.get('name') or index} of {role.address}"
                found = self.document(role, ("inline_policy", index, "policy"), "permissions", label)
                if found is not None:
                    documents.append(found)
        managed = role.values.get("managed_policy_arns")
        if isinstance(managed, list):
            for index, arn in enumerate(managed):
                documents.extend(
                    self.policies_for(role, "managed_policy_arns", "permissions", arn, ("managed_policy_arns", index))
                )
        boundary = role.values.get("permissions_boundary")
        if isinstance(boundary, str) and boundary:
            documents.extend(
                self.policies_for(role, "permissions_boundary", "boundary", boundary, ("permissions_boundary",))
            )
        return documents

    def _role(self, role: _Resource, documents: list[PolicyDocument | UnresolvedPolicy]) -> None:
        trust = self.document(role, ("assume_role_policy",), "trust", f"trust policy of {role.address}")
        if isinstance(trust, UnresolvedPolicy):  # the model decides what an unknown trust policy allows
            trust = PolicyDocument(trust.reason, "trust", trust.label, trust.anchor)
        policies: list[PolicyDocument] = []
        unresolved: list[UnresolvedPolicy] = []
        for document in documents:
            self.attached.add(id(document))
            if isinstance(document, PolicyDocument):
                if all(d is not document for d in policies):
                    policies.append(document)
            elif all(d is not document for d in unresolved):
                unresolved.append(document)
        self.inventory.roles.append(
            Role(
                role.address, self.anchor(role), trust, tuple(policies), tuple(unresolved), frozenset({self.file.path})
            )
        )


def _instance_key(address: str) -> str | None:
    """The resource's own ``count``/``for_each`` key as written (``["a"]``, ``[0]``), or ``None``."""
    rest = address[len(module_instance(address)) :]
    found = _INDEX.search(rest)
    return found.group(0) if found else None


def _target(reference: str, type_name: str) -> tuple[str, str | None] | None:
    """``aws_iam_role.r["k"].name`` → (``aws_iam_role.r``, ``["k"]``) when it names a ``type_name``."""
    found = re.match(
        rf"^{re.escape(type_name)}\.([A-Za-z0-9_-]+)(\[[^\]]*\])?", reference[len(module_instance(reference)) :]
    )
    if found is None:
        return None
    return f"{type_name}.{found.group(1)}", found.group(2)


def _caller_accounts(plan: dict[str, object]) -> frozenset[str] | None:
    """The accounts the ``data.aws_caller_identity`` sources of a plan (prior state) or state read."""
    found: set[str] = set()
    for container in (plan, plan.get("prior_state")):
        root = _get(_get(container, "values"), "root_module")
        for resource, _ in _modules(root, ()):
            account = _get(resource.get("values"), "account_id")
            if resource.get("mode") == "data" and resource.get("type") == "aws_caller_identity" and account:
                found.add(str(account))
    return frozenset(found) or None


def _get(value: object, step: str | int) -> object:
    if isinstance(value, dict) and isinstance(step, str):
        return value.get(step)
    if isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
        return value[step]
    return None


def read_plan(json_file: JsonFile) -> Inventory:
    return _PlanReader(json_file).read()
