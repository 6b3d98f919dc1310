"""YAML for the CloudFormation family: safe, bounded, and with the position of every node.

PyYAML's parser (libyaml's when available) produces events; this module builds plain data from
them without recursion and records each node's 1-based span under its JSON path, so positions sit
beside the data instead of on it. CloudFormation short-form tags become their long forms at
parse time (``!GetAtt a.b`` is ``{"Fn::GetAtt": ["a", "b"]}``), unknown tags become ``Unknown``
values, and scalars keep their text unless they are plainly a number, a boolean or null: an
unquoted ``Version: 2012-10-17`` stays a string. Aliases share the anchored value; the number of
nodes they would expand to is bounded, so an alias bomb fails fast instead of exhausting memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...model.values import JsonPath, Span, Unknown
from ...patterns import lazy_compile
from ...records import dataclass, field
from .pyyaml import import_yaml

#: Nodes that aliases may add to a document, counting every expansion (a billion-laughs guard).
ALIAS_EXPANSION_LIMIT = 100_000
#: Nodes written in one file. Each keeps its position, so a 5 MB flow list of a million tiny
#: scalars would take seconds and hundreds of MB; the largest real template has a few thousand nodes
#: and a policy of 10,000 statements about 60,000.
NODE_LIMIT = 250_000
#: Duplicate or null keys reported one by one in a document; the rest are counted in one more issue.
MAX_ISSUES_REPORTED = 20

SHORT_FORMS = frozenset(
    {
        "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "If", "ImportValue", "Join", "Select", "Split",
        "Sub", "Transform", "Equals", "Not", "And", "Or", "Length", "ToJsonString", "ForEach",
    }
)  # fmt: skip
_YAML_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _MERGE = _YAML_TAG + "str", _YAML_TAG + "null", _YAML_TAG + "merge"
_BOOL, _INT, _FLOAT = _YAML_TAG + "bool", _YAML_TAG + "int", _YAML_TAG + "float"
_DECIMAL_INT = lazy_compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = lazy_compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BOOLS = {"true": True, "false": False}
#: Longer integers keep their text (Python refuses to convert more than 4,300 digits).
_MAX_INT_DIGITS = 1000


class YamlError(Exception):
    """The text is not YAML this reader accepts; ``span`` is where the parser stopped."""

    def __init__(self, message: str, span: Span, hostile: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        #: Built to exhaust the reader (an alias bomb): worth reporting whatever the file is.
        self.hostile = hostile


@dataclass(frozen=True)
class YamlIssue:
    """Valid YAML that CloudFormation would reject or read ambiguously (duplicate or null keys)."""

    message: str
    span: Span


class YamlLocations:
    """A ``Locator`` over the spans recorded while loading one YAML document."""

    def __init__(self, spans: dict[JsonPath, tuple[int, int, int, int]]) -> None:
        self._spans = spans

    def locate(self, path: JsonPath) -> Span | None:
        found = self._spans.get(path)
        return Span(*found) if found is not None else None


@dataclass
class YamlDocument:
    data: object
    locations: YamlLocations
    issues: list[YamlIssue] = field(default_factory=list)


class _Frame:
    """A mapping or sequence being built (a plain class: one is made for every container)."""

    __slots__ = (
        "anchor",
        "content_path",
        "key",
        "key_is_merge",
        "key_start",
        "merges",
        "path",
        "size",
        "start",
        "value",
        "wrap",
    )

    def __init__(
        self,
        path: JsonPath,
        content_path: JsonPath,
        value: dict[str, object] | list[object],
        start: tuple[int, int],
        wrap: str | None,
        anchor: str | None,
    ) -> None:
        self.path = path
        #: Where the children go: ``path`` itself, or ``path + ("Fn::If",)`` under a short-form tag.
        self.content_path = content_path
        self.value = value
        self.start = start
        self.wrap = wrap
        self.anchor = anchor
        self.size = 1
        #: The key whose value comes next (``None``: a key comes next); where it starts; ``<<``.
        self.key: str | None = None
        self.key_start = (0, 0)
        self.key_is_merge = False
        self.merges: list[object] = []


#: The event classes ``_Builder.run`` tells apart: scalar, mapping start, sequence start, alias, document end.
_EventKinds = tuple[type, type, type, type, type]


def _mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _plain_scalar(value: str, tag: str) -> object:
    """A plain scalar by its implicit YAML type, keeping the text whenever the type is doubtful."""
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOLS.get(value.lower(), value)
    if tag == _INT and _DECIMAL_INT.fullmatch(value) and len(value) <= _MAX_INT_DIGITS:
        return int(value)
    if tag == _FLOAT and _DECIMAL_FLOAT.fullmatch(value):
        return float(value)
    return value


def _long_form(tag: str) -> str | None:
    """``!Ref`` → ``Ref``, ``!Sub`` → ``Fn::Sub``; ``None`` for tags that are not short forms."""
    if not tag.startswith("!") or tag.startswith("!!"):
        return None
    name = tag[1:]
    if name in ("Ref", "Condition"):
        return name
    return f"Fn::{name}" if name in SHORT_FORMS else None


def _tagged_scalar(tag: str, value: str) -> object:
    if tag.startswith(_YAML_TAG):
        kind = tag[len(_YAML_TAG) :]
        if kind in ("null", "bool", "int", "float"):
            return _plain_scalar(value, tag)
        return value
    long_form = _long_form(tag)
    if long_form is None:
        return Unknown(f"the YAML tag {tag} is not a CloudFormation intrinsic function")
    if long_form == "Fn::GetAtt":
        logical_id, _, attribute = value.partition(".")
        return {long_form: [logical_id, attribute]}
    return {long_form: value}


class _Builder:
    """One document's data and spans, built from the parser's events in one loop (``run``): a template
    is a hundred thousand events, so the common ones are handled inline, with few calls and lookups."""

    def __init__(self, text: str, resolve: Callable[[str], str], nodes: int = 0) -> None:
        self.text = text
        self.resolve = resolve
        self.spans: dict[JsonPath, tuple[int, int, int, int]] = {}
        self.issues: list[YamlIssue] = []
        self._reported: set[str] = set()
        self.unreported = 0
        self.anchors: dict[str, tuple[object, int]] = {}
        self.expanded = 0
        #: Nodes placed so far in the stream (this document and the ones before it).
        self.nodes = nodes
        self.stack: list[_Frame] = []
        self.root: object = None

    def _issue(self, message: str, span: Span) -> None:
        """Each issue once, the first ``MAX_ISSUES_REPORTED`` of them; the others are counted."""
        if message in self._reported:
            return
        self._reported.add(message)
        if len(self.issues) < MAX_ISSUES_REPORTED:
            self.issues.append(YamlIssue(message, span))
        else:
            self.unreported += 1

    def finished_issues(self) -> list[YamlIssue]:
        if not self.unreported:
            return self.issues
        more = YamlIssue(
            f"{self.unreported:,} more duplicate or null keys, not listed one by one", self.issues[-1].span
        )
        return [*self.issues, more]

    def _too_many(self, start: tuple[int, int], end: tuple[int, int]) -> YamlError:
        return YamlError(f"more than {NODE_LIMIT:,} nodes: not read", Span(*start, *end), hostile=True)

    def _key_issues(self, event: Any, top: _Frame, key: str, tag: str | None) -> None:
        span = Span(*_mark(event.start_mark), *_mark(event.end_mark))
        if tag == _NULL:
            self._issue("a null key: CloudFormation needs every key to be a name", span)
        if tag != _MERGE and key in top.value:
            where = "/".join(str(p) for p in top.content_path) or "the top level"
            self._issue(f"duplicate key {key!r} under {where}: the last copy wins", span)

    def run(self, get_event: Callable[[], Any], kinds: _EventKinds) -> None:
        """Events up to the end of the document.

        Each value is placed under its JSON path with its span (from its key's start when it is a
        mapping's value); short-form tags wrap their content (``!If [...]`` is ``{"Fn::If": [...]}``,
        spanned at the tag), anchors remember the value and its size for aliases."""
        scalar_event, mapping_start, sequence_start, alias_event, document_end = kinds
        stack, spans, resolve, anchors = self.stack, self.spans, self.resolve, self.anchors
        text = self.text
        length = len(text)
        while True:
            event = get_event()
            kind = event.__class__
            top = stack[-1] if stack else None
            expects_key = top is not None and top.key is None and top.value.__class__ is dict
            mark = event.start_mark
            start = (mark.line + 1, mark.column + 1)
            if kind is scalar_event:
                text_value = event.value
                tag = event.tag
                if expects_key:
                    assert top is not None
                    self.nodes += 1  # a key is a node too: 200,000 duplicate keys cost as much as 200,000 values
                    if self.nodes > NODE_LIMIT:
                        raise self._too_many(start, _mark(event.end_mark))
                    key = str(text_value)
                    if not tag and event.implicit[0] and not event.style:
                        tag = resolve(text_value)
                    if tag == _NULL or (tag != _MERGE and key in top.value):
                        self._key_issues(event, top, key, tag)
                    top.key, top.key_start, top.key_is_merge = key, start, tag == _MERGE
                    continue
                if tag and tag != "!":
                    value = _tagged_scalar(tag, text_value)
                elif event.implicit[0] and not event.style:
                    implicit = resolve(text_value)
                    value = text_value if implicit == _STR else _plain_scalar(text_value, implicit)
                else:
                    value = text_value
                size = 1
                anchor = event.anchor
                mark = event.end_mark
                index = mark.index
                if index.__class__ is int and 0 < index <= length and text[index - 1] not in " \t\r\n":
                    end = (mark.line + 1, mark.column + 1)
                else:
                    end = self._trimmed_end(mark)
            elif kind is mapping_start or kind is sequence_start:
                if expects_key:
                    raise YamlError("a mapping or sequence used as a key", Span(*start, *start))
                own_path = self._next_path(top)
                wrap = None
                tag = event.tag
                if tag and not tag.startswith(_YAML_TAG) and tag != "!":
                    wrap = _long_form(tag) or tag
                content_path = own_path + (wrap,) if wrap else own_path
                container: dict[str, object] | list[object] = {} if kind is mapping_start else []
                stack.append(_Frame(own_path, content_path, container, start, wrap, event.anchor))
                continue
            elif kind is alias_event:
                end = _mark(event.end_mark)
                if expects_key:
                    raise YamlError("an alias used as a key", Span(*start, *end))
                found = anchors.get(event.anchor)
                if found is None:
                    raise YamlError(f"found undefined alias {event.anchor!r}", Span(*start, *end))
                value, size = found
                self.expanded += size
                if self.expanded > ALIAS_EXPANSION_LIMIT:
                    raise YamlError(
                        f"aliases expand to more than {ALIAS_EXPANSION_LIMIT:,} nodes (an alias bomb?): not read",
                        Span(*start, *end),
                        hostile=True,
                    )
                anchor = None
            elif kind is document_end:
                return
            else:  # the end of a mapping or a sequence
                frame = stack.pop()
                top = stack[-1] if stack else None
                start, size, anchor = frame.start, frame.size, frame.anchor
                end = self._trimmed_end(event.end_mark)
                value = self._finished(frame, end)
            # place the value: under its key (spanned from the key) or as the next item
            if top is None:
                path: JsonPath = ()
                span_start = start
            elif top.value.__class__ is dict:
                assert top.key is not None
                path, span_start = top.content_path + (top.key,), top.key_start
            else:
                path, span_start = top.content_path + (len(top.value),), start
            if kind is scalar_event and value.__class__ is dict:
                assert isinstance(value, dict)
                (long_form,) = value
                spans[path + (long_form,)] = start + end
            self.nodes += 1
            if self.nodes > NODE_LIMIT:
                raise self._too_many(start, end)
            spans[path] = span_start + end
            if top is None:
                self.root = value
            else:
                top.size += size
                parent = top.value
                if parent.__class__ is dict:
                    assert isinstance(parent, dict) and top.key is not None
                    if top.key_is_merge:
                        top.merges.append(value)
                    else:
                        parent[top.key] = value
                    top.key = None
                else:
                    assert isinstance(parent, list)
                    parent.append(value)
            if anchor:
                anchors[anchor] = (value, size)

    @staticmethod
    def _next_path(top: _Frame | None) -> JsonPath:
        if top is None:
            return ()
        if top.value.__class__ is dict:
            assert top.key is not None
            return top.content_path + (top.key,)
        return top.content_path + (len(top.value),)

    def _finished(self, frame: _Frame, end: tuple[int, int]) -> object:
        """A mapping or sequence at its end: merge keys applied, a short-form tag's wrapper around it."""
        value: object = frame.value
        if isinstance(frame.value, dict) and frame.merges:
            value = self._merged(frame.value, frame.merges)
        if frame.wrap is not None:
            if frame.wrap.startswith("!"):
                value = Unknown(f"the YAML tag {frame.wrap} is not a CloudFormation intrinsic function")
            else:
                self.spans[frame.content_path] = frame.start + end
                value = {frame.wrap: value}
        return value

    @staticmethod
    def _merged(explicit: dict[str, object], merges: list[object]) -> dict[str, object]:
        """YAML merge keys (``<<: *base``): explicit keys win, earlier merged mappings win over later."""
        sources: list[dict[str, object]] = []
        for item in merges:
            if isinstance(item, dict):
                sources.append(item)
            elif isinstance(item, list):
                sources.extend(m for m in item if isinstance(m, dict))
        merged: dict[str, object] = {}
        for source in reversed(sources):
            merged.update(source)
        merged.update(explicit)
        return merged

    def _trimmed_end(self, mark: Any) -> tuple[int, int]:
        """Block collections end where the next token starts; pull the end back over whitespace."""
        index = getattr(mark, "index", None)
        if not isinstance(index, int) or index <= 0 or index > len(self.text):
            return _mark(mark)
        trimmed = index
        while trimmed > 0 and self.text[trimmed - 1] in " \t\r\n":
            trimmed -= 1
        if trimmed == index:
            return _mark(mark)
        line = mark.line + 1 - self.text.count("\n", trimmed, index)
        return line, trimmed - (self.text.rfind("\n", 0, trimmed) + 1) + 1


