"""Resolving references statically: variables (tfvars, then the default), locals, ``count`` and
``for_each`` instances, resources and data sources, and ``dynamic`` blocks.

What a reviewer can resolve by reading the module is resolved; everything else becomes ``Unknown``
with the reason, never a guess.
"""

from __future__ import annotations

import math
import os

from ...model.document import ValueOrigin
from ...model.values import OWN_ACCOUNT, JsonPath, Span, Unknown
from ...records import dataclass, replace
from .counts import expand
from .expressions import Expressions
from .functions import FileReader
from .hooks import ModuleContext
from .module import Declaration, Module
from .policy_document import render_policy_document
from .scope import Instance, Scope, iterate, sub_places
from .syntax import Block, Body, Name, Step, Traversal, dynamic_iterator
from .values import (
    Invalid,
    JsonText,
    Places,
    ResourceAttr,
    Result,
    as_text,
    format_key,
    sensitive,
)

#: Resources whose name, id and ARN identify them when linking the role graph.
IDENTITY_TYPES = {
    "aws_iam_role": "role",
    "aws_iam_policy": "policy",
    "aws_iam_user": "user",
    "aws_iam_group": "group",
}


class Evaluator(Expressions):
    def __init__(self, module: Module, read_file: FileReader, prefix: str = "") -> None:
        super().__init__(read_file)
        self.module = module
        self._instances: dict[int, list[Instance]] = {}
        #: The module instance read (``module.vendor["prod"].``; empty for the root) and what its
        #: call and the modules it calls say (``calls``); ``None`` reads the module on its own.
        self.prefix = prefix
        #: Where the variables its caller sets are read (``var.x`` → the caller's argument).
        #: A set kept in reading order: a reference read again (in a loop, by another role) is one entry.
        self.origins: dict[ValueOrigin, None] = {}
        self.context: ModuleContext | None = None
        self._own: dict[int, Declaration] = {}

    def own(self, declaration: Declaration) -> Declaration:
        """The declaration as this module instance's (its address carries the instance's path)."""
        if not self.prefix:
            return declaration
        found = self._own.get(id(declaration))
        if found is None:
            found = self._own[id(declaration)] = replace(declaration, module=self.prefix)
        return found

    # -- references ----------------------------------------------------------------------------

    def traversal(self, node: Traversal, scope: Scope) -> Result:
        steps, span = list(node.steps), node.span
        if isinstance(node.root, Name):
            return self._reference(node.root.name, steps, scope, span)
        value, places = self.expr(node.root, scope)
        return self.apply(value, places, steps, scope, span)

    def _reference(self, root: str, steps: list[Step], scope: Scope, span: Span) -> Result:
        if root in scope.names:
            return self.apply(scope.names[root], {(): span}, steps, scope, span)
        if scope.template:
            return Unknown(f"the template variable {root!r} is not given"), {(): span}
        first = steps[0][1] if steps and steps[0][0] == "attr" else None
        rest = steps[1:]
        if root == "var" and first is not None:
            value, _ = self.variable(first, scope.file, span)
            return self.apply(value, {(): span}, rest, scope, span)
        if root == "local" and first is not None:
            value, places = self.local(first, scope.file, span)
            return self.apply(value, places, rest, scope, span)
        if root in ("count", "each") and first is not None:
            return self.apply(self._iteration(root, first, scope), {(): span}, rest, scope, span)
        if root == "path" and first in ("module", "root", "cwd"):
            return self.apply(os.path.abspath(self.module.directory or "."), {(): span}, rest, scope, span)
        if root == "module" and first is not None and self.context is not None:
            return self.context.module_reference(first, rest, scope, span)
        if root == "data" and len(steps) >= 2 and steps[1][0] == "attr" and first is not None:
            return self._declared("data", first, steps[1][1], steps[2:], scope, span)
        if root in ("module", "terraform", "self", "provider") or first is None:
            what = f"{root}.{first}" if first else root
            return Unknown(f"{what} is not resolved by a static reader"), {(): span}
        return self._declared("resource", root, first, rest, scope, span)

    def _iteration(self, root: str, name: str, scope: Scope) -> object:
        instance = scope.instance
        if root == "count":
            if instance is None or instance.iteration != "count" or name != "index":
                return Unknown(f"count.{name} outside a counted resource")
            return instance.key
        if instance is None or instance.iteration != "for_each":
            return Unknown(f"each.{name} outside a for_each resource")
        if name == "key":
            return instance.key
        if name == "value":
            return instance.each_value
        return Unknown(f"each.{name} is not a value")

    def variable(self, name: str, file: str, span: Span) -> Result:
        block = self.module.variable(name, file)
        key = ("var", name, block.file if block else "")

        def compute() -> Result:
            if self.context is None:
                return assigned()
            return self.context.typed(name, block, assigned())

        def assigned() -> Result:
            called = self.context.given(name, block) if self.context is not None else None
            if called is not None:
                return called
            given = self.module.tfvars.get(name) if not self.prefix else None
            if given is not None:
                value, where, attribute = given
                self.touch(where)
                if attribute is None:
                    return value, {}
                return self.expr(attribute.expr, Scope(where))
            if block is None:
                return Invalid(f"var.{name} is not declared in the module"), {}
            self.touch(block.file, *block.also_files)
            default = block.body.attributes.get("default")
            if default is not None:
                return self.expr(default.expr, Scope(block.file))
            return Unknown(f"var.{name} has no default and no value in terraform.tfvars or *.auto.tfvars"), {}

        value, _ = self.cached(key, compute, f"var.{name}", span)
        written = self.context.written(name) if self.context is not None else None
        if written is not None:
            self.origins[ValueOrigin(replace(span, file=span.file or file), written)] = None
        if block is not None and self._sensitive(block):
            value = sensitive(value)  # evaluated like any value, never shown
        return value, {(): span}

    def _sensitive(self, block: Block) -> bool:
        node = block.body.attributes.get("sensitive")
        return node is not None and self.value(node.expr, Scope(block.file)) is True

    def local(self, name: str, file: str, span: Span) -> Result:
        found = self.module.local(name, file)
        if found is None:
            return Invalid(f"local.{name} is not declared in the module"), {(): span}
        node, where = found

        def compute() -> Result:
            self.touch(where)
            return self.expr(node.expr, Scope(where))

        return self.cached(("local", name, where), compute, f"local.{name}", span)

    def apply(self, value: object, places: Places, steps: list[Step], scope: Scope, span: Span) -> Result:
        for index, (kind, argument) in enumerate(steps):
            if kind == "splat":
                if isinstance(value, Unknown):
                    return value, {(): span}
                items = value if isinstance(value, list) else ([] if value is None else [value])
                results = [self.apply(item, {}, list(argument), scope, span)[0] for item in items]
                return self.apply(results, {(): span}, steps[index + 1 :], scope, span)
            key: object = argument
            if kind == "index":
                key = self.value(argument, scope)
            if isinstance(value, ResourceInstanceRef) and kind == "attr":
                value, places = self.resource_attribute(value.instance, str(key), span)
                continue
            value, path = _step(value, kind, key)
            places = sub_places(places, path) if path else {}
            if () not in places:
                places[()] = span
        return value, places

    # -- resources and data sources --------------------------------------------------------------

    def instances(self, declaration: Declaration) -> list[Instance]:
        found = self._instances.get(id(declaration))
        if found is None:
            found = self._expand(declaration)
            self._instances[id(declaration)] = found
        self.touch(declaration.file, *declaration.block.also_files)
        return found

    def _expand(self, declaration: Declaration) -> list[Instance]:
        found = expand(self, declaration)
        absent = self.context.may_be_absent() if self.context is not None else None
        if absent is None:
            return found
        # In a module instance that may not exist, nothing it declares is sure to exist either.
        return [instance if instance.maybe is not None else replace(instance, maybe=absent) for instance in found]

    def _declared(self, mode: str, type_name: str, name: str, steps: list[Step], scope: Scope, span: Span) -> Result:
        label = f"{self.prefix}{'data.' if mode == 'data' else ''}{type_name}.{name}"
        declaration = self.module.find(mode, type_name, name, scope.file)
        if declaration is not None:
            declaration = self.own(declaration)
        if declaration is None:
            if mode == "data" and steps and steps[0][0] == "attr":
                value = builtin_data(type_name, steps[0][1])
                if value is not None:
                    return self.apply(value, {(): span}, steps[1:], scope, span)
            if steps and steps[0][0] == "attr":
                return Invalid(f"{label}.{steps[0][1]}: {label} is not declared in this module"), {(): span}
            return Invalid(f"{label} is not declared in this module"), {(): span}
        instances = self.instances(declaration)
        chosen = instances
        if steps and steps[0][0] in ("index", "key"):
            key = self.value(steps[0][1], scope) if steps[0][0] == "index" else steps[0][1]
            steps = steps[1:]
            if not isinstance(key, Unknown):
                chosen = [i for i in instances if i.key == key or (isinstance(i.key, Unknown) and key is not None)]
                if not chosen:
                    return Invalid(f"{label}{format_key(key)} is not one of its instances"), {(): span}
        elif steps and steps[0][0] == "splat":
            splat = list(steps[0][1])
            values = [self.apply(ResourceInstanceRef(i), {}, splat, scope, span)[0] for i in instances]
            return self.apply(values, {(): span}, steps[1:], scope, span)
        if not steps:
            return self._whole(label, instances, chosen is not instances), {(): span}
        if steps[0][0] != "attr":
            return Unknown(f"{label} as a whole object is not evaluated"), {(): span}
        attribute, rest = steps[0][1], steps[1:]
        if len(chosen) == 1:
            value, places = self.resource_attribute(chosen[0], attribute, span)
            return self.apply(value, places, rest, scope, span)
        if mode == "resource" and type_name in IDENTITY_TYPES:
            found = ResourceAttr(label, label, type_name, attribute, all_instances=True, declared_in=declaration.file)
            return found, {(): span}
        return Unknown(f"{label}.{attribute} of one of several instances"), {(): span}

    @staticmethod
    def _whole(label: str, instances: list[Instance], indexed: bool) -> object:
        """A resource as a value (``for_each = aws_iam_role.vendor``): its instances by key, or the one."""
        if indexed and len(instances) == 1:
            return ResourceInstanceRef(instances[0])
        if any(instance.maybe is not None or isinstance(instance.key, Unknown) for instance in instances):
            return Unknown(f"the instances of {label} are not resolved")
        if instances and instances[0].iteration == "count":
            return [ResourceInstanceRef(instance) for instance in instances]
        if instances and instances[0].iteration == "for_each":
            return {str(instance.key): ResourceInstanceRef(instance) for instance in instances}
        return ResourceInstanceRef(instances[0]) if instances else Invalid(f"{label} has no instance")

    def resource_attribute(self, instance: Instance, attribute: str, span: Span) -> Result:
        declaration = instance.declaration
        self.touch(instance.file)
        if declaration.mode == "data":
            return self.data_attribute(instance, attribute, span)
        if declaration.type == "aws_iam_openid_connect_provider" and attribute == "arn":
            url = self.argument(instance, "url")  # IAM names the provider after its URL without the scheme
            if isinstance(url, str):
                return f"arn:aws:iam::{OWN_ACCOUNT}:oidc-provider/{url.split('://', 1)[-1]}", {(): span}
        kind = IDENTITY_TYPES.get(declaration.type)
        if kind is not None and attribute in ("name", "id", "arn", "unique_id"):
            name = self.argument(instance, "name")
            known: object = name if isinstance(name, str) else None
            if attribute == "unique_id" or (attribute == "id" and kind == "policy"):
                known = None
            if attribute == "arn":
                path = self.argument(instance, "path")
                prefix = path if isinstance(path, str) else "/"
                shown = name if isinstance(name, str) else f"({instance.address})"
                known = f"arn:aws:iam::{OWN_ACCOUNT}:{kind}{prefix}{shown}"
            found = ResourceAttr(
                instance.address, declaration.address, declaration.type, attribute, known, declared_in=declaration.file
            )
            return found, {(): span}
        if attribute in declaration.block.body.attributes:
            return self.argument_result(instance, attribute, span)
        return Unknown(f"{instance.address}.{attribute} is known only after apply"), {(): span}

    def argument(self, instance: Instance, name: str) -> object:
        node = instance.declaration.block.body.attributes.get(name)
        if node is None:
            return None
        return self.argument_result(instance, name, node.span)[0]

    def argument_result(self, instance: Instance, name: str, span: Span) -> Result:
        node = instance.declaration.block.body.attributes[name]
        return self.cached(
            ("argument", instance.address, name, instance.file),
            lambda: self.expr(node.expr, instance.scope()),
            f"{instance.address}.{name}",
            span,
        )

    def data_attribute(self, instance: Instance, attribute: str, span: Span) -> Result:
        declaration = instance.declaration
        if declaration.type == "aws_iam_policy_document" and attribute in ("json", "minified_json"):
            return self.cached(
                ("document", instance.address, instance.file),
                lambda: render_policy_document(self, instance),
                instance.address,
                span,
            )
        builtin = builtin_data(declaration.type, attribute)
        if builtin is not None:
            return builtin, {(): span}
        if attribute in declaration.block.body.attributes:
            return self.argument_result(instance, attribute, span)
        return Unknown(f"{instance.address}.{attribute} is read when Terraform plans"), {(): span}

    # -- nested and dynamic blocks --------------------------------------------------------------

    def nested(self, body: Body, kind: str, scope: Scope) -> list[tuple[Block, Body, Scope] | tuple[Block, Unknown]]:
        """The ``kind`` blocks of a body, with ``dynamic`` blocks expanded where their for_each resolves."""
        found: list[tuple[Block, Body, Scope] | tuple[Block, Unknown]] = []
        for block in body.blocks:
            if block.kind == kind:
                found.append((block, block.body, scope))
            elif block.kind == "dynamic" and block.labels == (kind,):
                found.extend(self._dynamic(block, kind, scope))
        return found

    def _dynamic(
        self, block: Block, kind: str, scope: Scope
    ) -> list[tuple[Block, Body, Scope] | tuple[Block, Unknown]]:
        contents = block.body.blocks_of("content")
        for_each = block.body.attributes.get("for_each")
        if not contents or for_each is None:
            return []
        iterator = dynamic_iterator(block, kind)
        collection = self.value(for_each.expr, scope)
        pairs = iterate(collection)
        if isinstance(pairs, Unknown):
            return [(block, Unknown(f'the dynamic "{kind}" block iterates over an unresolved value ({pairs})'))]
        return [
            (block, contents[0].body, scope.with_names(**{iterator: {"key": key, "value": value}}))
            for key, value in pairs
        ]


