"""The native-syntax front end: tree-sitter-hcl trees turned into ``syntax`` nodes.

tree-sitter is imported on first use (only when a Terraform file is read). A file is parsed whole
(tree-sitter is linear-time and in C); its top-level blocks are turned into nodes only when the
module needs them. tree-sitter recovers from errors; a file with any error node is reported at the
first one and not read, as Terraform would refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import lru_cache
from typing import Any

from ...model.values import Span
from ...patterns import lazy_compile
from ...records import dataclass
from .syntax import Attribute, Block, Expr, Literal, Placer, TemplateText
from .syntax_build import Converter, TooDeep, label_text

TsNode = Any  # tree_sitter.Node


class HclUnavailable(Exception):
    """tree-sitter or its HCL grammar is not installed."""


@lru_cache(maxsize=1)
def _parser() -> Any:
    try:
        import tree_sitter
        import tree_sitter_hcl
    except ImportError as error:
        raise HclUnavailable(f"tree-sitter-hcl is not installed ({error}): Terraform files cannot be read") from error
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def range_parser() -> Any:
    """A second parser, whose included ranges are set for each parse (parts of a file)."""
    return _second_parser(_parser().language)


@lru_cache(maxsize=1)
def _second_parser(language: Any) -> Any:
    import tree_sitter

    return tree_sitter.Parser(language)


def check_available() -> None:
    _parser()


#: Characters that start or separate HCL tokens; their count bounds the parser's memory.
_STRUCTURAL = str.maketrans("", "", '{}[]()=,:.?+-*/%<>!&|"\n')
#: tree-sitter keeps about 270 bytes and takes about 1.4 µs for each such character (a 5 MB file of
#: ``a=1`` lines: 2.6 million of them, 3.7 s and 700 MB). ``max-file-size / 16`` (327,680 by
#: default, fifty times the busiest real module file) keeps one file under about 0.5 s and 100 MB.
BYTES_PER_STRUCTURAL = 16
#: tree-sitter's error recovery re-reads the text: about one read of 1 KB per KB of a well-formed
#: file, thousands per KB for an unterminated heredoc or string followed by blank lines (16,000
#: of them: 150,000 reads, 2.4 s). Past this many reads per KB the parser is stopped.
_READS_PER_CHUNK = 8
_CHUNK = 1024


def hcl_budget(max_bytes: int) -> int:
    return max(max_bytes // BYTES_PER_STRUCTURAL, 1)


def structural_count(text: str) -> int:
    return len(text) - len(text.translate(_STRUCTURAL))


@dataclass(frozen=True)
class ParseError:
    message: str
    span: Span


class Positions:
    """tree-sitter points (row, byte column) as 1-based lines and character columns."""

    def __init__(self, data: bytes, ascii_only: bool) -> None:
        self.data = data
        self.ascii_only = ascii_only
        self._starts: list[int] | None = None

    def line_column(self, point: tuple[int, int]) -> tuple[int, int]:
        row, column = point
        if self.ascii_only:
            return row + 1, column + 1
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(b"\n", self.data)]
        start = self._starts[row] if row < len(self._starts) else len(self.data)
        return row + 1, len(self.data[start : start + column].decode("utf-8", "replace")) + 1


@dataclass
class ParsedFile:
    path: str
    data: bytes
    root: TsNode
    positions: Positions
    tree: Any

    def converter(self) -> Converter:
        converter = Converter(self.path, self.data, self.positions.line_column, heredoc_text=self.heredoc)
        converter.direct = self.positions.ascii_only
        return converter

    def heredoc(self, node: TsNode, span: Span) -> Expr:
        return heredoc_text(self, node, span)


def _first_error(root: TsNode) -> TsNode | None:
    cursor = root.walk()
    while True:
        node = cursor.node
        if node.is_error or node.is_missing:
            return node
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None


def _error_problem(parsed_data: bytes, positions: Positions, node: TsNode | None, stopped: bool) -> ParseError:
    if node is None:
        return ParseError("invalid HCL", Span(1, 1, 1, 1))
    line, column = positions.line_column(tuple(node.start_point))
    span = Span(line, column, line, column)
    if node.is_missing:
        what = f"missing {node.type!r}"
    else:
        lines = parsed_data[node.start_byte : node.end_byte].decode("utf-8", "replace").strip().splitlines()
        first = lines[0].strip() if lines else ""
        what = f"{first[:40]!r} does not parse" if first else "unexpected end of file"
    if stopped:
        what += " (the parser stopped: recovering from this error takes more work than the file's size warrants)"
    return ParseError(f"invalid HCL: {what}", span)


_HEREDOC = lazy_compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\r?$", re.MULTILINE)


def _unterminated_heredoc(text: str) -> ParseError | None:
    """A heredoc whose marker never closes it: reported where it opens (the parser's error is at the end)."""
    for opening in _HEREDOC.finditer(text):
        closing = re.compile(rf"^[ \t]*{re.escape(opening.group(1))}[ \t]*\r?$", re.MULTILINE)
        if closing.search(text, opening.end()) is None:
            line = text.count("\n", 0, opening.start()) + 1
            column = opening.start() - (text.rfind("\n", 0, opening.start()) + 1) + 1
            return ParseError(
                f"invalid HCL: the heredoc <<{opening.group(1)} is never closed", Span(line, column, line, column)
            )
    return None


def over_budget(text: str, budget: int | None) -> ParseError | None:
    if budget is not None:
        count = structural_count(text)
        if count > budget:
            return ParseError(
                f"too large for the HCL parser: {count:,} delimiters and operators, over the {budget:,} "
                f"it is given (max-file-size / {BYTES_PER_STRUCTURAL}); not read",
                Span(1, 1, 1, 1),
            )
    return None


def parse(path: str, text: str, budget: int | None = None) -> ParsedFile | ParseError:
    """The tree of ``text``, or where it does not parse (also when it is too large to parse)."""
    too_large = over_budget(text, budget)
    if too_large is not None:
        return too_large
    data = text.encode("utf-8", "surrogatepass")
    positions = Positions(data, text.isascii())
    tree, stopped = bounded_parse(_parser(), data, len(data))
    root = tree.root_node
    if root.has_error or stopped:
        return _unterminated_heredoc(text) or _error_problem(data, positions, _first_error(root), stopped)
    return ParsedFile(path, data, root, positions, tree)


def bounded_parse(parser: Any, data: bytes, size: int) -> tuple[Any, bool]:
    """The tree of ``data`` (of its included ranges, ``size`` bytes in all), and whether the parser
    was stopped for reading the text too many times."""
    reads = 0
    allowed = _READS_PER_CHUNK * (size // _CHUNK + 1) + 64

    def read(offset: int, _point: object) -> bytes:
        nonlocal reads
        reads += 1
        return data[offset : offset + _CHUNK] if reads <= allowed else b""

    tree = parser.parse(read)
    return tree, reads > allowed


def body_node(root: TsNode) -> TsNode | None:
    for child in root.named_children:
        if child.type == "body":
            return child
    return None


@dataclass
class TopBlock:
    """A top-level block, its header read, its body not converted yet."""

    kind: str
    labels: tuple[str, ...]
    span: Span
    node: TsNode
    parsed: ParsedFile
    #: Attribute names of a ``locals`` block (what it declares).
    names: tuple[str, ...] = ()

    def convert(self) -> Block:
        converter = self.parsed.converter()
        body = converter.body(_child_of_type(self.node, "body"))
        return Block(self.kind, self.labels, body, self.span)


def _child_of_type(node: TsNode, kind: str) -> TsNode | None:
    for child in node.named_children:
        if child.type == kind:
            return child
    return None


def top_blocks(parsed: ParsedFile, starts: Collection[int] | None = None) -> list[TopBlock]:
    """The file's top-level blocks (those that start at ``starts``, when given), headers read."""
    body = body_node(parsed.root)
    if body is None:
        return []
    found: list[TopBlock] = []
    converter = parsed.converter()
    for child in body.named_children:
        if child.type != "block" or (starts is not None and child.start_byte not in starts):
            continue
        parts = [c for c in child.named_children if c.type in ("identifier", "string_lit")]
        kind, labels = label_text(parsed.data, parts[0]), tuple(label_text(parsed.data, p) for p in parts[1:])
        names: tuple[str, ...] = ()
        if kind == "locals":
            inner = _child_of_type(child, "body")
            names = tuple(
                label_text(parsed.data, a.named_children[0])
                for a in (inner.named_children if inner is not None else [])
                if a.type == "attribute"
            )
        found.append(TopBlock(kind, labels, converter.span(child), child, parsed, names))
    return found


def top_attribute_nodes(parsed: ParsedFile) -> dict[str, TsNode]:
    """The attributes at the top of a file (a ``.tfvars`` file), by name; later ones win."""
    body = body_node(parsed.root)
    found: dict[str, TsNode] = {}
    for child in body.named_children if body is not None else []:
        if child.type == "attribute":
            found[label_text(parsed.data, child.named_children[0])] = child
    return found


def heredoc_text(parsed: ParsedFile, node: TsNode, span: Span) -> Expr:
    """A heredoc's body as text, placed in its file (it starts on the line after the marker)."""
    markers = [c for c in node.named_children if c.type == "heredoc_identifier"]
    start_node = _child_of_type(node, "heredoc_start")
    dedent = start_node is not None and parsed.data[start_node.start_byte : start_node.end_byte].startswith(b"<<-")
    if len(markers) < 2:
        return Literal("", span)
    opening_end = parsed.data.find(b"\n", markers[0].end_byte)
    closing = markers[-1]
    closing_line_start = parsed.data.rfind(b"\n", 0, closing.start_byte) + 1
    body = parsed.data[opening_end + 1 : closing_line_start] if closing_line_start > opening_end else b""
    first_line = span.line + 1
    file = parsed.path

    def placer(inner: Span) -> Span:
        return Span(inner.line + first_line - 1, inner.column, inner.end_line + first_line - 1, inner.end_column, file)

    return TemplateText(body.decode("utf-8", "replace"), placer, span, dedent=dedent)


def parse_snippet(text: str, file: str, placer: Placer) -> Expr | None:
    """An interpolation's expression parsed on its own, its spans placed in its file through ``placer``."""
    source = f"x = {text}\n"
    parsed = parse(file, source)
    if isinstance(parsed, ParseError):
        return None
    body = body_node(parsed.root)
    attribute = next((c for c in (body.named_children if body else []) if c.type == "attribute"), None)
    if attribute is None:
        return None

    def place(point: tuple[int, int]) -> tuple[int, int]:
        line, column = parsed.positions.line_column(point)
        if line == 1:
            column -= 4  # "x = "
        moved = placer(Span(line, column, line, column))
        return moved.line, moved.column

    converter = Converter(placer(Span(1, 1, 1, 1)).file or file, parsed.data, place, heredoc_text=parsed.heredoc)
    try:
        return converter.attribute(attribute).expr
    except TooDeep:
        return None


def convert_guarded(convert: Callable[[], Block]) -> Block | ParseError:
    try:
        return convert()
    except TooDeep as error:
        return ParseError(str(error), error.span)


def attribute_of(parsed: ParsedFile, node: TsNode) -> Attribute:
    return parsed.converter().attribute(node)
