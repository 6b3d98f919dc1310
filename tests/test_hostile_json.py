"""Hostile and malformed files: at most an ISL000 finding with a position, never a traceback,
and the good files beside them are still linted."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint.config import config_from_table
from iam_saas_lint.engine import run
from iam_saas_lint.sources.text import files
from iam_saas_lint.sources.text.jsonfile import nesting_depth

TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",\n'
    ' "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]}\n'
)


def _lint(root: Path, **config: object) -> list[str]:
    result = run(["."], config_from_table(config, str(root)))
    return [f"{f.rule} {f.path}:{f.line}:{f.column}" for f in result.findings]


@pytest.fixture
def tree(in_tmp: Path) -> Path:
    (in_tmp / "good").mkdir()
    (in_tmp / "good" / "trust.json").write_text(TRUST)
    (in_tmp / "bad").mkdir()
    return in_tmp


GOOD = ["ISL005 good/trust.json:1:1", "ISL001 good/trust.json:2:2"]


def test_truncated(tree: Path) -> None:
    (tree / "bad" / "trust.json").write_text(TRUST[:70])
    assert _lint(tree) == ["ISL000 bad/trust.json:1:71", *GOOD]


def test_binary_with_iam_markers_is_reported_and_other_binary_skipped(tree: Path) -> None:
    (tree / "bad" / "policy.json").write_bytes(b'{"Statement": \x00\x01\x02\xff\xfe')
    (tree / "bad" / "image.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert _lint(tree) == ["ISL000 bad/policy.json:1:18", *GOOD]


def test_invalid_utf8(tree: Path) -> None:
    (tree / "bad" / "trust.json").write_bytes(b'{\n"Statement": "\xc3\x28"}')
    assert _lint(tree) == ["ISL000 bad/trust.json:2:15", *GOOD]


def test_deep_nesting(tree: Path) -> None:
    depth = 50_000
    (tree / "bad" / "deep.json").write_text('{"Statement": ' + "[" * depth + "]" * depth + "}")
    (tree / "bad" / "deep-unrelated.json").write_text("[" * depth + "]" * depth)
    assert _lint(tree) == ["ISL000 bad/deep.json:1:1", *GOOD]


def test_byte_order_marks_are_read(tree: Path) -> None:
    (tree / "bad" / "trust.json").write_bytes(codecs.BOM_UTF8 + TRUST.encode())
    (tree / "utf16").mkdir()
    (tree / "utf16" / "trust.json").write_bytes(TRUST.encode("utf-16"))
    assert _lint(tree) == [
        "ISL005 bad/trust.json:1:1",
        "ISL001 bad/trust.json:2:2",
        *GOOD,
        "ISL005 utf16/trust.json:1:1",
        "ISL001 utf16/trust.json:2:2",
    ]


def test_oversized_file(tree: Path) -> None:
    (tree / "bad" / "trust.json").write_text(TRUST + " " * 2000)
    assert _lint(tree, **{"max-file-size": 1000}) == ["ISL000 bad/trust.json:1:1", *GOOD]


def test_a_folder_named_like_a_policy(tree: Path) -> None:
    (tree / "bad" / "trust.json").mkdir()
    assert _lint(tree) == GOOD


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_links_and_fifos_are_not_followed(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "trust.json"
    outside.write_text(TRUST)
    (tree / "bad" / "outside.json").symlink_to(outside)
    (tree / "bad" / "loop").symlink_to(tree / "bad")
    os.mkfifo(tree / "bad" / "fifo.json")
    result = run(["."], config_from_table({}, str(tree)))
    assert [f"{f.rule} {f.path}" for f in result.findings] == ["ISL005 good/trust.json", "ISL001 good/trust.json"]
    reasons = dict(result.skipped)
    assert reasons["bad/outside.json"] == "link to a file outside the scanned folder: not followed"
    assert reasons["bad/fifo.json"] == "not a regular file (a FIFO, socket or device): not opened"
    assert reasons["bad/loop"] == "link to a folder: not followed"


def test_unreadable_file_is_an_error_and_the_rest_is_linted(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / "bad" / "trust.json").write_text(TRUST)
    real_open = files._non_blocking

    def deny(path: str, flags: int) -> int:
        if str(path).endswith(os.path.join("bad", "trust.json")):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags)

    monkeypatch.setattr(files, "_non_blocking", deny)
    result = run(["."], config_from_table({}, str(tree)))
    assert result.internal_error
    assert [f"{f.rule} {f.path}:{f.line}:{f.column} {f.message}" for f in result.findings] == [
        "ISL000 bad/trust.json:1:1 cannot read the file: Permission denied",
        "ISL005 good/trust.json:1:1 " + result.findings[1].message,
        "ISL001 good/trust.json:2:2 " + result.findings[2].message,
    ]


def _depth(value: object) -> int:
    """The plain recursive definition the level-by-level count must agree with."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


_TREES = st.recursive(
    st.none() | st.integers() | st.text(max_size=2),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=2), children, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_TREES, st.integers(min_value=0, max_value=8))
def test_nesting_depth_is_the_depth_up_to_one_past_the_limit(value: object, limit: int) -> None:
    depth = _depth(value)
    counted = nesting_depth(value, limit)
    assert counted == depth if depth <= limit else counted == limit + 1


def test_nesting_depth_counts_empty_containers_and_each_level_once() -> None:
    assert nesting_depth([[1], [[{}]], {"a": []}], 100) == 4
    assert nesting_depth(["x", 1, None], 100) == 1
    assert nesting_depth("x", 100) == 0
    assert nesting_depth([[[[[]]]]], 2) == 3
