"""CloudFormation deployed by Terraform: ``aws_cloudformation_stack`` and ``aws_cloudformation_stack_set``
in a plan or state, whose ``template_body`` is read as a template with the resource's ``parameters`` as
its parameters' defaults. Its roles are named ``<address>/<logical id>`` and located inside the
(escaped) template text in the plan file.

A ``template_body`` known only after apply, or a ``template_url``, is unknown: where the resource
passes parameters it stands as a role of unknown trust (ISL009), as an unreadable nested stack does.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...model.document import Inventory, Problem, unreadable_template_role
from ...model.values import JsonPath, Locator, Unknown
from ..text.embedded_json import EmbeddedLocator, text_in_file
from ..text.json_locations import JsonLocations
from ..text.jsonfile import MAX_FILE_NESTING, JsonFile, load_json
from ..text.yaml_positions import YamlError, load_yaml

STACK_TYPES = ("aws_cloudformation_stack", "aws_cloudformation_stack_set")


class EmbeddedStack:
    """One ``template_body``: where it is in the plan file, and the values Terraform passes it."""

    def __init__(self, address: str, values: Mapping[str, object], marks: Mapping[str, object], path: JsonPath) -> None:
        self.address = address
        self.body = values.get("template_body")
        self.unknown = marks.get("unknown") is True
        parameters = values.get("parameters")
        hidden = marks.get("sensitive")
        #: Sensitive parameter values are never passed on, so no message can print them.
        self.parameters = {
            name: value
            for name, value in (parameters.items() if isinstance(parameters, dict) else [])
            if hidden is not True and not (isinstance(hidden, dict) and hidden.get(name) is True)
        }
        self.path = path


def read_stacks(plan: JsonFile, stacks: list[EmbeddedStack]) -> Inventory:
    """The roles of every CloudFormation template the plan deploys."""
    from ..cloudformation.reader import read_template
    from ..cloudformation.template import Template, is_template

    inventory = Inventory()
    for stack in stacks:
        origin = stack.path + ("template_body",)
        anchor = plan.anchor(*origin)
        if stack.unknown or not isinstance(stack.body, str):
            if stack.parameters or stack.unknown:
                reason = Unknown(f"{stack.address}.template_body is known only after apply, or is a template_url")
                inventory.roles.append(
                    unreadable_template_role(
                        stack.address, stack.address, plan.anchor(*stack.path), anchor, reason, frozenset({plan.path})
                    )
                )
            continue
        parsed = parse_template_body(stack.body)
        if isinstance(parsed, str):
            inventory.problems.append(Problem(plan.path, f"{stack.address}.template_body: {parsed}", anchor.span()))
            continue
        data, inner = parsed
        if not is_template(data):
            continue
        assert isinstance(data, dict)
        near = plan.locations.locate(origin)
        to_file = text_in_file(plan.locations.text, stack.body, near.line if near else 1)
        locator = EmbeddedLocator(plan.locations, origin, inner, to_file)
        template = Template(
            plan.path, locator, data, root=origin, text=plan.locations.text, name_prefix=f"{stack.address}/"
        )
        pass_parameters(template.parameters, stack.parameters)
        inventory.extend(read_template(template))
    return inventory


def parse_template_body(body: str) -> tuple[object, Locator] | str:
    """A ``template_body`` (JSON or YAML) with a locator into its text, or why it cannot be read."""
    try:
        if body.lstrip().startswith("{"):
            return load_json(body, MAX_FILE_NESTING), JsonLocations(body)
        documents = load_yaml(body)
    except YamlError as error:
        return error.message
    except ValueError as error:
        return str(error)
    if not documents:
        return "an empty template"
    return documents[0].data, documents[0].locations


def pass_parameters(specs: dict[str, dict[str, object]], values: Mapping[str, object]) -> None:
    """The values Terraform passes become the parameters' defaults; one it cannot tell leaves its
    parameter without a default (supplied at deploy time), never with the template's own."""
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, (str, int, float)):
            specs[name] = {**spec, "Default": str(value)}
        else:
            specs[name] = {key: item for key, item in spec.items() if key != "Default"}
