"""Recognising CloudFormation-shaped data and naming its sections."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ...model.values import JsonPath, Locator
from ...records import dataclass, field
from .expand import MovedLocator, expand_template

SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
ROLE = "AWS::IAM::Role"
USER = "AWS::IAM::User"
ACCESS_KEY = "AWS::IAM::AccessKey"
POLICY = "AWS::IAM::Policy"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
ROLE_POLICY = "AWS::IAM::RolePolicy"
SAM_FUNCTION = "AWS::Serverless::Function"
STACK_SET = "AWS::CloudFormation::StackSet"
_RESOURCE_PREFIXES = ("AWS::", "Custom::", "Alexa::")


def _has_cfn_resources(resources: object) -> bool:
    if not isinstance(resources, dict) or not resources:
        return False
    return any(
        isinstance(body, dict) and isinstance(body.get("Type"), str) and body["Type"].startswith(_RESOURCE_PREFIXES)
        for body in resources.values()
    )


def is_template(data: object) -> bool:
    """A CloudFormation (or SAM, or CDK-synthesised) template."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data and isinstance(data.get("Resources", {}), dict):
        return True
    return _has_cfn_resources(data.get("Resources"))


def is_serverless(data: object, path: str) -> bool:
    """A Serverless Framework service (``serverless.yml``, or ``service`` with a ``provider``) whose
    ``resources.Resources`` holds CloudFormation."""
    if not isinstance(data, dict):
        return False
    named = os.path.basename(path).lower() in SERVERLESS_NAMES
    if not named and not ("service" in data and isinstance(data.get("provider"), dict)):
        return False
    resources = data.get("resources")
    return isinstance(resources, dict) and _has_cfn_resources(resources.get("Resources"))


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


@dataclass
class Template:
    """One template's sections; ``root`` is where the template sits in the file's structure."""

    file: str
    locator: Locator
    data: dict[str, object]
    root: JsonPath = ()
    #: For Serverless files: the whole service, which ``${self:…}`` variables refer to.
    service: Mapping[str, object] | None = None
    #: The file's text, to find policies written as JSON text inside it.
    text: str | None = None
    #: For a template inside another (a StackSet's ``TemplateBody``): how its names are prefixed.
    name_prefix: str = ""
    depth: int = 0
    #: For a nested stack's template: the template that deploys it.
    parent: Template | None = None
    #: False when the reader saw in the text that no key ``expand_template`` acts on can be in it.
    may_expand: bool = field(default=True, repr=False, compare=False)
    parameters: dict[str, dict[str, object]] = field(init=False)
    mappings: dict[str, object] = field(init=False)
    conditions: dict[str, object] = field(init=False)
    resources: dict[str, dict[str, object]] = field(init=False)
    #: What the language extensions or SAM's globals could not expand: (message, path as written).
    expansion_problems: list[tuple[str, JsonPath]] = field(init=False)
    #: Each resource's ``Type`` when it is a string (asked for thousands of times per template).
    _types: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        expansion = expand_template(self.data, self.root, self.may_expand)
        if expansion.moved:
            self.locator = MovedLocator(self.locator, expansion.moved)
        self.data = expansion.data
        self.expansion_problems = expansion.problems
        self.parameters = {k: v for k, v in _mapping(self.data.get("Parameters")).items() if isinstance(v, dict)}
        self.mappings = _mapping(self.data.get("Mappings"))
        self.conditions = _mapping(self.data.get("Conditions"))
        self.resources = {k: v for k, v in _mapping(self.data.get("Resources")).items() if isinstance(v, dict)}
        self._types = {}
        for logical_id, resource in self.resources.items():
            kind = resource.get("Type")
            self._types[logical_id] = kind if isinstance(kind, str) else None

    def files(self) -> frozenset[str]:
        """This template's file and those of the stacks that deploy it (a role takes part in each)."""
        found: set[str] = set()
        template: Template | None = self
        while template is not None:
            found.add(template.file)
            template = template.parent
        return frozenset(found)

    def path(self, *keys: str | int) -> JsonPath:
        return self.root + tuple(keys)

    def resource_path(self, logical_id: str, *keys: str | int) -> JsonPath:
        return self.root + ("Resources", logical_id) + tuple(keys)

    def type_of(self, logical_id: str) -> str | None:
        return self._types.get(logical_id)

    def properties(self, logical_id: str) -> dict[str, object]:
        return _mapping(self.resources.get(logical_id, {}).get("Properties"))

    def of_type(self, *types: str) -> list[str]:
        return [logical_id for logical_id, kind in self._types.items() if kind in types]
