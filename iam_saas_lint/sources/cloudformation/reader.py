"""One template read into an ``Inventory``: each ``AWS::IAM::Role`` (and each SAM function that
declares its own role's policies) as ``Role`` variants (``roles``), the policy resources attached to
no role (their grammar is still checked), IAM access keys, StackSet templates and ``Metadata``
suppressions.

What cannot be resolved never passes silently: a value the template cannot give is an ``Unknown``
(``intrinsics``), a policy named by an ARN the template does not define is an ``UnresolvedPolicy``,
and the model decides what they may do.
"""

from __future__ import annotations

from ...model.document import AccessKey, Inventory, PolicyDocument, Problem, Role
from ...model.values import Anchor, Span
from .documents import DocumentReader
from .intrinsics import Resolver
from .links import Links, every_branch_item
from .metadata import metadata_suppressions
from .nested_stacks import nested_templates
from .roles import ROLE_PROPERTIES, SAM_ROLE_PROPERTIES, RoleReader, display_name
from .stacksets import stack_set_templates
from .template import ACCESS_KEY, MANAGED_POLICY, POLICY, ROLE, SAM_FUNCTION, USER, Template


class TemplateReader:
    def __init__(self, template: Template) -> None:
        self.template = template
        self.inventory = Inventory()
        self.static = Resolver(template)
        self.links = Links(template, self.static)
        self.documents = DocumentReader(template, self.inventory.problems)
        self.role_reader = RoleReader(template, self.links, self.documents)

    def read(self) -> Inventory:
        for message, path in self.template.expansion_problems:
            self.documents.problem(message, path)
        used: set[str] = set()
        for role_id in self.template.of_type(ROLE):
            props = self.template.properties(role_id)
            if "AssumeRolePolicyDocument" not in props:
                path = self.template.resource_path(role_id)
                self.documents.problem(f"role {role_id} has no AssumeRolePolicyDocument", path)
            used.update(
                self._roles(role_id, display_name(self.template, self.static, role_id, "RoleName"), ROLE_PROPERTIES)
            )
            used.update(self.links.managed_ids([props.get("ManagedPolicyArns"), props.get("PermissionsBoundary")]))
        for function_id in self.template.of_type(SAM_FUNCTION):
            props = self.template.properties(function_id)
            if "Role" in props or not any(p in props for p in ROLE_PROPERTIES):
                continue
            display = f"{self.template.name_prefix}{function_id}Role"
            used.update(self._roles(function_id, display, SAM_ROLE_PROPERTIES))
            used.update(self.links.managed_ids([props.get("Policies"), props.get("PermissionsBoundary")]))
        self._standalone_policies(used)
        self._access_keys()
        for nested in stack_set_templates(self.template, self.static, self.documents):
            self.inventory.extend(TemplateReader(nested).read())
        unreadable: list[Role] = []
        for child in nested_templates(self.template, self.static, self.documents, unreadable, self.inventory):
            self.inventory.extend(TemplateReader(child).read())
        self.inventory.roles.extend(unreadable)
        self.inventory.suppressions.extend(metadata_suppressions(self.template))
        return self.inventory

    def _roles(self, role_id: str, display: str, properties: tuple[str, ...]) -> list[str]:
        roles, attached = self.role_reader.roles(role_id, display, properties)
        self.inventory.roles.extend(roles)
        return attached

    def _standalone_policies(self, attached: set[str]) -> None:
        """Policy resources attached to no role of the template still get their grammar checked."""
        for logical_id in self.template.of_type(POLICY, MANAGED_POLICY):
            if logical_id in attached:
                continue
            path = self.template.resource_path(logical_id, "Properties", "PolicyDocument")
            raw = self.template.properties(logical_id).get("PolicyDocument")
            what = "managed policy" if self.template.type_of(logical_id) == MANAGED_POLICY else "policy"
            found = self.documents.document(self.static, raw, path, "permissions", f"{what} {logical_id}")
            if isinstance(found, PolicyDocument):
                self.inventory.documents.append(found)

    def _access_keys(self) -> None:
        users = self.template.of_type(USER)
        user_names = {}
        for logical_id in users:
            name = self.static.value(self.template.properties(logical_id).get("UserName"), ())
            if isinstance(name, str):
                user_names[name] = logical_id
        for key_id in self.template.of_type(ACCESS_KEY):
            for item in every_branch_item(self.template.properties(key_id).get("UserName")):
                target = item.get("Ref") if isinstance(item, dict) else None
                if not (isinstance(target, str) and target in users):
                    value = self.static.value(item, ())
                    target = user_names.get(value) if isinstance(value, str) else None
                if target is not None:
                    shown = display_name(self.template, self.static, target, "UserName")
                    anchor = Anchor(self.template.file, self.template.resource_path(key_id), self.template.locator)
                    self.inventory.access_keys.append(AccessKey(shown, anchor))
                    break


#: Resources read in one template. CloudFormation deploys at most 500 per template; thousands of
#: roles with their Fn::If variants are minutes of evaluation, so such a file is one ISL000.
MAX_TEMPLATE_RESOURCES = 1000


def read_template(template: Template) -> Inventory:
    if len(template.resources) > MAX_TEMPLATE_RESOURCES:
        message = (
            f"{len(template.resources):,} resources, over the {MAX_TEMPLATE_RESOURCES:,} read in one template "
            "(CloudFormation deploys at most 500): not read"
        )
        start = Anchor(template.file, template.root + ("Resources",), template.locator).span()
        return Inventory(problems=[Problem(template.file, message, start)])
    try:
        return TemplateReader(template).read()
    except RecursionError:
        problem = Problem(template.file, "the template is nested too deeply to read", Span(1, 1, 1, 1))
        return Inventory(problems=[problem])
