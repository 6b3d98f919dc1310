"""``patterns.lazy_compile``: a module's regular expression is compiled when first used."""

from __future__ import annotations

import re

from iam_saas_lint.patterns import lazy_compile


def test_a_lazy_pattern_compiles_on_first_use_and_then_is_the_compiled_pattern() -> None:
    word = lazy_compile(r"(\w+)-(\d+)", re.ASCII)
    assert "_compiled" not in vars(word)
    found = word.search("x ab-12 cd-3")
    assert found is not None and found.groups() == ("ab", "12") and "_compiled" in vars(word)
    assert [m.group(1) for m in word.finditer("ab-1 cd-2")] == ["ab", "cd"] and word.sub(r"\2", "ab-1") == "1"
    assert word.fullmatch("é-1") is None and word.pattern == r"(\w+)-(\d+)" and word.groups == 2
