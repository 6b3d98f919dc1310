"""The compact JSON locator finds every value where a plain path → offsets scan finds it."""

from __future__ import annotations

import json
import re
import tracemalloc
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_saas_lint.model.values import JsonPath, Span
from iam_saas_lint.sources.text.json_locations import JsonLocations

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def reference(text: str) -> tuple[dict[JsonPath, Span], list[JsonPath]]:
    """Every value's span, keyed by its whole path (the straightforward form of the same scan)."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(offset: int) -> tuple[int, int]:
        index = max(i for i, start in enumerate(line_starts) if start <= offset)
        return index + 1, offset - line_starts[index] + 1

    offsets: dict[JsonPath, tuple[int, int]] = {}
    duplicates: list[JsonPath] = []
    stack: list[dict[str, Any]] = []

    def place(start: int) -> tuple[JsonPath, int]:
        if not stack:
            return (), start
        top = stack[-1]
        if top["object"]:
            top["expect"] = False
            return (*top["path"], top["key"]), top["key_start"]
        top["index"] += 1
        return (*top["path"], top["index"] - 1), start

    for match in _TOKEN.finditer(text):
        token, start = match.group(), match.start()
        if token in ("{", "["):
            path, value_start = place(start)
            stack.append({"path": path, "object": token == "{", "start": value_start, "index": 0, "key": "",
                          "key_start": 0, "expect": False, "keys": set()})  # fmt: skip
        elif token in ("}", "]"):
            if stack:
                frame = stack.pop()
                offsets[frame["path"]] = (frame["start"], match.end())
        elif token == ":":
            if stack:
                stack[-1]["expect"] = True
        elif token == ",":
            continue
        elif stack and stack[-1]["object"] and not stack[-1]["expect"]:
            top = stack[-1]
            try:
                key = str(json.loads(token))
            except ValueError:
                key = token
            top["key"], top["key_start"] = key, start
            if key in top["keys"]:
                duplicates.append((*top["path"], key))
            top["keys"].add(key)
        else:
            path, value_start = place(start)
            offsets[path] = (value_start, match.end())
    spans = {path: Span(*position(a), *position(b)) for path, (a, b) in offsets.items()}
    return spans, duplicates


KEYS = st.text(alphabet=st.sampled_from('ab"\\:,{}[] é\n\t'), max_size=4)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES, st.sampled_from([None, 0, 1, 2, "\t"]), st.sampled_from([(",", ":"), (", ", ": "), (" ,", " :\n")]))
def test_every_value_of_valid_json_is_where_the_reference_says(value: object, indent: Any, separators: Any) -> None:
    text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=False)
    expected, duplicates = reference(text)
    locations = JsonLocations(text)
    for path, span in expected.items():
        assert locations.locate(path) == span, path
    assert locations.duplicate_keys() == duplicates == []
    assert locations.locate(("no such key",)) is None
    assert locations.locate((10_000,)) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["{", "}", "[", "]", ":", ",", '"a"', '"b"', "1", "x", " ", "\n"]), max_size=40))
def test_token_soup_never_raises_and_duplicates_agree(tokens: list[str]) -> None:
    text = "".join(tokens)
    locations = JsonLocations(text)
    _, duplicates = reference(text)
    assert locations.duplicate_keys() == duplicates
    for path in reference(text)[0]:
        locations.locate(path)


def test_duplicate_keys_are_found_and_the_last_copy_is_located() -> None:
    text = '{"a": 1,\n "b": {"c": 2, "c": 3},\n "a": [4]}'
    locations = JsonLocations(text)
    assert locations.duplicate_keys() == [("b", "c"), ("a",)]
    assert locations.locate(("a",)) == Span(3, 2, 3, 10)
    assert locations.locate(("a", 0)) == Span(3, 8, 3, 9)
    assert locations.locate(("b", "c")) == Span(2, 16, 2, 22)


def test_many_values_stay_small() -> None:
    count = 200_000
    text = '{"Statement": [' + ",".join(["1"] * count) + "]}"
    tracemalloc.start()
    try:
        locations = JsonLocations(text)
        last = 15 + 2 * (count - 1) + 1
        assert locations.locate(("Statement", count - 1)) == Span(1, last, 1, last + 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * 1024 * 1024  # about 40 bytes a value (a path-keyed dictionary took about 300)
