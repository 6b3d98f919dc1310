"""Templates inside StackSets (``TemplateBody``): parsed, located inside the outer file, and given
the StackSet's parameter values as their defaults."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...model.values import OWN_ACCOUNT, JsonPath, Locator, Unknown
from ..text.embedded_json import EmbeddedLocator, text_in_file
from ..text.json_locations import JsonLocations
from ..text.jsonfile import MAX_FILE_NESTING, load_json
from ..text.yaml_positions import YamlError, load_yaml
from .documents import DocumentReader
from .intrinsics import NO_VALUE, Resolver
from .template import STACK_SET, Template, is_template

#: How deep StackSets may nest inside each other's ``TemplateBody``.
MAX_NESTING = 2


def stack_set_templates(template: Template, static: Resolver, documents: DocumentReader) -> Iterator[Template]:
    """The templates of the StackSets in ``template``; a body that cannot be read is a problem."""
    if template.depth >= MAX_NESTING:
        return
    for stack_id in template.of_type(STACK_SET):
        props = template.properties(stack_id)
        body = props.get("TemplateBody")
        if not isinstance(body, str):
            continue
        origin = template.resource_path(stack_id, "Properties", "TemplateBody")
        nested = _nested(template, documents, stack_id, body, origin)
        if nested is not None:
            _pass_parameters(static, nested, props.get("Parameters"))
            yield nested


def _nested(
    template: Template, documents: DocumentReader, stack_id: str, body: str, origin: JsonPath
) -> Template | None:
    inner: Locator
    try:
        if body.lstrip().startswith("{"):
            data = load_json(body, MAX_FILE_NESTING)
            inner = JsonLocations(body)
            issues = []
        else:
            parsed = load_yaml(body)
            data = parsed[0].data if parsed else None
            inner = parsed[0].locations if parsed else JsonLocations("")
            issues = parsed[0].issues if parsed else []
    except (ValueError, YamlError) as error:
        message = error.message if isinstance(error, YamlError) else str(error)
        documents.problem(f"StackSet {stack_id}: TemplateBody: {message}", origin)
        return None
    if not is_template(data):
        return None
    assert isinstance(data, dict)
    near = template.locator.locate(origin)
    to_file = text_in_file(template.text, body, near.line if near else 1) if template.text else None
    locator = EmbeddedLocator(template.locator, origin, inner, to_file)
    for issue in issues:
        documents.problem(f"StackSet {stack_id}: TemplateBody: {issue.message}", origin)
    return Template(
        template.file,
        locator,
        data,
        root=origin,
        text=template.text,
        name_prefix=f"{template.name_prefix}{stack_id}/",
        depth=template.depth + 1,
    )


def _pass_parameters(static: Resolver, nested: Template, parameters: object) -> None:
    """StackSet parameter values become the nested template's defaults when they are known and
    do not name this account (which is another account from where the StackSet deploys);
    otherwise the nested parameter has no default."""
    items = static.items(parameters, ())
    if isinstance(items, Unknown):
        return
    for item, _ in items:
        if not isinstance(item, dict):
            continue
        key, value = item.get("ParameterKey"), static.value(item.get("ParameterValue"), ())
        spec = nested.parameters.get(key) if isinstance(key, str) else None
        if spec is None or value is NO_VALUE:
            continue
        if isinstance(value, Unknown) or OWN_ACCOUNT in json.dumps(value, default=str):
            nested.parameters[str(key)] = {k: v for k, v in spec.items() if k != "Default"}
        else:
            nested.parameters[str(key)] = {**spec, "Default": value}
