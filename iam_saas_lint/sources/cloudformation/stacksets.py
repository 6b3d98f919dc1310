"""Templates inside StackSets (``TemplateBody``): parsed, located inside the outer file, and given
the StackSet's parameter values as their defaults."""

from __future__ import annotations

from collections.abc import Iterator

from ...model.values import JsonPath, Locator, Unknown
from ..text.embedded_json import EmbeddedLocator, text_in_file
from ..text.json_locations import JsonLocations
from ..text.jsonfile import MAX_FILE_NESTING, load_json
from ..text.yaml_positions import YamlError, load_yaml
from .documents import DocumentReader
from .intrinsic_values import NO_VALUE
from .intrinsics import Resolver
from .template import STACK_SET, Template, is_template

#: How deep StackSets may nest inside each other's ``TemplateBody``.
MAX_NESTING = 2


def stack_set_templates(template: Template, static: Resolver, documents: DocumentReader) -> Iterator[Template]:
    """The templates of the StackSets in ``template``; a body that cannot be read is a problem."""
    if template.depth >= MAX_NESTING:
        return
    for stack_id in template.of_type(STACK_SET):
        props = template.properties(stack_id)
        origin = template.resource_path(stack_id, "Properties", "TemplateBody")
        body = _body_text(static, props.get("TemplateBody"), origin)
        if body is None:
            continue
        if isinstance(body, Unknown):
            documents.problem(f"StackSet {stack_id}: TemplateBody cannot be read: {body}", origin)
            continue
        nested = _nested(template, documents, stack_id, body, origin, _written(props.get("TemplateBody")) or body)
        if nested is not None:
            _pass_parameters(static, nested, props.get("Parameters"))
            yield nested


def _body_text(static: Resolver, raw: object, origin: JsonPath) -> str | Unknown | None:
    """The template text of a ``TemplateBody``: a string, or one built with ``Fn::Sub``/``Fn::Join``."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("Fn::Sub", "Fn::Join"):
        text = static.value(raw, origin)
        return text if isinstance(text, (str, Unknown)) else Unknown("a TemplateBody that is not text")
    return None


def _written(raw: object) -> str | None:
    """The text of a ``!Sub`` body as written, where positions inside it are looked up (lines
    agree with the substituted text; columns only on lines without substitutions)."""
    if isinstance(raw, dict):
        sub = raw.get("Fn::Sub")
        if isinstance(sub, list) and sub:
            sub = sub[0]
        return sub if isinstance(sub, str) else None
    return None


def _nested(
    template: Template, documents: DocumentReader, stack_id: str, body: str, origin: JsonPath, written: str
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
    to_file = text_in_file(template.text, written, near.line if near else 1) if template.text else None
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
    """StackSet parameter values become the nested template's defaults when they are known;
    otherwise the nested parameter has no default. A value naming this account (``!GetAtt
    Role.Arn`` of the parent) names a principal of the customer's own: the account the StackSet is
    administered from, which the member accounts trust as one of their own."""
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
        if isinstance(value, Unknown):
            nested.parameters[str(key)] = {k: v for k, v in spec.items() if k != "Default"}
        else:
            nested.parameters[str(key)] = {**spec, "Default": value}
