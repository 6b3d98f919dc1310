"""A Terraform file cut into its top-level blocks, so that only the blocks a verdict needs are parsed.

python-hcl2 parses about 200 KB a second. Folders of a hundred ``.tf`` files are common, and most
of their blocks (instances, buckets, networks) never matter to an IAM verdict; parsing them all
made linting one changed file take over a second. ``split`` finds where each top-level block starts
and ends (skipping strings, ``${…}`` templates, heredocs and comments), and ``padded`` turns a
block into text that parses to the same positions as in its file: the lines before it become one
block comment, which the lexer reads as a single token.

Anything ``split`` does not understand makes it give up (``None``): the file is then parsed whole,
as before, and any syntax error is reported as it always was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r'[A-Za-z_][\w-]*(?:[ \t]+(?:"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*))*[ \t]*\{')
_SPACE = re.compile(r"(?:\s+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.DOTALL)
_CODE = re.compile(r'[{}"#]|//|/\*|<<')
_STRING = re.compile(r'["\\\n]|[$%]\{')
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n")


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    #: ``resource "aws_iam_role" "x"``, as written up to the opening brace.
    header: str


def _string_end(text: str, index: int) -> int:
    """The index after the quoted string that starts at ``index``; -1 when it is not one."""
    index += 1
    while True:
        found = _STRING.search(text, index)
        if found is None:
            return -1
        token = found.group()
        if token == '"':
            return found.end()
        if token == "\\":
            index = found.end() + 1
        elif token == "\n":
            return -1  # quoted strings are one line; a newline means this is not what we think
        elif found.start() > 0 and text[found.start() - 1] == token[0]:
            index = found.end()  # $${ and %%{ are literal text
        else:
            index = _braces_end(text, found.end(), 1)
            if index < 0:
                return -1


def _heredoc_end(text: str, index: int) -> int:
    opening = _HEREDOC.match(text, index)
    if opening is None:
        return index + 2  # a << that is not a heredoc (there is no such operator, but do not guess)
    closing = re.compile(rf"^[ \t]*{re.escape(opening.group(1))}[ \t]*\r?$", re.MULTILINE).search(text, opening.end())
    return closing.end() if closing else -1


def _braces_end(text: str, index: int, depth: int) -> int:
    """The index after the brace that closes ``depth`` open braces; -1 when the text ends first."""
    while True:
        found = _CODE.search(text, index)
        if found is None:
            return -1
        token = found.group()
        if token == "{":
            depth += 1
            index = found.end()
        elif token == "}":
            depth -= 1
            index = found.end()
            if depth == 0:
                return index
        elif token == '"':
            index = _string_end(text, found.start())
        elif token == "<<":
            index = _heredoc_end(text, found.start())
        elif token == "/*":
            close = text.find("*/", found.end())
            index = close + 2 if close >= 0 else -1
        else:  # a line comment
            close = text.find("\n", found.end())
            index = close if close >= 0 else len(text)
        if index < 0:
            return -1


def split(text: str) -> list[Block] | None:
    """The top-level blocks of a file, or ``None`` when the file is not a plain sequence of blocks."""
    blocks: list[Block] = []
    index = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    try:
        while index < len(text):
            header = _HEADER.match(text, index)
            if header is None:
                return None
            end = _braces_end(text, header.end(), 1)
            if end < 0:
                return None
            blocks.append(Block(index, end, header.group()[:-1].strip()))
            index = _SPACE.match(text, end).end()  # type: ignore[union-attr]
    except RecursionError:  # templates nested thousands deep: let the parser report them
        return None
    return blocks


def padded(text: str, block: Block) -> str:
    """The block alone, at the line and column where it is written (earlier lines are one comment)."""
    line_start = text.rfind("\n", 0, block.start) + 1
    lines_before = text.count("\n", 0, line_start)
    prefix = ""
    if lines_before:
        prefix = "/*" + "\n" * (lines_before - 1) + "*/\n"
    return prefix + " " * (block.start - line_start) + text[block.start : block.end] + "\n"
