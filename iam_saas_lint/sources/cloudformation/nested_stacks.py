"""Nested stacks read as the parent deploys them.

``AWS::CloudFormation::Stack`` (``TemplateURL``) and ``AWS::Serverless::Application`` (``Location``)
whose template is a local path — the form before ``aws cloudformation package``/``sam package`` —
and CDK nested stacks (``aws:asset:path`` metadata naming a ``*.nested.template.json`` beside the
parent) are read with the parent's ``Parameters`` as the child's defaults; the child's roles are
named ``Parent/Child``. Only files inside the parent's repository (or, outside one, the parent's
folder) are read, never through a link that leaves it.

A template the linter cannot read (an S3 URL, a missing file) is unknown: where the parent passes it
parameters that shape IAM (accounts, principals, ARNs, external ids) it stands as a role whose
trust and policies are unknown, reported as ISL009; otherwise it is left out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping

from ...model.document import Inventory, Role, unreadable_template_role
from ...model.values import Anchor, JsonPath, Locator, Unknown
from ...patterns import lazy_compile
from ...records import dataclass
from ..text.files import DEFAULT_MAX_BYTES, TextFile, read_text, repository_root
from ..text.jsonfile import JsonFile, parse_json
from ..text.yaml_positions import YamlError, load_yaml
from .documents import DocumentReader
from .intrinsic_values import NO_VALUE
from .intrinsics import Resolver
from .template import Template, is_template

STACK = "AWS::CloudFormation::Stack"
APPLICATION = "AWS::Serverless::Application"
#: How deep nested stacks may nest (CloudFormation itself allows more; real templates use two or three).
MAX_DEPTH = 5
_IAM_PARAMETER = lazy_compile(r"account|principal|role|arn|externalid|external_id|trust|vendor", re.IGNORECASE)
_IAM_VALUE = lazy_compile(r"^[0-9]{12}$|^arn:|:root$")


@dataclass(frozen=True)
class NestedStack:
    template: Template
    #: The parent's resource, where the child's problems are reported.
    origin: JsonPath


def nested_templates(
    template: Template, static: Resolver, documents: DocumentReader, unreadable: list[Role], found: Inventory
) -> Iterator[Template]:
    """The local templates of the parent's nested stacks (each recorded in ``found.included``);
    unreadable ones that the parent passes IAM-shaped parameters become unknown roles in
    ``unreadable``, the others a note in ``found.notes``."""
    if template.depth >= MAX_DEPTH:
        return
    for stack_id in template.of_type(STACK, APPLICATION):
        props = template.properties(stack_id)
        key = "TemplateURL" if template.type_of(stack_id) == STACK else "Location"
        origin = template.resource_path(stack_id, "Properties", key)
        parameters = _parameters(static, props.get("Parameters"))
        location = _local_location(template, stack_id, static.value(props.get(key), origin))
        where = Anchor(template.file, origin, template.locator)
        if isinstance(location, Unknown):
            if _shapes_iam(parameters):
                anchor = Anchor(template.file, template.resource_path(stack_id), template.locator)
                name, what = f"{template.name_prefix}{stack_id}", f"nested stack {stack_id}"
                unreadable.append(unreadable_template_role(name, what, anchor, where, location, template.files()))
            else:
                line = where.span().line
                found.notes.append(f"{template.file}:{line}: {location}; it is passed no IAM parameters, so not judged")
            continue
        child = _load(location, template, documents, stack_id, origin)
        if child is None:
            continue
        found.included.append(child.file)
        for name, value in parameters.items():
            spec = child.parameters.get(name)
            if spec is None or value is NO_VALUE:
                continue
            if isinstance(value, Unknown):
                child.parameters[name] = {k: v for k, v in spec.items() if k != "Default"}
            else:
                child.parameters[name] = {**spec, "Default": value}
        yield child


def _parameters(static: Resolver, raw: object) -> dict[str, object]:
    if not isinstance(raw, dict):
        return {}
    return {str(name): static.value(value, ()) for name, value in raw.items()}


def _shapes_iam(parameters: Mapping[str, object]) -> bool:
    return any(
        _IAM_PARAMETER.search(name) or (isinstance(value, str) and _IAM_VALUE.search(value))
        for name, value in parameters.items()
    )


def _local_location(template: Template, stack_id: str, url: object) -> str | Unknown:
    """The child template's path when it is a local file inside the parent's tree."""
    asset = _cdk_asset(template, stack_id)
    if asset is not None:
        url = asset
    if isinstance(url, Unknown):
        return url
    if not isinstance(url, str):
        return Unknown(f"nested stack {stack_id}: its template location is not text")
    if "://" in url or url.startswith(("s3:", "https:", "http:")):
        return Unknown(f"nested stack {stack_id}: its template is at {url}, which a file reader cannot see")
    base = os.path.dirname(template.file)
    path = os.path.normpath(os.path.join(base, url))
    top = os.path.realpath(repository_root(base) or base)
    real = os.path.realpath(path)
    if os.path.commonpath([real, top]) != top:
        return Unknown(f"nested stack {stack_id}: {url} is outside the repository, not read")
    return path


def _cdk_asset(template: Template, stack_id: str) -> str | None:
    metadata = template.resources.get(stack_id, {}).get("Metadata")
    asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
    return asset if isinstance(asset, str) and asset.endswith(".template.json") else None


def _load(path: str, parent: Template, documents: DocumentReader, stack_id: str, origin: JsonPath) -> Template | None:
    if _in_chain(parent, path):
        documents.problem(f"nested stack {stack_id}: {path} includes itself, not read again", origin)
        return None
    text = read_text(path, DEFAULT_MAX_BYTES)
    if not isinstance(text, TextFile):
        reason = text.message if text is not None else "it is not a regular file that can be read"
        documents.problem(f"nested stack {stack_id}: {path}: {reason}", origin)
        return None
    data, locator = _parse(text, documents, stack_id, origin)
    if data is None or locator is None:
        return None
    if not is_template(data):
        documents.problem(f"nested stack {stack_id}: {path} is not a CloudFormation template", origin)
        return None
    assert isinstance(data, dict)
    return Template(
        path,
        locator,
        data,
        text=text.text,
        name_prefix=f"{parent.name_prefix}{stack_id}/",
        depth=parent.depth + 1,
        parent=parent,
    )


def _parse(text: TextFile, documents: DocumentReader, stack_id: str, origin: JsonPath) -> tuple[object, Locator | None]:
    if text.text.lstrip().startswith("{"):
        parsed = parse_json(text)
        if isinstance(parsed, JsonFile):
            return parsed.data, parsed.locations
        message = parsed.message if parsed is not None else "not JSON"
        documents.problem(f"nested stack {stack_id}: {text.path}: {message}", origin)
        return None, None
    try:
        parsed_yaml = load_yaml(text.text)
    except YamlError as error:
        documents.problem(f"nested stack {stack_id}: {text.path}: {error.message}", origin)
        return None, None
    if not parsed_yaml:
        return None, None
    return parsed_yaml[0].data, parsed_yaml[0].locations


def _in_chain(template: Template | None, path: str) -> bool:
    real = os.path.realpath(path)
    while template is not None:
        if os.path.realpath(template.file) == real:
            return True
        template = template.parent
    return False