@dataclass(frozen=True)
class ResourceInstanceRef:
    """One instance in a splat over a resource (``aws_iam_role.x[*].arn``)."""

    instance: Instance


def builtin_data(type_name: str, attribute: str) -> object:
    if type_name == "aws_caller_identity":
        if attribute == "account_id":
            return OWN_ACCOUNT
        if attribute == "arn":  # whoever runs Terraform: a principal of the module's own account
            return f"arn:aws:iam::{OWN_ACCOUNT}:user/(terraform caller)"
        return Unknown(f"data.aws_caller_identity.{attribute} is read when Terraform plans")
    if type_name == "aws_partition":
        return {
            "partition": "aws",
            "id": "aws",
            "dns_suffix": "amazonaws.com",
            "reverse_dns_prefix": "com.amazonaws",
        }.get(attribute, Unknown(f"data.aws_partition.{attribute}"))
    return None


def _step(value: object, kind: str, key: object) -> tuple[object, JsonPath]:
    if isinstance(value, ResourceInstanceRef):
        return Unknown(f"{value.instance.address} in a splat expression"), ()
    if isinstance(value, Unknown):
        return value, ()
    if isinstance(key, Unknown):
        return Unknown(f"an index that is not resolved ({key})"), ()
    if isinstance(value, JsonText):
        value = value.data
    if isinstance(value, dict):
        name = as_text(key)
        if isinstance(name, str) and name in value:
            return value[name], (name,)
        return Invalid(f"the key {key!r} is not in the map"), ()
    if isinstance(value, list) and isinstance(key, (int, float)) and not isinstance(key, bool) and math.isfinite(key):
        index = int(key)
        if 0 <= index < len(value):
            return value[index], (index,)
        return Invalid(f"the index {index} is out of range"), ()
    if isinstance(value, list) and isinstance(key, str) and key.isascii() and key.isdecimal() and len(key) < 20:
        return _step(value, kind, int(key))
    return Invalid(f"cannot take {key!r} of a {type(value).__name__}"), ()
