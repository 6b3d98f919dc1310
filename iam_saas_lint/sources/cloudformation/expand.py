"""What CloudFormation does to a template before it is deployed, done before the template is read.

- ``AWS::LanguageExtensions``: every ``Fn::ForEach::Name`` loop (in ``Resources``, ``Conditions``,
  ``Outputs`` and inside resource properties) becomes the entries it makes, with ``${Id}``/``&{Id}``
  and ``Ref: Id`` replaced by each item of the collection; ``Fn::ToJsonString`` around a policy
  document is the document itself.
- SAM ``Globals.Function``: the role properties SAM lets a function inherit are merged into each
  ``AWS::Serverless::Function`` by SAM's rules (maps merged key by key with the function's value
  winning, lists appended after the global ones, anything else the function's value).

Entries that do not stand where the file wrote them are located through ``MovedLocator``: a finding
in an expanded role points into the loop's fragment, one in an inherited trust at ``Globals``. A
collection the template does not fix (a parameter without a default) still makes one entry, named
as written, whose loop values are unknown: its roles are judged, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...model.values import JsonPath, Locator, Span, Unknown
from ...records import dataclass, field

FOR_EACH = "Fn::ForEach::"
#: CloudFormation allows 500 resources in a template; a loop that makes more is not a real template.
MAX_EXPANDED = 2_000
#: The function properties SAM's ``Globals`` may set that shape the function's role.
SAM_GLOBAL_ROLE_PROPERTIES = ("AssumeRolePolicyDocument", "PermissionsBoundary", "RolePath")
SAM_FUNCTION = "AWS::Serverless::Function"
_DOCUMENT_KEYS = ("PolicyDocument", "AssumeRolePolicyDocument")
_LOOP_SECTIONS = ("Conditions", "Resources", "Outputs")


class MovedLocator:
    """Positions of expanded entries, looked up where each was written (the longest moved prefix wins)."""

    def __init__(self, base: Locator, moved: Mapping[JsonPath, JsonPath]) -> None:
        self.base = base
        self.moved = moved

    def source_path(self, path: JsonPath) -> JsonPath:
        return written_path(self.moved, path)

    def locate(self, path: JsonPath) -> Span | None:
        return self.base.locate(self.source_path(path))


def written_path(moved: Mapping[JsonPath, JsonPath], path: JsonPath) -> JsonPath:
    """Where an expanded path was written in the file."""
    for length in range(len(path), 0, -1):
        written = moved.get(path[:length])
        if written is not None:
            return written + path[length:]
    return path


@dataclass
class Expansion:
    data: dict[str, object]
    moved: dict[JsonPath, JsonPath] = field(default_factory=dict)
    #: (message, path as written) for what could not be expanded.
    problems: list[tuple[str, JsonPath]] = field(default_factory=list)


def may_expand(text: str, syntax: str) -> bool:
    """Whether data parsed from ``text`` (``"json"`` or ``"yaml"``) may hold a key that
    ``expand_template`` acts on (``Fn::ForEach::…``, ``Fn::ToJsonString``): the text names it, or an
    escape (JSON ``\\u``; YAML ``\\`` in double quotes, ``%`` in a tag) could spell it."""
    if "ForEach" in text or "ToJsonString" in text:
        return True
    return "\\u" in text if syntax == "json" else "\\" in text or "%" in text


def expand_template(data: dict[str, object], root: JsonPath, may_expand: bool = True) -> Expansion:
    """The template as CloudFormation deploys it (see the module docstring). ``may_expand``: False
    when the reader knows that no loop or ``Fn::ToJsonString`` is in it (see ``may_expand``)."""
    expansion = Expansion(dict(data))
    parameters = data.get("Parameters")
    loops = _Loops(expansion, parameters if isinstance(parameters, dict) else {})
    for section in _LOOP_SECTIONS if may_expand else ():
        body = data.get(section)
        if isinstance(body, dict) and _has_loops_or_documents(body):
            expansion.data[section] = loops.walk(body, root + (section,), root + (section,))
    if _transforms(data, "AWS::Serverless-2016-10-31"):
        _apply_sam_globals(expansion, root)
    return expansion


def _transforms(data: Mapping[str, object], name: str) -> bool:
    declared = data.get("Transform")
    names = declared if isinstance(declared, list) else [declared]
    return name in names


def _has_loops_or_documents(value: object) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if any(isinstance(k, str) and (k.startswith(FOR_EACH) or k == "Fn::ToJsonString") for k in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class _Loops:
    def __init__(self, expansion: Expansion, parameters: Mapping[str, object]) -> None:
        self.expansion = expansion
        self.parameters = parameters
        self.made = 0

    def walk(self, value: object, written: JsonPath, here: JsonPath) -> object:
        if isinstance(value, list):
            return [self.walk(item, written + (i,), here + (i,)) for i, item in enumerate(value)]
        if not isinstance(value, dict):
            return value
        result: dict[str, object] = {}
        for key, item in value.items():
            if isinstance(key, str) and key.startswith(FOR_EACH):
                self._loop(key, item, written + (key,), here, result)
            elif key in _DOCUMENT_KEYS and isinstance(item, dict) and set(item) == {"Fn::ToJsonString"}:
                self._moved(here + (key,), written + (key, "Fn::ToJsonString"))
                result[key] = self.walk(item["Fn::ToJsonString"], written + (key, "Fn::ToJsonString"), here + (key,))
            else:
                result[key] = self.walk(item, written + (key,), here + (key,))
        return result

    def _moved(self, here: JsonPath, written: JsonPath) -> None:
        if here != written:
            self.expansion.moved[here] = written

    def _loop(self, name: str, loop: object, written: JsonPath, here: JsonPath, into: dict[str, object]) -> None:
        if not (isinstance(loop, list) and len(loop) == 3 and isinstance(loop[0], str) and isinstance(loop[2], dict)):
            self.expansion.problems.append((f"{name} needs [identifier, collection, {{key: value}}]", written))
            return
        identifier, collection, fragment = loop[0], self._collection(loop[1]), loop[2]
        for item in collection:
            if self.made >= MAX_EXPANDED:
                message = f"{name}: loops make more than {MAX_EXPANDED:,} entries; the rest are not read"
                self.expansion.problems.append((message, written))
                return
            for key, value in fragment.items():
                key_written = written + (2, key)
                if key.startswith(FOR_EACH):
                    self._loop(key, _substitute(value, identifier, item), key_written, here, into)
                    continue
                made_key = _substitute_key(key, identifier, item)
                self.made += 1
                self._moved(here + (made_key,), key_written)
                into[made_key] = self.walk(_substitute(value, identifier, item), key_written, here + (made_key,))

    def _collection(self, raw: object) -> list[str | Unknown]:
        if isinstance(raw, list) and all(isinstance(item, (str, int, float)) for item in raw):
            return [str(item) for item in raw]
        if isinstance(raw, dict) and set(raw) == {"Ref"} and isinstance(raw["Ref"], str):
            spec = self.parameters.get(raw["Ref"])
            default = spec.get("Default") if isinstance(spec, dict) else None
            if isinstance(default, list):
                return [str(item) for item in default]
            if isinstance(default, str):
                return [item.strip() for item in default.split(",")]
            return [Unknown(f"an item of parameter {raw['Ref']}, which has no default")]
        return [Unknown("an item of a Fn::ForEach collection that a static reader does not evaluate")]


def _substitute_key(key: str, identifier: str, item: str | Unknown) -> str:
    if isinstance(item, Unknown):
        return key
    return key.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", _alphanumeric(item))


def _alphanumeric(text: str) -> str:
    return "".join(char for char in text if char.isalnum())


def _substitute(value: object, identifier: str, item: str | Unknown) -> object:
    """The loop's fragment for one item: ``${Id}``, ``&{Id}`` and ``Ref: Id`` replaced."""
    if isinstance(value, str):
        if "{" + identifier + "}" not in value:
            return value
        if isinstance(item, Unknown):
            return item
        return value.replace("${" + identifier + "}", item).replace("&{" + identifier + "}", _alphanumeric(item))
    if isinstance(value, list):
        return [_substitute(element, identifier, item) for element in value]
    if isinstance(value, dict):
        if value == {"Ref": identifier}:
            return item
        return {_substitute_key(k, identifier, item): _substitute(v, identifier, item) for k, v in value.items()}
    return value


