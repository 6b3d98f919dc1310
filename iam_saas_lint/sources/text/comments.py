"""Inline suppressions written as comments (YAML and HCL): ``# iam-saas-lint: ignore[ISL005] reason``.

Only what the language's tokenizer takes for a comment can suppress: the same words inside a quoted
string, a YAML block scalar, a Terraform heredoc or a JSON document (which has no comments) are
text, and a file could otherwise hide its own findings in a ``Description`` or a ``Sid``. YAML
comments are the gaps libyaml's scanner leaves between tokens; HCL comments come from a small
lexer that knows quoted strings, ``${…}`` templates, heredocs and block comments. Where either
stops understanding the text (a syntax error, a token budget), nothing after that point suppresses.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Literal

from ...model.document import Suppression
from ...model.values import Span
from ...patterns import lazy_compile

MARKER = "iam-saas-lint:"
#: A comment's text from its ``#`` or ``//``: what makes it a suppression.
_SUPPRESSION = lazy_compile(r"(?:#|//)\s*iam-saas-lint:\s*ignore\[([^\]\n]*)\]\s*(.*?)\s*$")
#: Tokens scanned for YAML comments: four per node at most, over the YAML reader's node limit.
YAML_TOKEN_LIMIT = 1_000_000

Syntax = Literal["yaml", "hcl"]


def comment_suppressions(path: str, text: str, syntax: Syntax = "hcl") -> list[Suppression]:
    """The suppressions written in the comments of ``text`` (YAML or HCL; JSON has none)."""
    if MARKER not in text:
        return []
    comments = _yaml_comments(text) if syntax == "yaml" else _hcl_comments(text)
    line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
    found: list[Suppression] = []
    for start, comment in comments:
        match = _SUPPRESSION.match(comment)
        if match is None:
            continue
        line = bisect.bisect_right(line_starts, start)
        column = start - line_starts[line - 1] + 1
        rules = tuple(part.strip().upper() for part in match.group(1).split(",") if part.strip())
        span = Span(line, column, line, column + len(comment))
        found.append(Suppression(rules, match.group(2), path, span))
    return found


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _yaml_comments(text: str) -> Iterator[tuple[int, str]]:
    """Comments are what the scanner skips between tokens: in those gaps a ``#`` starts one."""
    from .pyyaml import import_yaml

    import_yaml()
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    markers = [match.start() for match in re.finditer(re.escape(MARKER), text)]
    previous_end = 0
    try:
        for _ in range(YAML_TOKEN_LIMIT):
            if not loader.check_token():
                return
            token = loader.get_token()
            start, end = token.start_mark.index, token.end_mark.index
            if start > previous_end and bisect.bisect_left(markers, previous_end) < bisect.bisect_left(markers, start):
                yield from _hash_comments(text, previous_end, start)
            previous_end = max(previous_end, end)
    except yaml.YAMLError:
        return  # past a syntax error nothing is known to be a comment
    finally:
        loader.dispose()


def _hash_comments(text: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    """The ``#`` comments in a stretch of text that holds only blanks and comments."""
    index = text.find("#", start, end)
    while index >= 0:
        stop = _line_end(text, index)
        yield index, text[index:stop].rstrip("\r")
        index = text.find("#", stop, end)


_CODE = lazy_compile(r'[{}"#]|//|/\*|<<-?[A-Za-z_]')
_IN_STRING = lazy_compile(r'["\\\n]|\$\$\{|%%\{|[$%]\{')
_HEREDOC = lazy_compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n")


def _hcl_comments(text: str) -> Iterator[tuple[int, str]]:
    """Line comments (``#`` and ``//``) of HCL: outside strings, heredocs and block comments."""
    #: What encloses the current position: "string" or "template" (a ``${`` in one) or "brace".
    stack: list[str] = []
    index = 0
    while index < len(text):
        if stack and stack[-1] == "string":
            found = _IN_STRING.search(text, index)
            if found is None or found.group() == "\n":
                return  # a quoted string does not span lines: past this, nothing is understood
            token = found.group()
            index = found.end()
            if token == '"':
                stack.pop()
            elif token == "\\":
                index += 1
            elif token in ("${", "%{"):
                stack.append("template")
            continue
        found = _CODE.search(text, index)
        if found is None:
            return
        token = found.group()
        index = found.end()
        if token in ("#", "//"):
            stop = _line_end(text, found.start())
            yield found.start(), text[found.start() : stop].rstrip("\r")
            index = stop
        elif token == "/*":
            close = text.find("*/", index)
            if close < 0:
                return
            index = close + 2
        elif token == '"':
            stack.append("string")
        elif token == "{":
            stack.append("brace")
        elif token == "}":
            if stack:
                stack.pop()
        else:  # a heredoc: its lines are text up to the closing marker
            opening = _HEREDOC.match(text, found.start())
            if opening is None:
                index = found.start() + 2
                continue
            marker = re.escape(opening.group(1))
            closing = re.compile(rf"^[ \t]*{marker}[ \t]*\r?$", re.MULTILINE).search(text, opening.end())
            if closing is None:
                return
            index = closing.end()
