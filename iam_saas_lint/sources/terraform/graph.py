"""The role graph of a module: each ``aws_iam_role`` instance with every policy attached to it.

Attachments are linked by reference (``aws_iam_role.x.name``, ``aws_iam_policy.p.arn``) or by the
literal role name and policy ARN. AWS-managed policies cannot hold the vendor's Deny and are left
out; any other policy that is not in the module is unresolved, so the verdict says it depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...model.document import (
    AccessKey,
    DetachedPolicy,
    DocumentKind,
    Inventory,
    PolicyDocument,
    Role,
    UnresolvedPolicy,
    is_aws_managed_policy,
)
from ...model.values import Anchor, Span, Unknown
from ...records import dataclass, field
from .arns import matches, parse_iam_arn
from .exclusive import Attached, Owner, policy_attachment_owners, settle
from .graph_documents import PlacesLocator, maybe_absent, own_accounts, policy_documents
from .hooks import Declarations, GraphEvaluator
from .scope import Instance
from .values import ResourceAttr, first_unknown


@dataclass
class _Role:
    instance: Instance
    name: object
    trust: PolicyDocument | None = None
    policies: list[PolicyDocument] = field(default_factory=list)
    unresolved: list[UnresolvedPolicy] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    #: Inline policies by name, and managed policies by ARN, with what attaches them.
    inline: list[Attached] = field(default_factory=list)
    managed: list[Attached] = field(default_factory=list)
    #: What owns them exclusively (``exclusive``), and what they remove.
    inline_owners: list[Owner] = field(default_factory=list)
    managed_owners: list[Owner] = field(default_factory=list)
    detached: list[DetachedPolicy] = field(default_factory=list)


class GraphBuilder:
    def __init__(self, module: Declarations, evaluator: GraphEvaluator) -> None:
        self.module = module
        self.ev = evaluator
        self.inventory = Inventory()
        self.roles: list[_Role] = []
        self._policies: dict[tuple[str, str, str], list[PolicyDocument | UnresolvedPolicy]] = {}
        self._policy_files: dict[tuple[str, str, str], frozenset[str]] = {}
        self._attached: set[int] = set()
        self._standalone: list[PolicyDocument | UnresolvedPolicy] = []
        #: aws_iam_policy_attachment resources: address, the policies attached, the roles named.
        self._exclusive_attachments: list[tuple[str, list[Attached], list[_Role], Unknown | None]] = []
        self.own_accounts = own_accounts(module, evaluator)

    # -- documents --------------------------------------------------------------------------------

    def documents(
        self, value: object, root: Span, kind: DocumentKind, label: str
    ) -> list[PolicyDocument | UnresolvedPolicy]:
        return policy_documents(value, root, kind, label, self.inventory.problems)

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
            arn = parse_iam_arn(value)
            if arn is None or arn.kind != "role":
                return [r for r in self.roles if r.name == value]
            return [
                r
                for r in self.roles
                if matches(arn, r.name, self.ev.argument(r.instance, "path"), self.own_accounts) is True
            ]
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

    def _policy_named(self, text: str) -> tuple[list[Instance], Unknown | None]:
        """The policies a literal ARN names (account, path and name), and why others may be it."""
        arn = parse_iam_arn(text)
        found: list[Instance] = []
        doubt: Unknown | None = None
        if arn is None or arn.kind != "policy":
            return found, doubt
        for declaration in self.module.by_type("resource", "aws_iam_policy"):
            for instance in self.ev.instances(declaration):
                name, path = self.ev.argument(instance, "name"), self.ev.argument(instance, "path")
                if name is None and "name_prefix" in instance.declaration.block.body.attributes:
                    name = Unknown(f"{instance.address} has a generated name (name_prefix)")
                elif name is None:
                    continue  # a generated name never equals a literal one
                verdict = matches(arn, name, path, self.own_accounts)
                if verdict is True:
                    found.append(instance)
                elif isinstance(verdict, Unknown) and doubt is None:
                    doubt = Unknown(f"{instance.address} may be the policy it names: {verdict}")
        return found, doubt

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
            named, doubt = self._policy_named(text)
            if named:
                return [doc for instance in named for doc in self.policy(instance, kind)]
            why = doubt or Unknown(f"{text} is not defined in this module")
            return [UnresolvedPolicy(f"{label} {text}", why, anchor)]
        reason = text if isinstance(text, Unknown) else first_unknown(text) or Unknown(f"{label} is not a policy ARN")
        return [UnresolvedPolicy(label, reason, anchor)]

    def _arn_list(
        self, instance: Instance, attribute: str, kind: DocumentKind, label: str, source: str = ""
    ) -> list[Attached]:
        """The policies an ARN attribute names, each attached by ``source`` (else the attribute of the instance)."""
        node = instance.declaration.block.body.attributes.get(attribute)
        if node is None:
            return []
        span = node.span
        value, places = self.ev.argument_result(instance, attribute, span)
        items = value if isinstance(value, list) else [value]
        result = []
        attached_by = source or f"{attribute} of {instance.address}"
        where_attached = Anchor(instance.file, (), PlacesLocator(instance.declaration.block.span, {}))
        for index, item in enumerate(items):
            where = places.get((index,), span) if isinstance(value, list) else span
            anchor = Anchor(instance.file, (), PlacesLocator(where, {}))
            for document in self.resolve_arn(item, kind, f"{label} of {instance.address}", anchor):
                result.append(Attached(item, document, attached_by, where_attached if source else anchor))
        return result

    # -- building ---------------------------------------------------------------------------------

    def build(self) -> Inventory:
        for declaration in self.module.by_type("resource", "aws_iam_role"):
            for instance in self.ev.instances(declaration):
                self.roles.append(self._role(instance))
        self._link_role_policies()
        self._link_attachments()
        self._apply_exclusive()
        for role in self.roles:
            self._settle(role)
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
            self._inline_blocks(role, instance)
            role.managed.extend(self._arn_list(instance, "managed_policy_arns", "permissions", "managed_policy_arns"))
            if "managed_policy_arns" in body.attributes:
                what = f"managed_policy_arns of {instance.address}"
                role.managed_owners.append(Owner(what, [a for a in role.managed if a.source == what], what))
            for boundary in self._arn_list(instance, "permissions_boundary", "boundary", "permissions_boundary"):
                self._attach(role, boundary.document)
        role.files.update(files)
        role.files.add(instance.file)
        return role

    def _inline_blocks(self, role: _Role, instance: Instance) -> None:
        """``inline_policy`` blocks: the role's inline policies, owned exclusively once there is one."""
        source = f"inline_policy of {instance.address}"
        names: list[object] = []
        unresolved: Unknown | None = None
        entries = self.ev.nested(instance.declaration.block.body, "inline_policy", instance.scope())
        for entry in entries:
            block = entry[0]
            anchor = Anchor(instance.file, (), PlacesLocator(block.span, {}))
            if len(entry) == 2:
                reason = entry[1]
                assert isinstance(reason, Unknown)
                unresolved = reason
                label = f"inline policies of {instance.address}"
                role.inline.append(Attached(reason, UnresolvedPolicy(label, reason, anchor), source, anchor))
                continue
            _, inner, scope = entry
            name = self.ev.value(inner.attributes["name"].expr, scope) if "name" in inner.attributes else None
            if name is not None:
                names.append(name)
            policy_node = inner.attributes.get("policy")
            if policy_node is None:
                continue
            value = self.ev.value(policy_node.expr, scope)
            label = (
                f"inline policy {name} of {instance.address}"
                if isinstance(name, str)
                else (f"an inline policy of {instance.address}")
            )
            for document in self.documents(value, policy_node.span, "permissions", label):
                role.inline.append(Attached(name, document, source, anchor))
        if entries:
            what = f"{instance.address} with inline_policy blocks"
            keeps: list[object] | Unknown = unresolved if unresolved is not None else names
            role.inline_owners.append(Owner(what, keeps, source, "an empty inline_policy {} removes them all"))

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
            anchor = Anchor(instance.file, (), PlacesLocator(instance.declaration.block.span, {}))
            for role in roles:
                role.inline.extend(Attached(name, document, instance.address, anchor) for document in documents)
                role.files.update(files | {instance.file})

    def _link_attachments(self) -> None:
        for type_name, role_attribute in (
            ("aws_iam_role_policy_attachment", "role"),
            ("aws_iam_policy_attachment", "roles"),
        ):
            for instance in self._instances(type_name):
                with self.ev.recording() as files:
                    named = self.ev.argument(instance, role_attribute)
                    roles = self._roles_for(named)
                    if not roles and type_name != "aws_iam_policy_attachment":
                        continue
                    attached = [
                        Attached(found.key, document, instance.address, found.anchor)
                        for found in self._arn_list(
                            instance, "policy_arn", "permissions", "policy_arn", instance.address
                        )
                        for document in maybe_absent(instance, [found.document])
                    ]
                if type_name == "aws_iam_policy_attachment":
                    unresolved = (
                        first_unknown(named)
                        if isinstance(named, list)
                        else (named if isinstance(named, Unknown) else None)
                    )
                    self._exclusive_attachments.append((instance.address, attached, roles, unresolved))
                for role in roles:
                    role.managed.extend(attached)
                    role.files.update(files | {instance.file})

    def _apply_exclusive(self) -> None:
        """``aws_iam_role_policies_exclusive`` and ``…_policy_attachments_exclusive`` own the role's policies."""
        for type_name, attribute, inline in (
            ("aws_iam_role_policies_exclusive", "policy_names", True),
            ("aws_iam_role_policy_attachments_exclusive", "policy_arns", False),
        ):
            for instance in self._instances(type_name):
                with self.ev.recording() as files:
                    roles = self._roles_for(self.ev.argument(instance, "role_name"))
                    listed = self.ev.argument(instance, attribute)
                    listed_arns = [] if inline else self._arn_list(instance, attribute, "permissions", attribute)
                anchor = Anchor(instance.file, (), PlacesLocator(instance.declaration.block.span, {}))
                unresolved = listed if isinstance(listed, Unknown) else None
                if not isinstance(listed, list) and unresolved is None:
                    unresolved = Unknown(f"{attribute} of {instance.address} is not a list")
                for role in roles:
                    role.files.update(files | {instance.file})
                    if not inline:
                        keeps: list[Attached] | Unknown = unresolved or listed_arns
                        role.managed_owners.append(Owner(instance.address, keeps, instance.address))
                        attached = {id(a.document) for a in role.managed}
                        role.managed.extend(a for a in listed_arns if id(a.document) not in attached)
                        continue
                    names = listed if isinstance(listed, list) else []
                    role.inline_owners.append(Owner(instance.address, unresolved or names, instance.address))
                    known = {a.key for a in role.inline if isinstance(a.key, str)}
                    for missing in (n for n in names if isinstance(n, str) and n not in known):
                        reason = Unknown(f"the inline policy {missing!r} is not defined in this module")
                        policy = UnresolvedPolicy(f"inline policy {missing}", reason, anchor)
                        role.inline.append(Attached(missing, policy, instance.address, anchor))

    def _settle(self, role: _Role) -> None:
        """What the role keeps once the exclusive owners have removed what they do not list."""
        address = role.instance.address
        inline = settle(address, role.inline, role.inline_owners, inline=True)
        exclusive = [
            (where, attached, any(r is role for r in roles) or (unresolved if unresolved is not None else False))
            for where, attached, roles, unresolved in self._exclusive_attachments
        ]
        owners = role.managed_owners + policy_attachment_owners(address, role.managed, exclusive)
        managed = settle(address, role.managed, owners, inline=False)
        role.inline, role.managed = inline.kept, managed.kept
        role.detached = inline.detached + managed.detached

    def _finish(self, role: _Role) -> None:
        for attached in role.inline + role.managed:
            document = attached.document
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
                detached=tuple(role.detached),
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


def _files_of(document: PolicyDocument) -> set[str]:
    locator = document.anchor.locator
    files = {document.anchor.file}
    if isinstance(locator, PlacesLocator):
        files.update(span.file for span in locator.places.values() if span.file)
    return files
