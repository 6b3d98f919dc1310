"""The compact JSON locator finds every value where a plain path → offsets scan finds it."""

from __future__ import annotations

import json
import re
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_saas_lint.model.values import JsonPath, Span
from iam_saas_lint.sources.text.files import TextFile
from iam_saas_lint.sources.text.json_locations import JsonLocations, _scan
from iam_saas_lint.sources.text.json_outline import JsonOutline, NotOutlined, find_in_valid
from iam_saas_lint.sources.text.jsonfile import JsonFile, parse_json

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


# The outline (reading only the containers on a path) against the token scanner, which reads every
# token: on any text both must give the same offsets, or the outline must step aside.

_ESCAPED_KEYS = st.sampled_from(["a", "b", "é", "𝄞", 'q"uote', "back\\slash", "tab\t", "a/b", "", "Statement"])


def _spelled(text: str, draw: st.DrawFn) -> str:
    """A JSON string literal for ``text``, in one of the spellings JSON allows."""
    spelling = draw(st.sampled_from(["plain", "ascii", "slash", "unicode"]))
    if spelling == "unicode":
        return '"' + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c for c in text) + '"'
    literal = json.dumps(text, ensure_ascii=spelling == "ascii")
    return literal.replace("/", "\\/") if spelling == "slash" else literal


@st.composite
def _json_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """Valid JSON text with duplicate keys, escapes, non-ASCII and any JSON whitespace."""
    space = st.sampled_from(["", " ", "\n", "\t", "\r\n  "])
    kind = draw(st.sampled_from(["object", "array", "scalar"] if depth < 6 else ["scalar"]))
    if kind == "scalar":
        return draw(
            st.sampled_from(
                ["1", "-0.5e+3", "true", "null", "NaN", "-Infinity", '"x"', '"\\u00e9\\n"', '"𝄞"', "[]", "{}"]
            )
        )
    children = draw(st.lists(_json_texts(depth + 1), max_size=4))
    if kind == "array":
        return "[" + ",".join(draw(space) + child + draw(space) for child in children) + "]"
    keys = [_spelled(draw(_ESCAPED_KEYS), draw) for _ in children]
    members = (
        draw(space) + key + draw(space) + ":" + draw(space) + child for key, child in zip(keys, children, strict=True)
    )
    return "{" + ",".join(members) + draw(space) + "}"


def _all_paths(data: object, path: JsonPath = ()) -> list[JsonPath]:
    found = [path]
    if isinstance(data, list):
        for i, item in enumerate(data):
            found.extend(_all_paths(item, (*path, i)))
    elif isinstance(data, dict):
        for key, item in data.items():
            found.extend(_all_paths(item, (*path, key)))
    return found


def _asked(text: str) -> list[JsonPath]:
    """Every path of the parsed value, paths under earlier copies of duplicate keys, and paths
    that are not there or take the wrong kind of step."""
    paths = _all_paths(json.loads(text))
    paths += _all_paths(json.loads(text, object_pairs_hook=lambda pairs: [value for _, value in pairs]))
    wrong = [(*path, step) for path in paths[:20] for step in ("nope", 0, 1, -1, True, 99, "")]
    return paths + wrong


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json_texts(), st.sampled_from(["", " ", "\n\t"]))
def test_the_outline_finds_what_the_token_scanner_finds_in_valid_json(text: str, around: str) -> None:
    text = around + text + around
    scanner = _scan(text)
    outline = JsonOutline(text)
    for path in _asked(text):
        number = scanner.find(path)
        expected = None if number is None else (scanner.starts[number], scanner.ends[number])
        assert outline.find(path) == expected, path


def _repeats_a_key(text: str) -> bool:
    repeated: list[bool] = []

    def pairs_hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        repeated.append(len(dict(pairs)) != len(pairs))
        return dict(pairs)

    json.loads(text, object_pairs_hook=pairs_hook)
    return any(repeated)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json_texts(), st.sampled_from(["", " ", "\n\t"]))
def test_a_walk_through_valid_json_without_repeated_keys_finds_what_the_outline_finds(text: str, around: str) -> None:
    text = around + text + around
    if _repeats_a_key(text):
        return
    outline = JsonOutline(text)
    walked, outlined = JsonLocations(text, parsed_unique=True), JsonLocations(text)
    for path in _asked(text):
        assert find_in_valid(text, path) == outline.find(path), path
        assert walked.locate(path) == outlined.locate(path), path


def test_a_json_file_with_a_repeated_key_is_located_by_the_outline_and_its_last_copy() -> None:
    text = '{"Statement": [{"Effect": "Allow"}],\n "Statement": [{"Effect": "Deny"}]}'
    parsed = parse_json(TextFile("policy.json", text))
    assert isinstance(parsed, JsonFile) and parsed.has_duplicates
    assert parsed.locations.locate(("Statement", 0, "Effect")) == Span(2, 17, 2, 33)
    assert find_in_valid(text, ("Statement", 0, "Effect")) == (16, 33)  # the first copy: not asked here


def test_the_outline_reads_deep_nesting_and_escaped_duplicate_keys_like_the_scanner() -> None:
    deep = '{"a":' * 90 + '{"\\u0061": 1, "a": [2, {"é": "\\"}"}]}' + "}" * 90
    duplicated = '{"k": {"x": [1, 2]},\n "\\u006b": {"y": "\\ud834\\udd1e"},\r\n "k" : [3, {"z": null}]}'
    for text in (deep, duplicated):
        scanner, outline = _scan(text), JsonOutline(text)
        for path in _asked(text):
            number = scanner.find(path)
            assert outline.find(path) == (None if number is None else (scanner.starts[number], scanner.ends[number]))
    assert JsonLocations(duplicated).locate(("k", 1, "z")) == Span(3, 13, 3, 22)
    assert JsonLocations(duplicated).locate(("k", "x")) is None  # an earlier copy: not what json keeps


@pytest.mark.parametrize(
    ("text", "path", "span"),
    [
        ('{"a": 1} {"a": 2}', ("a",), Span(1, 11, 1, 17)),  # two values: the scanner locates in the last
        ('{"a": 1, "b": [1 2]}', ("a",), Span(1, 2, 1, 8)),  # broken in a sibling the outline steps over
        ('{"a": {"b": 1}', ("a", "b"), Span(1, 8, 1, 14)),  # never closed
        ('{"a": "\x01", "b": 2}', ("b",), Span(1, 12, 1, 18)),  # a control character json refuses
        ('{"a": 1e999999, "b": ' + "9" * 5000 + "}", ("a",), Span(1, 2, 1, 15)),  # past int's digit limit
    ],
)
def test_text_that_is_not_one_valid_json_value_is_located_by_the_scanner(text: str, path: JsonPath, span: Span) -> None:
    with pytest.raises(NotOutlined):
        JsonOutline(text).find(path)
    assert JsonLocations(text).locate(path) == span


def test_an_object_of_many_keys_stays_small() -> None:
    count = 200_000
    text = '{"Statement": {' + ",".join(f'"k{i}": {i}' for i in range(count)) + "}}"
    tracemalloc.start()
    try:
        located = JsonLocations(text).locate(("Statement", f"k{count - 1}"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    column = text.index(f'"k{count - 1}"') + 1
    assert located == Span(1, column, 1, column + len(f'"k{count - 1}": {count - 1}'))
    # 32 MB measured, most of it the json scanner's dict while it steps over the object; the token
    # scanner took 34 MB, and three offsets a member kept as a tuple 47 MB
    assert peak < 40 * 1024 * 1024
