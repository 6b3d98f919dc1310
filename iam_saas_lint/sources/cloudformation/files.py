"""Template files: a JSON template, or a YAML file that holds a CloudFormation, SAM or Serverless
template (other YAML is skipped), or JSON under a YAML-family name (``.template``)."""

from __future__ import annotations

import re

from ...model.document import Inventory, Problem
from ...patterns import lazy_compile
from ..text.comments import comment_suppressions
from ..text.files import TextFile, looks_like_iam, read_text
from ..text.jsonfile import JsonFile, parse_json
from ..text.yaml_positions import YamlDocument, YamlError, load_yaml
from .expand import may_expand
from .reader import read_template
from .template import Template, is_serverless, is_template

_CFN_MARKERS = lazy_compile(r"^\s*(?:Resources|AWSTemplateFormatVersion|Transform)\s*:", re.MULTILINE)


def looks_like_template(text: str) -> bool:
    return looks_like_iam(text) or _CFN_MARKERS.search(text) is not None


def read_json_template(json_file: JsonFile) -> Inventory:
    assert isinstance(json_file.data, dict)
    locations = json_file.locations
    text = locations.text
    return read_template(
        Template(json_file.path, locations, json_file.data, text=text, may_expand=may_expand(text, "json"))
    )


def _template_of(path: str, document: YamlDocument, text: str) -> Template | None:
    data = document.data
    if is_template(data):
        assert isinstance(data, dict)
        return Template(path, document.locations, data, text=text, may_expand=may_expand(text, "yaml"))
    if is_serverless(data, path):
        assert isinstance(data, dict)
        resources = data["resources"]
        assert isinstance(resources, dict)
        expands = may_expand(text, "yaml")
        return Template(
            path, document.locations, resources, root=("resources",), service=data, text=text, may_expand=expands
        )
    return None


def read_yaml_file(path: str, max_bytes: int) -> Inventory | None:
    """A YAML file: a CloudFormation, SAM or Serverless template; ``None`` for other YAML (skipped)
    unless it holds suppression comments."""
    text = read_text(path, max_bytes)
    if text is None:
        return None
    if isinstance(text, Problem):
        return Inventory(problems=[text])
    if text.text.lstrip().startswith("{"):  # a JSON template with a YAML-family name (``.template``)
        parsed = parse_json(text)
        if isinstance(parsed, JsonFile) and is_template(parsed.data):
            inventory = read_json_template(parsed)
            inventory.problems[:0] = parsed.duplicate_problems() if parsed.has_duplicates else []
            return inventory  # JSON has no comments: no text in it suppresses
    found = _read_yaml_text(path, text)
    suppressions = comment_suppressions(path, text.text, "yaml")
    if found is None and not suppressions:
        return None
    inventory = found or Inventory()
    inventory.suppressions.extend(suppressions)
    return inventory


def _read_yaml_text(path: str, text: TextFile) -> Inventory | None:
    try:
        documents = load_yaml(text.text)
    except YamlError as error:
        if error.hostile or looks_like_template(text.text):
            return Inventory(problems=[Problem(path, error.message, error.span)])
        return None
    for document in documents:
        template = _template_of(path, document, text.text)
        if template is None:
            continue
        inventory = read_template(template)
        inventory.problems[:0] = [Problem(path, issue.message, issue.span) for issue in document.issues]
        return inventory
    return None
