"""The values an HCL expression evaluates to, beyond plain JSON-like data.

Evaluation yields dicts, lists, strings, numbers, booleans, ``None`` and ``Unknown``, plus:

- ``ResourceAttr``: an attribute of a resource declared in the module (``aws_iam_role.x.arn``).
  It keeps the resource's identity, so that attachments can be linked to roles even when the
  attribute's value is known only after apply.
- ``JsonText``: a JSON string whose content is known as data (``jsonencode``, a JSON heredoc,
  ``file()`` of a JSON file), together with where each part of it is written.

``Places`` map JSON paths inside a value to the text they came from (spans carry their file).
"""

from __future__ import annotations

import json

from ...model.document import Syntax
from ...model.values import JsonPath, SensitiveText, Span, Unknown
from ...records import dataclass, field

Places = dict[JsonPath, Span]
#: A value and where its parts are written.
Result = tuple[object, Places]


class Invalid(Unknown):
    """A value Terraform itself could not compute (a missing key, an undeclared name): ``try()`` skips it.

    Not decorated: a plain subclass keeps ``Unknown``'s field, equality and hash."""


@dataclass(frozen=True)
class ResourceAttr:
    address: str  # the instance, e.g. aws_iam_role.vendor["backup"], or the resource for all instances
    resource: str  # type.name
    type: str
    attribute: str
    known: object = None  # the value when the configuration states it, else None
    all_instances: bool = False
    #: The file of the declaration: which one, where a (broken) module declares the resource twice.
    declared_in: str = ""

    def text(self) -> str | Unknown:
        if isinstance(self.known, str):
            return self.known
        return Unknown(f"{self.address}.{self.attribute} is known only after apply")


@dataclass(frozen=True)
class JsonText:
    """A JSON document held as data; as a string it is the document's JSON text."""

    data: object
    places: Places = field(default_factory=dict, compare=False, hash=False)
    #: How the document is written, for fix suggestions in the same syntax.
    syntax: Syntax = field(default="json", compare=False, hash=False)
    #: The text itself where it is known (a rendered template): Terraform's string, byte for byte.
    written: str | None = field(default=None, compare=False, hash=False)

    def text(self) -> str | Unknown:
        unknown = first_unknown(self.data)
        if unknown is not None:
            return Unknown(f"the JSON text holds an unresolved value ({unknown})")
        if self.written is not None:
            return self.written
        return json.dumps(plain_data(self.data), separators=(",", ":"))


def first_unknown(value: object) -> Unknown | None:
    """The first ``Unknown`` inside a value, looking through containers."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        if isinstance(item, ResourceAttr):
            text = item.text()
            if isinstance(text, Unknown):
                return text
        elif isinstance(item, JsonText):
            stack.append(item.data)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return None


def plain_data(value: object) -> object:
    """The value as JSON-like data: resource attributes and JSON texts become strings (or unknowns)."""
    if isinstance(value, (ResourceAttr, JsonText)):
        return value.text()
    if isinstance(value, dict):
        return {key: plain_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_data(item) for item in value]
    return value


def as_text(value: object) -> str | Unknown:
    """The value in a string template: strings, numbers and booleans; anything else is unknown."""
    if isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, (ResourceAttr, JsonText)):
        return value.text()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if value is None:
        return Unknown("a null value in a string template")
    return Unknown(f"a {type(value).__name__} value in a string template")


def format_key(key: object) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    return "[" + json.dumps(str(key)) + "]"


def sensitive(value: object) -> object:
    """A value Terraform marks sensitive: its texts are used as usual and never printed."""
    if isinstance(value, str) and not isinstance(value, (SensitiveText, Unknown)):
        return SensitiveText(value)
    if isinstance(value, list):
        return [sensitive(item) for item in value]
    if isinstance(value, dict):
        return {key: sensitive(item) for key, item in value.items()}
    return value


def nonsensitive(value: object) -> object:
    if isinstance(value, SensitiveText):
        return str.__str__(value)
    if isinstance(value, list):
        return [nonsensitive(item) for item in value]
    if isinstance(value, dict):
        return {key: nonsensitive(item) for key, item in value.items()}
    return value
