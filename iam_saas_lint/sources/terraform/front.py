"""One file's top-level blocks through the front end of its syntax (native HCL or JSON)."""

from __future__ import annotations

from collections.abc import Callable

from ...model.document import Problem
from ..text.files import TextFile
from . import native
from .files import is_json_syntax
from .syntax import Attribute, Block, PendingBlock
from .syntax_build import TooDeep

Given = tuple[object, str, Attribute | None]


def read_file_blocks(text: TextFile, max_bytes: int, keep: bool = False) -> list[PendingBlock] | Problem:
    if is_json_syntax(text.path):
        from .json_syntax import json_blocks  # here: a folder of .tf files does not need the JSON front end

        return json_blocks(text, max_bytes)

    from .native_regions import read_blocks

    tops = read_blocks(text.path, text.text, native.hcl_budget(max_bytes), keep)
    if isinstance(tops, native.ParseError):
        return Problem(text.path, tops.message, tops.span)
    return [
        PendingBlock(top.kind, top.labels, text.path, _guarded(text.path, top.convert), top.names, top.span)
        for top in tops
    ]


def _guarded(path: str, convert: Callable[[], Block]) -> Callable[[], Block | Problem]:
    from .native_regions import BlockError

    def run() -> Block | Problem:
        try:
            return convert()
        except TooDeep as error:
            return Problem(path, str(error), error.span)
        except BlockError as error:
            return Problem(path, error.message, error.span)

    return run


def native_variables(text: TextFile, max_bytes: int) -> dict[str, Callable[[], Attribute | Problem]] | Problem:
    """The attributes of a ``.tfvars`` file, each turned into nodes when its variable is used."""

    parsed = native.parse(text.path, text.text, native.hcl_budget(max_bytes))
    if isinstance(parsed, native.ParseError):
        return Problem(text.path, parsed.message, parsed.span)
    found: dict[str, Callable[[], Attribute | Problem]] = {}
    for name, node in native.top_attribute_nodes(parsed).items():
        found[name] = _attribute_thunk(text.path, parsed, node)
    return found


def _attribute_thunk(path: str, parsed: object, node: object) -> Callable[[], Attribute | Problem]:
    def run() -> Attribute | Problem:

        assert isinstance(parsed, native.ParsedFile)
        try:
            return native.attribute_of(parsed, node)
        except TooDeep as error:
            return Problem(path, str(error), error.span)

    return run
