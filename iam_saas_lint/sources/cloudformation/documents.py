"""Policy documents inside a template: resolved for one variant, normalised as IAM reads them, and
located in the file (through ``Fn::If`` branches and inside policies written as JSON text)."""

from __future__ import annotations

from ...model.document import DocumentKind, PolicyDocument, Problem, Syntax, UnresolvedPolicy
from ...model.values import Anchor, JsonPath, Locator, Span, Unknown, format_json_path
from ..text.embedded_json import embedded_locator
from ..text.json_locations import JsonLocations
from ..text.jsonfile import load_json, nesting_depth
from .intrinsic_values import NO_VALUE
from .intrinsics import PathMap, Resolver
from .template import Template

#: Policy documents nested deeper than this are not read (no real policy comes close).
MAX_DEPTH = 64


class MappedLocator:
    """Positions inside a resolved document, looked up where each part came from in the file."""

    def __init__(self, base: Locator, origin: JsonPath, paths: PathMap) -> None:
        self.base = base
        self.origin = origin
        self.paths = paths

    def locate(self, path: JsonPath) -> Span | None:
        if path[: len(self.origin)] != self.origin:
            return self.base.locate(path)
        mapped = self.paths.get(path[len(self.origin) :])
        return self.base.locate(mapped) if mapped is not None else None

    def source_path(self, path: JsonPath) -> JsonPath | None:
        """Where a resolved path was written in the file (for the finding's JSON path)."""
        if path[: len(self.origin)] != self.origin:
            return path
        return self.paths.get(path[len(self.origin) :])


def _written_as_text(raw: object) -> bool:
    return isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("Fn::Sub", "Fn::Join")


def _normalise(value: object) -> object:
    """Numbers become text, as IAM reads them (YAML makes ``123456789012`` an integer)."""
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


class DocumentReader:
    """Reads the policy documents of one template; what cannot be read goes to ``problems``."""

    def __init__(self, template: Template, problems: list[Problem]) -> None:
        self.template = template
        self.problems = problems

    def anchor(self, path: JsonPath) -> Anchor:
        return Anchor(self.template.file, path, self.template.locator)

    def problem(self, message: str, path: JsonPath) -> None:
        self.problems.append(Problem(self.template.file, message, self.anchor(path).span()))

    def document(
        self, resolver: Resolver, raw: object, origin: JsonPath, kind: DocumentKind, label: str
    ) -> PolicyDocument | UnresolvedPolicy | None:
        if raw is None:
            return None
        if nesting_depth(raw, MAX_DEPTH) > MAX_DEPTH:
            self.problem(f"{label}: nested more than {MAX_DEPTH} levels deep, not read", origin)
            return None
        data, paths = resolver.document(raw, origin)
        if data is NO_VALUE:
            return None
        locator: Locator | None = None
        if isinstance(data, str):
            text = data
            try:
                data = load_json(text)
            except ValueError as error:
                self.problem(f"{label}: neither a policy object nor a JSON policy document ({error})", origin)
                return None
            paths = {(): paths.get((), origin)}
            locator = self._embedded(resolver, raw, origin)
            self._duplicate_keys(text, label, Anchor(self.template.file, origin, locator or self.template.locator))
        if isinstance(data, Unknown) and _written_as_text(raw):
            data = resolver.text_document(raw, origin)
            paths = {(): origin}
            locator = self._embedded(resolver, raw, origin)
        if isinstance(data, Unknown) and kind != "trust":
            return UnresolvedPolicy(label, data, self.anchor(origin))
        data = _normalise(data)  # unknown parts stay unknown: the model decides what they may do
        locator = locator or MappedLocator(self.template.locator, origin, paths)
        return PolicyDocument(data, kind, label, Anchor(self.template.file, origin, locator), self._syntax(raw))

    def _duplicate_keys(self, text: str, label: str, anchor: Anchor) -> None:
        """Keys given twice in a document written as JSON text (IAM and Python keep different copies)."""
        if text.count('"') < 4:
            return
        for path in JsonLocations(text).duplicate_keys():
            where = format_json_path(path[:-1])
            message = f"{label}: duplicate key {path[-1]!r} at {where}: parsers disagree on which copy wins"
            self.problems.append(Problem(self.template.file, message, anchor.child(*path).span()))

    def _syntax(self, raw: object) -> Syntax:
        if isinstance(raw, str) or (isinstance(raw, dict) and "Fn::Sub" in raw):
            return "json"  # written as JSON text inside the template
        return "cloudformation-json" if isinstance(self.template.locator, JsonLocations) else "cloudformation-yaml"

    def _embedded(self, resolver: Resolver, raw: object, origin: JsonPath) -> Locator | None:
        """Where the JSON text of a document written as a string sits in the file, if it can be found."""
        picked = resolver.pick(raw, origin)
        if self.template.text is None or not isinstance(picked, tuple):
            return None
        node, node_origin = picked
        if isinstance(node, dict) and len(node) == 1 and "Fn::Sub" in node:
            node = node["Fn::Sub"]
            node = node[0] if isinstance(node, list) and node else node
        if not isinstance(node, str):
            return None
        near = self.template.locator.locate(node_origin)
        return embedded_locator(self.template.locator, origin, self.template.text, node, near.line if near else 1)