def _loader_class() -> Any:
    import_yaml()
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _resolver(loader: Any) -> Callable[[str], str]:
    """The implicit tag of a plain scalar, as the loader resolves it, asked once per distinct text;
    a text whose first character starts no implicit type (most keys and values) is a string."""
    from yaml.nodes import ScalarNode

    implicit = loader.yaml_implicit_resolvers
    always_ask = None in implicit or bool(loader.yaml_path_resolvers)
    known: dict[str, str] = {}

    def resolve(value: str) -> str:
        if not always_ask and value[:1] not in implicit:
            return _STR
        found = known.get(value)
        if found is None:
            found = known[value] = str(loader.resolve(ScalarNode, value, (True, False)))
        return found

    return resolve


def load_yaml(text: str) -> list[YamlDocument]:
    """Every document of a YAML stream, as plain data with positions; ``YamlError`` when unreadable."""
    import_yaml()
    import yaml
    from yaml import events

    loader = _loader_class()(text)
    resolve = _resolver(loader)
    kinds = (events.ScalarEvent, events.MappingStartEvent, events.SequenceStartEvent, events.AliasEvent)
    documents: list[YamlDocument] = []
    nodes = 0
    try:
        while loader.check_event():
            if not isinstance(loader.get_event(), events.DocumentStartEvent):
                continue
            builder = _Builder(text, resolve, nodes)
            builder.run(loader.get_event, (*kinds, events.DocumentEndEvent))
            documents.append(YamlDocument(builder.root, YamlLocations(builder.spans), builder.finished_issues()))
            nodes = builder.nodes
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(str(error.problem or error.context or "unreadable").split())
        # libyaml stops at 1,000 levels: no real file comes close, so it is reported whatever it holds
        hostile = "maximum nesting depth" in problem
        raise YamlError(f"invalid YAML: {problem}", Span(line, column, line, column), hostile) from None
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {' '.join(str(error).split())}", Span(1, 1, 1, 1)) from None
    finally:
        loader.dispose()
    return documents
