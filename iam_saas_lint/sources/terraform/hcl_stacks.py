"""CloudFormation deployed by a Terraform module: ``aws_cloudformation_stack`` and
``aws_cloudformation_stack_set`` whose ``template_body`` the module states (a heredoc, ``file()``,
``templatefile()``, ``jsonencode(...)``) are read as templates, with the resource's ``parameters`` as
their parameters' defaults, as the plan reader does (``plan_stacks``). Roles are named
``<address>/<logical id>`` and located where the template is written: inside the heredoc, in the
file ``file()`` reads (which is then not also judged on its own, with unknown parameters), or at
the HCL of ``jsonencode``.
"""

from __future__ import annotations

from ...model.document import Inventory, Problem, unreadable_template_role
from ...model.values import Anchor, JsonPath, Locator, Span, Unknown
from ..text.embedded_json import EmbeddedLocator, text_in_file
from ..text.files import DEFAULT_MAX_BYTES, TextFile, read_text
from .evaluate import Evaluator
from .graph_documents import PlacesLocator
from .hcl_stack_holes import fill_holes, heredoc_with_holes
from .hooks import Declarations
from .plan_stacks import STACK_TYPES, parse_template_body, pass_parameters
from .scope import Instance
from .values import JsonText, plain_data


def read_hcl_stacks(module: Declarations, evaluator: Evaluator) -> Inventory:
    """The roles of every CloudFormation template the module deploys."""
    inventory = Inventory()
    already = len(evaluator.problems)
    for type_name in STACK_TYPES:
        for declaration in module.by_type("resource", type_name):
            for instance in evaluator.instances(declaration):
                if (
                    "template_body" in declaration.block.body.attributes
                    or "parameters" in declaration.block.body.attributes
                ):
                    _read_stack(instance, evaluator, inventory)
    inventory.problems.extend(evaluator.problems[already:])
    return inventory


def _read_stack(instance: Instance, evaluator: Evaluator, inventory: Inventory) -> None:
    from ..cloudformation.reader import read_template
    from ..cloudformation.template import Template, is_template

    attributes = instance.declaration.block.body.attributes
    node = attributes.get("template_body") or attributes.get("template_url") or attributes["parameters"]
    span = node.span
    with evaluator.recording() as files:
        body = evaluator.argument_result(instance, "template_body", span)[0] if "template_body" in attributes else None
        parameters = evaluator.argument(instance, "parameters")
    given = {str(k): v for k, v in parameters.items()} if isinstance(parameters, dict) else {}
    where = Anchor(instance.file, (), PlacesLocator(span, {}))
    holes: dict[str, Unknown] = {}
    if isinstance(body, Unknown) and "template_body" in attributes:
        with_holes = heredoc_with_holes(attributes["template_body"].expr, instance, evaluator)
        if with_holes is not None:
            body, holes = with_holes
    locator: Locator
    if isinstance(body, JsonText):
        data: object = plain_data(body.data)
        file, locator, text = instance.file, PlacesLocator(span, body.places), _text_of(instance.file)
        # a JSON template that file() read: its parts are placed in that file
        inventory.included.extend({at.file for at in body.places.values() if at.file and at.file != instance.file})
    elif isinstance(body, str):
        parsed = parse_template_body(body)
        if isinstance(parsed, str) and holes:
            with_words = heredoc_with_holes(attributes["template_body"].expr, instance, evaluator, as_written=False)
            if with_words is not None:
                body, holes = with_words
                parsed = parse_template_body(body)
        if isinstance(parsed, str):
            inventory.problems.append(Problem(instance.file, f"{instance.address}.template_body: {parsed}", span))
            return
        data, inner = parsed
        data = fill_holes(data, holes)
        file, locator, text = _written_at(body, inner, span, [instance.file, *sorted(files - {instance.file})])
        if file != instance.file:
            inventory.included.append(file)
    else:
        if given or isinstance(body, Unknown):
            reason = body if isinstance(body, Unknown) else _elsewhere(instance, evaluator)
            anchor = Anchor(instance.file, (), PlacesLocator(instance.declaration.block.span, {}))
            role = unreadable_template_role(
                instance.address, instance.address, anchor, where, reason, frozenset({instance.file, *files})
            )
            inventory.roles.append(role)
        return
    if not is_template(data):
        return
    assert isinstance(data, dict)
    template = Template(file, locator, data, text=text, name_prefix=f"{instance.address}/")
    pass_parameters(template.parameters, given)
    inventory.extend(read_template(template))


def _elsewhere(instance: Instance, evaluator: Evaluator) -> Unknown:
    url = evaluator.argument(instance, "template_url")
    where = f"at {url}" if isinstance(url, str) else "given by template_url"
    return Unknown(f"the template of {instance.address} is {where}, which a file reader cannot see")


def _text_of(path: str) -> str | None:
    text = read_text(path, DEFAULT_MAX_BYTES)
    return text.text if isinstance(text, TextFile) else None


def _written_at(body: str, inner: Locator, span: Span, candidates: list[str]) -> tuple[str, Locator, str | None]:
    """The file the template's text is written in (the heredoc's, or the one ``file()`` read) and a
    locator into it; positions fall back to the attribute when the text is not found as written
    (``templatefile()`` substitutions)."""
    origin: JsonPath = ()
    base = PlacesLocator(Span(span.line, span.column, span.end_line, span.end_column, span.file or candidates[0]), {})
    for candidate in candidates:
        text = _text_of(candidate)
        if text is None:
            continue
        to_file = text_in_file(text, body, span.line if candidate == candidates[0] else 1)
        if to_file is not None:
            return candidate, EmbeddedLocator(base, origin, inner, to_file), text
    return candidates[0], EmbeddedLocator(base, origin, inner, None), None