def _apply_sam_globals(expansion: Expansion, root: JsonPath) -> None:
    data = expansion.data
    globals_section = data.get("Globals")
    function_globals = globals_section.get("Function") if isinstance(globals_section, dict) else None
    resources = data.get("Resources")
    if not isinstance(function_globals, dict) or not isinstance(resources, dict):
        return
    inherited = {k: v for k, v in function_globals.items() if k in SAM_GLOBAL_ROLE_PROPERTIES}
    if not inherited:
        return
    merged_resources = dict(resources)
    for logical_id, resource in resources.items():
        if not (isinstance(resource, dict) and resource.get("Type") == SAM_FUNCTION):
            continue
        properties = resource.get("Properties")
        own = properties if isinstance(properties, dict) else {}
        here = root + ("Resources", logical_id, "Properties")
        merged = dict(own)
        for key, global_value in inherited.items():
            global_path = root + ("Globals", "Function", key)
            if key in own:
                merged[key] = _merge(global_value, own[key], global_path, here + (key,), expansion)
            else:
                merged[key] = global_value
                expansion.moved[here + (key,)] = global_path
        if not isinstance(properties, dict):
            expansion.moved[here] = root + ("Globals", "Function")
        merged_resources[logical_id] = {**resource, "Properties": merged}
    data["Resources"] = merged_resources


def _is_intrinsic(value: object) -> bool:
    return isinstance(value, dict) and len(value) == 1 and any(k == "Ref" or k.startswith("Fn::") for k in value)


def _merge(global_value: object, own: object, global_path: JsonPath, here: JsonPath, expansion: Expansion) -> object:
    """SAM's merge: maps key by key (the function wins), lists appended after the global items."""
    if isinstance(global_value, dict) and isinstance(own, dict) and not _is_intrinsic(own):
        if _is_intrinsic(global_value):
            return own
        merged = dict(own)
        for key, value in global_value.items():
            if key in own:
                merged[key] = _merge(value, own[key], global_path + (key,), here + (key,), expansion)
            else:
                merged[key] = value
                expansion.moved[here + (key,)] = global_path + (key,)
        return merged
    if isinstance(global_value, list) and isinstance(own, list):
        for index in range(len(global_value)):
            expansion.moved[here + (index,)] = global_path + (index,)
        for index in range(len(own)):
            expansion.moved[here + (len(global_value) + index,)] = written_path(expansion.moved, here + (index,))
        return [*global_value, *own]
    return own
