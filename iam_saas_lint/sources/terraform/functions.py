"""Terraform's built-in functions, as far as a static reader needs them.

A function whose arguments are not resolved returns ``Unknown``; so does any function not listed.
``file()`` and ``templatefile()`` read only inside the scanned tree (see ``ModuleFiles``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Protocol

from ...model.values import Span, Unknown
from ..text.json_locations import JsonLocations
from ..text.jsonfile import load_json
from .scope import Scope
from .syntax import Placer
from .template_eval import file_placer
from .values import Invalid, JsonText, Places, Result, as_text, first_unknown, nonsensitive, plain_data, sensitive

Args = list[tuple[object, Places]]
#: Reads a file named by file() or templatefile(): (path shown in findings, text), or why not.
FileReader = Callable[[str], "tuple[str, str] | Unknown"]


class Context(Protocol):
    """What the functions need of the evaluator: reading files and evaluating templates."""

    read_file: FileReader
    #: file() values by file and text, so that a file read in a loop is parsed once.
    file_values: dict[tuple[str, str], object]

    def touch(self, *files: str) -> None: ...

    def template(
        self, text: str, scope: Scope, placer: Placer, dedent: bool = False, quoted: bool = False
    ) -> object: ...


def _unknown_in(name: str, values: list[object]) -> Unknown | None:
    for value in values:
        unknown = first_unknown(value)
        if unknown is not None:
            return Unknown(f"{name}() of an unresolved value ({unknown})")
    return None


def _strings(values: object) -> list[str] | None:
    if not isinstance(values, list):
        return None
    result = []
    for value in values:
        text = as_text(value)
        if not isinstance(text, str):
            return None
        result.append(text)
    return result


def _known(value: object) -> object:
    """A value without resource attributes or JSON texts (their text instead)."""
    return plain_data(value)


def _format(spec: object, *args: object) -> object:
    if not isinstance(spec, str):
        return Unknown("format() with a format that is not a string")
    out: list[str] = []
    remaining = list(args)
    for match in re.finditer(r"%%|%[-+# 0]*\d*(?:\.\d+)?([a-zA-Z])|[^%]+|%", spec):
        token = match.group(0)
        if token == "%%":
            out.append("%")
        elif match.group(1) is not None:
            if not remaining:
                return Unknown("format() with too few arguments")
            text = as_text(remaining.pop(0))
            if isinstance(text, Unknown):
                return text
            if match.group(1) not in "sdvq":
                return Unknown(f"format() verb %{match.group(1)} is not evaluated")
            out.append(json.dumps(text) if match.group(1) == "q" else text)
        else:
            out.append(token)
    return "".join(out)


def _formatlist(spec: object, args: list[object]) -> object:
    """``format`` once per element of the list arguments (all as long); other arguments repeat."""
    lengths = {len(arg) for arg in args if isinstance(arg, list)}
    unknown = _unknown_in("formatlist", [spec, *args])
    if unknown is not None:
        return unknown
    if len(lengths) > 1:
        return Invalid("formatlist() of lists of different lengths")
    count = lengths.pop() if lengths else 1
    made = [_format(spec, *(arg[index] if isinstance(arg, list) else arg for arg in args)) for index in range(count)]
    return next((item for item in made if isinstance(item, Unknown)), made)


def _identity(value: object) -> object:
    """A hashable stand-in for a value, equal for equal values (maps and lists compared by content)."""
    if isinstance(value, dict):
        return ("map", tuple(sorted(((str(k), _identity(v)) for k, v in value.items()), key=lambda kv: kv[0])))
    if isinstance(value, list):
        return ("list", tuple(_identity(item) for item in value))
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))  # kept apart: at worst a duplicate stays
    return (type(value).__name__, value)


def _toset(value: object) -> object:
    """Distinct elements in one pass (30,000 maps took 50 s when each was compared with every other)."""
    if not isinstance(value, list):
        return Unknown("toset() of a value that is not a list")
    seen: list[object] = []
    identities: set[object] = set()
    for item in value:
        identity = _identity(item)
        if identity not in identities:
            identities.add(identity)
            seen.append(item)
    if all(isinstance(item, str) for item in seen):
        return sorted(seen, key=str)
    return seen


def _flatten(value: object) -> object:
    if not isinstance(value, list):
        return value
    result: list[object] = []
    for item in value:
        flat = _flatten(item)
        result.extend(flat if isinstance(flat, list) else [flat])
    return result


#: Terraform refuses a range() of more elements.
MAX_RANGE = 1024


def _range(bounds: list[int]) -> object:
    if len(bounds) == 3 and bounds[2] == 0:
        return Unknown("range() with a step of 0")
    numbers = range(*bounds)
    if len(numbers) > MAX_RANGE:
        return Unknown(f"range() of {len(numbers):,} elements: Terraform allows at most {MAX_RANGE:,}")
    return list(numbers)


def _lookup(values: list[object]) -> object:
    mapping, key = values[0], as_text(values[1])
    if isinstance(key, Unknown):
        return key
    if isinstance(mapping, dict) and key in mapping:
        return mapping[key]
    if len(values) > 2:
        return values[2]
    return Unknown(f"lookup() of a missing key {key!r}")


def _element(values: list[object]) -> object:
    items, index = values[0], values[1]
    if isinstance(items, list) and items and isinstance(index, int) and not isinstance(index, bool):
        return items[index % len(items)]
    return Unknown("element() out of range")


def _coalesce(values: list[object]) -> object:
    for value in values:
        if isinstance(value, Unknown):
            return value
        if value is not None and value != "":
            return value
    return Unknown("coalesce() of no value")


def _replace(values: list[object]) -> object:
    text, old, new = (as_text(v) for v in values[:3])
    if not all(isinstance(v, str) for v in (text, old, new)):
        return Unknown("replace() of an unresolved value")
    assert isinstance(text, str) and isinstance(old, str) and isinstance(new, str)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return Unknown("replace() with a regular expression is not evaluated")
    return text.replace(old, new)


def _merge(values: list[object]) -> object:
    result: dict[object, object] = {}
    for value in values:
        if value is None:
            continue
        if not isinstance(value, dict):
            return Unknown("merge() of a value that is not a map")
        result.update(value)
    return result


def _concat(values: list[object]) -> object:
    result: list[object] = []
    for value in values:
        if not isinstance(value, list):
            return Unknown("concat() of a value that is not a list")
        result.extend(value)
    return result


_TEXT_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "upper": str.upper,
    "trimspace": str.strip,
    "title": str.title,
}


def _simple(name: str, values: list[object]) -> object:
    """Functions of resolved values; ``NotImplemented`` for names not here."""
    count = len(values)
    first = values[0] if values else None
    if name == "sensitive" and count == 1:
        return sensitive(first)
    if name == "nonsensitive" and count == 1:
        return nonsensitive(first)
    if name in ("tostring", "tolist", "tomap") and count == 1:
        return first
    if name == "toset" and count == 1:
        return _toset(first)
    if name in ("lower", "upper", "trimspace", "title") and count == 1:
        text = as_text(first)
        if isinstance(text, Unknown):
            return text
        return _TEXT_FUNCTIONS[name](text)
    if name == "join" and count >= 2:
        separator, items = as_text(first), _strings(_flatten(values[1:]))
        if not isinstance(separator, str) or items is None:
            return Unknown("join() of an unresolved value")
        return separator.join(items)
    if name == "split" and count == 2:
        separator, text = as_text(first), as_text(values[1])
        if isinstance(separator, str) and isinstance(text, str):
            return text.split(separator)
        return Unknown("split() of an unresolved value")
    if name == "format" and count >= 1:
        return _format(first, *values[1:])
    if name == "formatlist" and count >= 1:
        return _formatlist(first, values[1:])
    if name == "concat":
        return _concat(values)
    if name == "merge":
        return _merge(values)
    if name == "flatten" and count == 1:
        return _flatten(first)
    if name == "distinct" and count == 1:
        return (
            _toset(first)
            if isinstance(first, list) and not all(isinstance(i, str) for i in first)
            else (list(dict.fromkeys(first)) if isinstance(first, list) else Unknown("distinct() of a non-list"))
        )
    if name == "compact" and count == 1 and isinstance(first, list):
        return [item for item in first if item not in (None, "")]
    if name == "length" and count == 1 and isinstance(first, (list, dict, str)):
        return len(first)
    if name == "keys" and count == 1 and isinstance(first, dict):
        return sorted(first, key=str)
    if name == "values" and count == 1 and isinstance(first, dict):
        return [first[key] for key in sorted(first, key=str)]
    if name == "lookup" and count in (2, 3):
        return _lookup(values)
    if name == "element" and count == 2:
        return _element(values)
    if name == "coalesce":
        return _coalesce(values)
    if name == "coalescelist":
        return next((v for v in values if isinstance(v, list) and v), Unknown("coalescelist() of no list"))
    if name == "one" and count == 1 and isinstance(first, list) and len(first) <= 1:
        return first[0] if first else None
    if name == "contains" and count == 2 and isinstance(first, list):
        return values[1] in first
    if name in ("startswith", "endswith") and count == 2:
        text, affix = as_text(first), as_text(values[1])
        if isinstance(text, str) and isinstance(affix, str):
            return text.startswith(affix) if name == "startswith" else text.endswith(affix)
    if name == "replace" and count == 3:
        return _replace(values)
    if name == "substr" and count == 3:
        text, offset, length = as_text(first), values[1], values[2]
        if isinstance(text, str) and isinstance(offset, int) and isinstance(length, int):
            return text[offset:] if length < 0 else text[offset : offset + length]
    if name == "zipmap" and count == 2 and isinstance(first, list) and isinstance(values[1], list):
        return dict(zip((str(k) for k in first), values[1], strict=False))
    if name == "range" and all(isinstance(v, int) for v in values) and 1 <= count <= 3:
        return _range([int(v) for v in values])  # type: ignore[call-overload]
    if name == "sort" and count == 1:
        items = _strings(first)
        return sorted(items) if items is not None else Unknown("sort() of non-strings")
    if name == "reverse" and count == 1 and isinstance(first, list):
        return list(reversed(first))
    if name == "slice" and count == 3 and isinstance(first, list):
        start, end = values[1], values[2]
        if isinstance(start, int) and isinstance(end, int):
            return first[start:end]
    if name == "tobool" and count == 1 and isinstance(first, bool):
        return first
    if name == "tonumber" and count == 1:
        try:
            number = float(str(first))
        except ValueError:
            return Unknown("tonumber() of a non-number")
        return int(number) if number.is_integer() else number
    return NotImplemented


def _jsondecode(value: object, span: Span) -> Result:
    if isinstance(value, JsonText):
        return value.data, value.places  # read only: whoever adds to places builds a new dict
    text = as_text(value)
    if isinstance(text, Unknown):
        return Unknown(f"jsondecode() of an unresolved value ({text})"), {(): span}
    try:
        return load_json(text), {(): span}
    except ValueError as error:
        return Unknown(f"jsondecode() of text that is not JSON ({error})"), {(): span}


def read_module_file(evaluator: Context, path_value: object) -> tuple[str, str] | Unknown:
    path = as_text(path_value)
    if isinstance(path, Unknown):
        return Unknown(f"a file path that is not resolved ({path})")
    found = evaluator.read_file(path)
    if isinstance(found, tuple):
        evaluator.touch(found[0])
    return found


def _file(evaluator: Context, path_value: object, span: Span) -> Result:
    found = read_module_file(evaluator, path_value)
    if isinstance(found, Unknown):
        return Unknown(f"file(): {found}"), {(): span}
    shown, text = found
    key = (shown, text)
    if key not in evaluator.file_values:
        evaluator.file_values[key] = _file_value(shown, text)
    return evaluator.file_values[key], {(): span}


def _file_value(shown: str, text: str) -> object:
    """A file's JSON document with the place of each part, else its text."""
    try:
        data = load_json(text)
    except ValueError:
        return text
    places: Places = {
        path: Span(at.line, at.column, at.end_line, at.end_column, shown) for path, at in JsonLocations(text).spans()
    }
    return JsonText(data, places)


