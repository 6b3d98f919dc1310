"""One file's top-level blocks through the front end of its syntax (native HCL or JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...model.document import Problem
from ..text.files import TextFile
from .files import is_json_syntax
from .syntax import Attribute, Block


@dataclass
class PendingBlock:
    """A top-level block whose header is read and whose body is turned into nodes on demand."""

    kind: str
    labels: tuple[str, ...]
    file: str
    convert: Callable[[], Block | Problem]
    #: What a ``locals`` block declares.
    names: tuple[str, ...] = ()


#: A variable's value from a variables file: the value (JSON files), the file, the attribute (HCL files).
Given = tuple[object, str, Attribute | None]


def read_file_blocks(text: TextFile, max_bytes: int) -> list[PendingBlock] | Problem:
    if is_json_syntax(text.path):
        from .json_syntax import json_blocks

        return json_blocks(text, max_bytes)
    from . import native

    parsed = native.parse(text.path, text.text, native.hcl_budget(max_bytes))
    if isinstance(parsed, native.ParseError):
        return Problem(text.path, parsed.message, parsed.span)
    return [
        PendingBlock(top.kind, top.labels, text.path, _guarded(text.path, top.convert), top.names)
        for top in native.top_blocks(parsed)
    ]


def _guarded(path: str, convert: Callable[[], Block]) -> Callable[[], Block | Problem]:
    def run() -> Block | Problem:
        from .syntax_build import TooDeep

        try:
            return convert()
        except TooDeep as error:
            return Problem(path, str(error), error.span)

    return run


def native_variables(text: TextFile, max_bytes: int) -> dict[str, Callable[[], Attribute | Problem]] | Problem:
    """The attributes of a ``.tfvars`` file, each turned into nodes when its variable is used."""
    from . import native

    parsed = native.parse(text.path, text.text, native.hcl_budget(max_bytes))
    if isinstance(parsed, native.ParseError):
        return Problem(text.path, parsed.message, parsed.span)
    found: dict[str, Callable[[], Attribute | Problem]] = {}
    for name, node in native.top_attribute_nodes(parsed).items():
        found[name] = _attribute_thunk(text.path, parsed, node)
    return found


def _attribute_thunk(path: str, parsed: object, node: object) -> Callable[[], Attribute | Problem]:
    def run() -> Attribute | Problem:
        from . import native
        from .syntax_build import TooDeep

        assert isinstance(parsed, native.ParsedFile)
        try:
            return native.attribute_of(parsed, node)
        except TooDeep as error:
            return Problem(path, str(error), error.span)

    return run
