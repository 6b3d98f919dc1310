"""Verdicts of identical inputs, computed once: a folder of thousands of roles generated from one
template asks the evaluator the same questions thousands of times.

A verdict is keyed by everything it depends on (the document's content as JSON text and the
settings), never by where the document was found: verdicts name statements by their path inside the
document, and the rules place them with the role's own anchor. The text of a document is taken once
per inventory (by identity); the engine calls ``forget`` before it checks the next one, so a
document changed in between (an API caller's dict) is keyed again.

A text marked sensitive (``SensitiveText``) is the same JSON as the plain text, but a verdict computed
on the plain document may quote it: the key also says where the sensitive texts are, so that the
two never share a verdict (nor does a document with its sensitive texts elsewhere).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from .values import SensitiveText

Value = TypeVar("Value")
Extra = TypeVar("Extra", bound=Hashable)

#: Verdicts kept per kind; past it the oldest go (a run of distinct documents gains nothing from them).
MEMO_SIZE = 512
#: A document whose JSON text is longer is judged afresh each time, never kept: the memos' memory
#: stays bounded (``MEMO_SIZE`` keys of at most this many characters each). AWS's largest policy is
#: 10,240 characters.
MEMO_TEXT_LIMIT = 64 * 1024

_KEYS: dict[int, tuple[object, str | None]] = {}
_FORGET: list[Callable[[], None]] = [_KEYS.clear]


def forget() -> None:
    """Drop what was remembered by identity (a new inventory is about to be checked)."""
    for clear in _FORGET:
        clear()


def on_forget(clear: Callable[[], None]) -> None:
    _FORGET.append(clear)


def sensitive_marks(value: object) -> tuple[tuple[object, ...], ...]:
    """The paths of the texts marked sensitive in ``value`` (dicts, lists, tuples), keys included (a
    key's path ends with ``None``); empty when no sensitive text was ever made in this process."""
    if not SensitiveText.made:
        return ()
    marks: list[tuple[object, ...]] = []
    stack: list[tuple[object, tuple[object, ...]]] = [(value, ())]
    while stack:
        current, path = stack.pop()
        if isinstance(current, SensitiveText):
            marks.append(path)
        elif isinstance(current, dict):
            for key, item in current.items():
                if isinstance(key, SensitiveText):
                    marks.append((*path, key, None))
                stack.append((item, (*path, key)))
        elif isinstance(current, (list, tuple)):
            stack.extend((item, (*path, index)) for index, item in enumerate(current))
    return tuple(marks)


def _json_text(data: object) -> str:
    """``json.dumps(data, ensure_ascii=False)``, by an encoder made once (``dumps`` makes one a call,
    which was half its cost for a small policy). A value that holds itself exhausts the recursion
    limit instead of being named circular: either way it has no key."""
    global _encode
    if _encode is None:
        try:
            from _json import encode_basestring, make_encoder
        except ImportError:  # an interpreter without the C encoder
            return json.dumps(data, ensure_ascii=False)
        _encode = make_encoder(None, _not_json, encode_basestring, None, ": ", ", ", False, False, True)
    return "".join(_encode(data, 0))


def _not_json(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON")


_encode: Callable[[object, int], Sequence[str]] | None = None


def content_key(data: object) -> str | None:
    """``data`` as JSON text, and where its sensitive texts are; ``None`` when it holds something
    that is not JSON (an unresolved value) or is too long to be kept (``MEMO_TEXT_LIMIT``)."""
    found = _KEYS.get(id(data))
    if found is not None and found[0] is data:
        return found[1]
    try:
        text: str | None = _json_text(data)
    except (TypeError, ValueError, RecursionError):
        text = None
    if text is not None and len(text) > MEMO_TEXT_LIMIT:
        text = None
    marks = sensitive_marks(data) if text is not None else ()
    if marks:  # JSON text never holds a raw NUL: the suffix cannot be part of another document's text
        text = f"{text}\0{json.dumps(marks, ensure_ascii=False)}"
    _KEYS[id(data)] = (data, text)  # the entry keeps ``data`` alive, so its id is not reused
    return text


class Memo(Generic[Value]):
    """At most ``size`` values, the latest half of them at least: values go into a generation of
    ``size // 2``, and when it is full the generation before it is dropped whole. Two plain dicts
    cost a third of an ``OrderedDict`` that drops its oldest entry on each ``put`` (a run of distinct
    documents puts on every call); a plain dict dropping one entry at a time steps over every entry
    deleted before it."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._generation = max(1, size // 2)
        self._latest: dict[Hashable, Value] = {}
        self._earlier: dict[Hashable, Value] = {}

    def get(self, key: Hashable) -> Value | None:
        found = self._latest.get(key)
        return found if found is not None else self._earlier.get(key)

    def put(self, key: Hashable, value: Value) -> Value:
        if len(self._latest) >= self._generation:
            self._earlier, self._latest = self._latest, {}
        self._latest[key] = value
        return value

    def clear(self) -> None:
        self._latest, self._earlier = {}, {}


def by_content(function: Callable[[object, Extra], Value]) -> Callable[[object, Extra], Value]:
    """``function(data, extra)`` (the settings, a limit) computed once per identical document content
    and ``extra``. The value is shared: it must not be changed (tuples and frozen records)."""
    memo: Memo[Value] = Memo()

    @functools.wraps(function)
    def remembered(data: object, extra: Extra) -> Value:
        text = content_key(data)
        if text is None:
            return function(data, extra)
        key = (text, extra)
        found = memo.get(key)
        return found if found is not None else memo.put(key, function(data, extra))

    return remembered