def _templatefile(evaluator: Context, args: Args, span: Span) -> Result:
    found = read_module_file(evaluator, args[0][0])
    if isinstance(found, Unknown):
        return Unknown(f"templatefile(): {found}"), {(): span}
    shown, text = found
    variables = args[1][0] if len(args) > 1 else {}
    if not isinstance(variables, dict):
        return Unknown("templatefile() with template variables that are not resolved"), {(): span}
    names = {str(key): value for key, value in variables.items()}
    return evaluator.template(text, Scope(shown, None, names, template=True), file_placer(shown)), {(): span}


def call(evaluator: Context, name: str, args: Args, span: Span) -> Result:
    values = [value for value, _ in args]
    if name == "jsonencode" and len(args) == 1:
        value, places = args[0]
        inner = dict(places)
        inner.pop((), None)
        return JsonText(value, inner, "terraform-jsonencode"), {(): span}
    if name == "jsondecode" and len(args) == 1:
        return _jsondecode(values[0], span)
    if name == "file" and len(args) == 1:
        return _file(evaluator, values[0], span)
    if name == "templatefile" and len(args) in (1, 2):
        return _templatefile(evaluator, args, span)
    if name == "try":
        for value, places in args:
            if not isinstance(value, Invalid):
                return value, places
        return (values[-1] if values else Unknown("try() of nothing")), {(): span}
    if name == "can" and len(args) == 1:
        if isinstance(values[0], Invalid):
            return False, {(): span}
        return (True if first_unknown(values[0]) is None else Unknown("can() of an unresolved value")), {(): span}
    if name == "concat" and not _unknown_in(name, values):
        return _concat_located(args, span)
    if name == "merge" and all(isinstance(v, dict) or v is None for v in values):
        return _merge_located(args, span)
    unknown = _unknown_in(name, values)
    if unknown is not None:
        return unknown, {(): span}
    result = _simple(name, [_known(v) if not isinstance(v, (dict, list)) else v for v in values])
    if result is NotImplemented:
        return Unknown(f"the function {name}() is not evaluated"), {(): span}
    return result, {(): span}


def _merge_located(args: Args, span: Span) -> Result:
    result: dict[object, object] = {}
    places: Places = {(): span}
    for value, inner in args:
        if isinstance(value, dict):
            for key, item in value.items():
                result[key] = item
                for path in [p for p in places if p[:1] == (key,)]:
                    del places[path]
                places.update({path: where for path, where in inner.items() if path[:1] == (key,)})
    return result, places


def _concat_located(args: Args, span: Span) -> Result:
    result: list[object] = []
    places: Places = {(): span}
    for value, inner in args:
        if not isinstance(value, list):
            return Unknown("concat() of a value that is not a list"), {(): span}
        offset = len(result)
        for path, where in inner.items():
            if path and isinstance(path[0], int):
                places[(path[0] + offset,) + path[1:]] = where
        result.extend(value)
    return result, places
