"""Lines for configuration errors: ``pyproject.toml:12: vendors.x: unknown key 'y'``.

``tomllib`` gives values without positions, so the line of a key is found again in the text: the
table headers and ``key =`` lines, with their dotted and quoted keys. It only places a message; a
key it cannot find gets the line of the nearest table that holds it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .patterns import lazy_compile

_KEY = lazy_compile(r'\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|\'([^\']*)\')\s*')
_HEADER = lazy_compile(r"\s*\[\[?(.*?)\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = lazy_compile(r"\s*((?:[A-Za-z0-9_.\s-]|\"(?:[^\"\\]|\\.)*\"|'[^']*')+?)\s*=")
#: Names in a message: ``vendors.x:``, ``roles[0]:``, ``unknown key 'y'``, ``max-file-size must``.
_NAMES = lazy_compile(r"(?:^|: )([A-Za-z0-9_.-]+)(?:\[\d+\])?(?=:| must| needs| are)|unknown key '([^']*)'")


def _keys(text: str) -> tuple[str, ...] | None:
    """``a."b.c".d`` → ``("a", "b.c", "d")``; ``None`` when it is not a dotted key."""
    keys: list[str] = []
    index = 0
    while True:
        found = _KEY.match(text, index)
        if found is None:
            return None
        bare, basic, literal = found.groups()
        if basic is not None:
            try:
                keys.append(json.loads(f'"{basic}"'))
            except ValueError:
                keys.append(basic)
        else:
            keys.append(bare if bare is not None else literal)
        index = found.end()
        if index == len(text):
            return tuple(keys)
        if text[index] != ".":
            return None
        index += 1


def _line_keys(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """Each header's and assignment's line with the full key path it names."""
    found: list[tuple[int, tuple[str, ...]]] = []
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None and line.lstrip().startswith("["):
            table = _keys(header.group(1)) or table
            found.append((number, table))
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment is not None:
            keys = _keys(assignment.group(1))
            if keys is not None:
                found.append((number, table + keys))
    return found


def _read(path: str) -> str:
    from .safe_files import read_regular

    try:
        return read_regular(path, 1024 * 1024).decode("utf-8", "replace")
    except OSError:
        return ""


def key_line(path: str, keys: Sequence[str], text: str | None = None) -> int:
    """The line that names ``keys`` (or the most of their leading part) in the TOML file ``path``."""
    wanted = tuple(keys)
    best, best_length = 1, -1
    for number, line_keys in _line_keys(_read(path) if text is None else text):
        length = 0
        for mine, theirs in zip(line_keys, wanted, strict=False):
            if mine != theirs:
                break
            length += 1
        if length in (len(line_keys), len(wanted)) and length > best_length:
            best, best_length = number, length
            if length == len(wanted):
                break
    return best


def with_line(message: str, path: str, table: Sequence[str]) -> str:
    """``path: vendors.x: unknown key 'y'`` → ``path:7: vendors.x: unknown key 'y'``."""
    rest = message.removeprefix(f"{path}: ")
    if rest == message:
        return message
    keys = list(table)
    for dotted, unknown in _NAMES.findall(rest):
        keys.extend(dotted.split(".") if dotted else [unknown])
    return f"{path}:{key_line(path, keys)}: {rest}"
