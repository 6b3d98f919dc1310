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


@dataclass
class _Frame:
    path: JsonPath
    #: Where the children go: ``path`` itself, or ``path + ("Fn::If",)`` under a short-form tag.
    content_path: JsonPath
    value: dict[str, object] | list[object]
    start: tuple[int, int]
    wrap: str | None
    anchor: str | None
    size: int = 1
    key: str | None = None
    key_start: tuple[int, int] = (0, 0)
    key_is_merge: bool = False
    merges: list[object] = field(default_factory=list)


def _is_plain(event: Any) -> bool:
    return bool(event.implicit[0]) and not event.style


def _mark(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _span(start: tuple[int, int], end: tuple[int, int]) -> tuple[int, int, int, int]:
    return start[0], start[1], end[0], end[1]


def _plain_scalar(value: str, tag: str) -> object:
    """A plain scalar by its implicit YAML type, keeping the text whenever the type is doubtful."""
    if tag == _YAML_TAG + "null":
        return None
    if tag == _YAML_TAG + "bool":
        return _BOOLS.get(value.lower(), value)
    if tag == _YAML_TAG + "int" and _DECIMAL_INT.fullmatch(value) and len(value) <= _MAX_INT_DIGITS:
        return int(value)
    if tag == _YAML_TAG + "float" and _DECIMAL_FLOAT.fullmatch(value):
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

    # -- placing values -------------------------------------------------------------------
    def _child_path(self) -> tuple[JsonPath, tuple[int, int] | None]:
        """The path of the next value, and the key's start when the value is in a mapping."""
        if not self.stack:
            return (), None
        top = self.stack[-1]
        if isinstance(top.value, dict):
            assert top.key is not None
            return top.content_path + (top.key,), top.key_start
        return top.content_path + (len(top.value),), None

    def _place(self, value: object, start: tuple[int, int], end: tuple[int, int], size: int, record: bool) -> None:
        self.nodes += 1
        if self.nodes > NODE_LIMIT:
            raise YamlError(f"more than {NODE_LIMIT:,} nodes: not read", Span(*_span(start, end)), hostile=True)
        path, key_start = self._child_path()
        if record:
            self.spans[path] = _span(key_start or start, end)
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, dict):
            assert top.key is not None
            if top.key_is_merge:
                top.merges.append(value)
            else:
                top.value[top.key] = value
            top.key = None
        else:
            top.value.append(value)

    def _expects_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is None

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

    def _set_key(self, event: Any) -> None:
        top = self.stack[-1]
        start = _mark(event.start_mark)
        span = Span(*_span(start, _mark(event.end_mark)))
        self.nodes += 1  # a key is a node too: 200,000 duplicate keys cost as much as 200,000 values
        if self.nodes > NODE_LIMIT:
            raise YamlError(f"more than {NODE_LIMIT:,} nodes: not read", span, hostile=True)
        tag = event.tag or (self.resolve(event.value) if _is_plain(event) else None)
        is_merge = tag == _YAML_TAG + "merge"
        if tag == _YAML_TAG + "null":
            self._issue("a null key: CloudFormation needs every key to be a name", span)
        key = str(event.value)
        assert isinstance(top.value, dict)
        if not is_merge and key in top.value:
            where = "/".join(str(p) for p in top.content_path) or "the top level"
            self._issue(f"duplicate key {key!r} under {where}: the last copy wins", span)
        top.key, top.key_start, top.key_is_merge = key, start, is_merge

    # -- events ---------------------------------------------------------------------------
    def scalar(self, event: Any) -> None:
        if self._expects_key():
            self._set_key(event)
            return
        if event.tag and event.tag != "!":
            value = _tagged_scalar(event.tag, event.value)
        elif _is_plain(event):
            value = _plain_scalar(event.value, self.resolve(event.value))
        else:
            value = event.value
        start, end = _mark(event.start_mark), self._trimmed_end(event.end_mark)
        path, _ = self._child_path()
        if isinstance(value, dict):
            (long_form,) = value
            self.spans[path + (long_form,)] = _span(start, end)
        self._place(value, start, end, 1, True)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)

    def alias(self, event: Any) -> None:
        if self._expects_key():
            raise YamlError("an alias used as a key", Span(*_span(_mark(event.start_mark), _mark(event.end_mark))))
        found = self.anchors.get(event.anchor)
        start, end = _mark(event.start_mark), _mark(event.end_mark)
        if found is None:
            raise YamlError(f"found undefined alias {event.anchor!r}", Span(*_span(start, end)))
        value, size = found
        self.expanded += size
        if self.expanded > ALIAS_EXPANSION_LIMIT:
            raise YamlError(
                f"aliases expand to more than {ALIAS_EXPANSION_LIMIT:,} nodes (an alias bomb?): not read",
                Span(*_span(start, end)),
                hostile=True,
            )
        self._place(value, start, end, size, True)

    def start(self, event: Any, container: dict[str, object] | list[object]) -> None:
        start = _mark(event.start_mark)
        if self._expects_key():
            raise YamlError("a mapping or sequence used as a key", Span(*_span(start, start)))
        path, _ = self._child_path()
        wrap = None
        if event.tag and not event.tag.startswith(_YAML_TAG) and event.tag != "!":
            wrap = _long_form(event.tag) or event.tag
        content_path = path + (wrap,) if wrap else path
        self.stack.append(_Frame(path, content_path, container, start, wrap, event.anchor))

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        end = self._trimmed_end(event.end_mark)
        value: object = frame.value
        if isinstance(frame.value, dict) and frame.merges:
            value = self._merged(frame.value, frame.merges)
        if frame.wrap is not None:
            if frame.wrap.startswith("!"):
                value = Unknown(f"the YAML tag {frame.wrap} is not a CloudFormation intrinsic function")
            else:
                self.spans[frame.content_path] = _span(frame.start, end)
                value = {frame.wrap: value}
        self._place(value, frame.start, end, frame.size, True)
        if frame.anchor:
            self.anchors[frame.anchor] = (value, frame.size)

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
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> list[YamlDocument]:
    """Every document of a YAML stream, as plain data with positions; ``YamlError`` when unreadable."""
    import yaml
    from yaml import events
    from yaml.nodes import ScalarNode

    loader = _loader_class()(text)

    def resolve(value: str) -> str:
        return str(loader.resolve(ScalarNode, value, (True, False)))

    documents: list[YamlDocument] = []
    builder: _Builder | None = None
    nodes = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, events.DocumentStartEvent):
                builder = _Builder(text, resolve, nodes)
            elif builder is None:
                continue
            elif isinstance(event, events.ScalarEvent):
                builder.scalar(event)
            elif isinstance(event, events.MappingStartEvent):
                builder.start(event, {})
            elif isinstance(event, events.SequenceStartEvent):
                builder.start(event, [])
            elif isinstance(event, (events.MappingEndEvent, events.SequenceEndEvent)):
                builder.end(event)
            elif isinstance(event, events.AliasEvent):
                builder.alias(event)
            elif isinstance(event, events.DocumentEndEvent):
                documents.append(YamlDocument(builder.root, YamlLocations(builder.spans), builder.finished_issues()))
                nodes = builder.nodes
                builder = None
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
