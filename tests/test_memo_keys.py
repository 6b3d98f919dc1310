"""The memos' keys and bounds: a document's key is its JSON text exactly as ``json.dumps`` writes
it, a value that is not JSON has none, and a memo keeps its newest entries only."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint.model import memo
from iam_saas_lint.model.values import SensitiveText, Unknown

texts = st.one_of(st.text(max_size=8), st.sampled_from(["\ud800", "\u2028", "é", '"\\', "\x00"]))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts, texts.map(SensitiveText))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(texts, st.integers(), st.booleans(), st.none()), inner, max_size=3),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_a_documents_key_is_its_json_text_as_dumps_writes_it(value: object) -> None:
    memo.forget()
    expected = json.dumps(value, ensure_ascii=False)
    key = memo.content_key(value)
    marks = memo.sensitive_marks(value)
    assert key == (f"{expected}\0{json.dumps(marks, ensure_ascii=False)}" if marks else expected)


def test_a_value_that_is_not_json_has_no_key() -> None:
    memo.forget()
    circular: list[object] = []
    circular.append(circular)
    assert memo.content_key({"Statement": [{"Effect": Unknown("var.effect")}]}) is None
    assert memo.content_key({"Condition": {("tuple", "key"): "x"}}) is None
    assert memo.content_key(circular) is None
    assert memo.content_key({"Sid": "x" * memo.MEMO_TEXT_LIMIT}) is None


def test_a_full_memo_forgets_its_oldest_entry_first() -> None:
    kept: memo.Memo[int] = memo.Memo(size=3)
    for number in range(5):
        kept.put(f"key {number}", number)
    assert [kept.get(f"key {n}") for n in range(5)] == [None, None, 2, 3, 4]
    kept.put("key 5", 5)
    assert [kept.get(f"key {n}") for n in range(6)] == [None, None, None, 3, 4, 5]
