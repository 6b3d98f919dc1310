"""Shortcuts of the folder of many roles against what they stand for: a document's memo key is its
JSON text exactly as ``json.dumps`` writes it (a value that is not JSON has none), a memo keeps its
newest entries, statement elements are found in any case, and a file name's stem is what the
role-word pattern leaves."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from iam_saas_lint import lint_paths
from iam_saas_lint.config import load_config
from iam_saas_lint.discovery import discover
from iam_saas_lint.model import cidrs, memo, principals
from iam_saas_lint.model.values import SensitiveText, Unknown
from iam_saas_lint.sources import bundles
from iam_saas_lint.sources.text.paths import display_path

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


def test_a_full_memo_keeps_its_latest_entries_and_no_more_than_its_size() -> None:
    kept: memo.Memo[int] = memo.Memo(size=4)
    for number in range(5):
        kept.put(f"key {number}", number)
    assert [kept.get(f"key {n}") for n in range(5)] == [None, None, 2, 3, 4]
    kept.put("key 5", 5)
    assert [kept.get(f"key {n}") for n in range(6)] == [None, None, 2, 3, 4, 5]
    kept.put("key 6", 6)
    assert [kept.get(f"key {n}") for n in range(7)] == [None, None, None, None, 4, 5, 6]
    for number in range(1000):
        kept.put(f"more {number}", number)
        alive = [n for n in range(number + 1) if kept.get(f"more {n}") is not None]
        assert len(alive) <= 4 and alive[-2:] == list(range(number + 1))[-2:]
    kept.clear()
    assert kept.get("more 999") is None


element_names = st.sampled_from(
    ["Sid", "Effect", "effect", "Principal", "NOTPRINCIPAL", "Action", "NotAction", "action", "Resource"]
    + ["NotResource", "resource", "Condition", "condition", "Other"]
)
element_values = st.one_of(
    st.sampled_from(["Allow", "Deny", "*", "s3:GetObject"]),
    st.lists(st.sampled_from(["a", "*"]), max_size=2),
    st.just({"AWS": "arn:aws:iam::464622532012:root"}),
    st.just({"StringEquals": {"sts:ExternalId": "x"}}),
)
EXTERNAL_ID = {"StringEquals": {"sts:ExternalId": "x"}}


def _found(block: dict[str, object], *names: str) -> tuple[str | None, object]:
    """The first of ``names`` the block holds, spelled exactly or else in any case (first such key)."""
    for name in names:
        if name in block:
            return name, block[name]
        spelled = [key for key in block if key.lower() == name.lower()]
        if spelled:
            return name, block[spelled[0]]
    return None, None


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(element_names, element_values, max_size=6))
def test_statement_elements_are_found_by_name_in_any_case(block: dict[str, object]) -> None:
    from iam_saas_lint.model.statements import parse_statement

    parsed = parse_statement(block, ("Statement", 0))
    effect = _found(block, "Effect")[1]
    assert parsed.effect == (effect if isinstance(effect, str) or effect is None else parsed.effect)
    assert parsed.principal_element == _found(block, "Principal", "NotPrincipal")[0]
    assert parsed.action_element == _found(block, "Action", "NotAction")[0]
    assert parsed.resource_element == _found(block, "Resource", "NotResource")[0]
    condition = _found(block, "Condition")[1]
    assert [entry.key for entry in parsed.conditions] == (["sts:ExternalId"] if condition == EXTERNAL_ID else [])


ROLE_WORDS = re.compile(r"[-_.]?(trust|assume[-_]?role|assume|policy|permissions?|deny|boundary)([-_.]?policy)?$", re.I)
name_parts = st.sampled_from(
    ["trust", "Trust", "assume", "role", "assume-role", "assume_role", "AssumeRole", "policy", "POLICY"]
    + ["permission", "permissions", "deny", "boundary", "role7", "x", "-", "_", ".", "\n", "é"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(name_parts, max_size=7).map("".join))
def test_a_file_names_stem_is_its_name_without_the_role_words_at_its_end(name: str) -> None:
    """The stem pairs a trust policy with the policies of its name; the pattern is searched for only
    near the end of the name, where any match of it lies."""
    assume(os.path.splitext(f"{name}.json")[0] == name)  # not ".json" alone, a dotfile
    assert bundles._stem(f"roles/{name}.json") == ROLE_WORDS.sub("", name).lower()


path_parts = st.sampled_from(["a", ".", "/", "..", "x.json", "-trust", "\u00e9", "\n", " ", ".tf"])


@settings(max_examples=500, deadline=None)
@given(st.lists(path_parts, max_size=8).map("".join))
def test_a_files_name_is_its_base_name_without_its_ending(path: str) -> None:
    """A role's name and a file's stem start from ``_name``, written with string methods."""
    assert bundles._name(path) == os.path.splitext(os.path.basename(path))[0]


def test_a_cidr_ending_in_a_newline_is_no_cidr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CIDRs are read from their octets (no ``ipaddress`` network for a plain one); ``$`` in a pattern
    also matches before a final newline, which once made ``"203.0.113.0/24\\n"`` a valid allow-list."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
                "Condition": {"StringEquals": {"sts:ExternalId": "abc123xyz"}},
            }
        ],
    }
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    deny["Condition"] = {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24\n"]}}
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "x-trust.json").write_text(json.dumps(trust))
    (tmp_path / "r" / "x-policy.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    monkeypatch.chdir(tmp_path)
    findings = lint_paths(["r"])
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == [("ISL006", "r/x-policy.json", 1, 123)]
    assert "'203.0.113.0/24\\n' is not a valid CIDR" in findings[0].message


@pytest.mark.parametrize("text", ["1\u0660.0.0.0/8", "10.0.0.0/1\u0666", "10.0.0.\u0661", "\u0661\u0660.0.0.0/8"])
def test_a_cidr_written_with_other_than_ascii_digits_is_no_cidr(text: str) -> None:
    """``ip_network`` (and IAM) read ASCII digits only; the plain-IPv4 reader must not read more."""
    with pytest.raises(ValueError):
        ipaddress.ip_network(text, strict=False)
    assert cidrs.parse_cidr(text).problem
    assert cidrs.parse_cidr(text).span is None


FULLWIDTH = "".join(chr(0xFF10 + int(d)) for d in "123456789012")  # "１２３４５６７８９０１２"


@pytest.mark.parametrize("principal", [f"arn:aws:iam::{FULLWIDTH}:root", "\u0661" * 12, "123456789012\n"])
def test_an_account_written_with_other_than_ascii_digits_is_no_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, principal: str
) -> None:
    """IAM reads twelve ASCII digits; ``\\d`` and ``isdigit`` take any Unicode digit. Such a principal is
    an unknown account, treated as a third party, never the configured own account it looks like, and
    the memo that judges documents naming different accounts alike never takes it for an account."""
    (tmp_path / "pyproject.toml").write_text('[tool.iam-saas-lint]\nown-accounts = ["123456789012"]\n')
    (tmp_path / ".git").mkdir()
    (tmp_path / "r").mkdir()
    for name, written in (("own", "arn:aws:iam::123456789012:root"), ("odd", principal)):
        trust = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": written}}
        (tmp_path / "r" / f"{name}-trust.json").write_text(json.dumps({"Statement": [trust]}))
    monkeypatch.chdir(tmp_path)
    findings = lint_paths(["r"], load_config(None, "."))
    assert [(f.rule, f.path, f.line, f.column) for f in findings] == [
        ("ISL005", "r/odd-trust.json", 1, 1),
        ("ISL001", "r/odd-trust.json", 1, 64),
    ]
    assert "(account unknown: " in findings[1].message
    assert principals.account_of(principal).account is None


@pytest.mark.parametrize(
    "text",
    [
        "10.0.0.0/8",
        "10.1.2.0/24",
        "10.0.0.0/7",
        "172.31.255.255/32",
        "172.32.0.0/16",
        "100.0.0.0/9",
        "100.64.0.0/11",
        "11.0.0.0/8",
    ]
    + ["fc00::/7", "fd12:3456::/48", "fe80::/10", "fe80::/9", "::1/128", "::2/128", "2001:db8::/32"],
)
def test_a_non_public_range_is_told_by_its_addresses_as_ipaddress_tells_it(text: str) -> None:
    network = ipaddress.ip_network(text)
    expected = any(
        network.version == other.version and network.subnet_of(other)  # type: ignore[arg-type]
        for other in map(ipaddress.ip_network, cidrs.NON_PUBLIC_CIDRS)
    )
    span = cidrs.parse_cidr(text).span
    assert span is not None
    assert cidrs.is_non_public(span) is expected


@pytest.mark.parametrize("top", [".", "./repo", "repo/", "repo/./sub/..", "../here/repo", "<absolute>", "<outside>"])
def test_a_walked_files_shown_path_is_what_display_path_makes_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, top: str
) -> None:
    """Discovery writes a file's path as its folder's shown path and its name (``display_path`` once a
    folder): the same text ``display_path`` makes of the file's path, wherever the walk starts."""
    here = tmp_path / "here"
    for folder in (here / "repo" / "sub", tmp_path / "outside" / "sub"):
        folder.mkdir(parents=True)
        for name in ("x-trust.json", "y.template.json", "z.TF", "skip.txt"):
            (folder / name).write_text("{}")
            (folder.parent / name).write_text("{}")
    monkeypatch.chdir(here)
    start = {"<absolute>": str(here / "repo"), "<outside>": str(tmp_path / "outside")}.get(top, top)
    found = discover([start]).files
    expected = sorted(
        display_path(os.path.join(folder, name))
        for folder, _, names in os.walk(start)
        for name in names
        if not name.endswith(".txt")
    )
    assert found == expected
    assert len(found) == 6
