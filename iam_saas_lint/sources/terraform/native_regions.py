"""A native-syntax file read block by block: the blocks are parsed, only those a verdict can need are
turned into the evaluator's nodes up front.

``split`` finds the blocks, and the text in them the parser need not read (quiet text). All blocks
are parsed together, in one parse of their ranges, so that a syntax error anywhere is reported as
for a whole file (a file Terraform would reject is ISL000); an error, or a block that does not come
out where ``split`` put it, and the file is parsed whole, as before (a file that does not parse is
reported and not read). The blocks any verdict may read (IAM resources, data sources, variables,
locals, outputs, module calls, providers) have their headers read now; the others (instances,
buckets, networks, ``terraform``, ``moved``…) are turned into the evaluator's nodes only if it looks
one up: that conversion, not the parse, is where most of their cost was.
"""

from __future__ import annotations

from typing import Any

from ...model.values import Span
from . import native
from .split import Region, split
from .syntax import Block

TsNode = Any
#: The kinds of top-level blocks the module indexes (the others are never turned into nodes).
_INDEXED = frozenset({"resource", "data", "variable", "provider", "locals", "module", "output"})


class Later:
    """A top-level block not parsed yet: its header as ``split`` read it."""

    def __init__(self, region: Region, file: RegionFile) -> None:
        self.kind = region.kind
        self.labels = region.labels
        self.names: tuple[str, ...] = ()
        self.region = region
        self.file = file

    @property
    def span(self) -> Span:
        """The block's place, as converting it would give."""
        (line, column), (end_line, end_column) = map(
            self.file.positions.line_column, (self.region.start_point, self.region.end_point)
        )
        return Span(line, column, end_line, end_column, self.file.path)

    def convert(self) -> Block:
        return self.file.convert_later(self.region)


class RegionFile:
    """The file's text and what is parsed of it."""

    def __init__(self, path: str, text: str, data: bytes) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.positions = native.Positions(data, text.isascii())
        #: The file's blocks parsed together (those not needed up front become nodes when looked up).
        self.blocks: native.ParsedFile | None = None

    def parse(self, regions: list[Region]) -> native.ParsedFile | None:
        """The regions parsed together; None when that is not exactly their blocks, without an error."""
        parser = native.range_parser()
        parser.included_ranges = self._ranges(regions)
        tree, stopped = native.bounded_parse(parser, self.data, sum(r.end - r.start for r in regions))
        root = tree.root_node
        if root.has_error or stopped:
            return None
        body = native.body_node(root)
        found = [c for c in body.named_children if c.type != "comment"] if body is not None else []
        if [(c.type, c.start_byte, c.end_byte) for c in found] != [("block", r.start, r.end) for r in regions]:
            return None
        return native.ParsedFile(self.path, self.data, root, self.positions, tree)

    def _ranges(self, regions: list[Region]) -> list[Any]:
        """What the parser reads of ``regions``: each block but its quiet text (see ``split``)."""
        from tree_sitter import Range

        data = self.data
        ranges = []
        row, row_start, counted = 0, 0, 0  # the row of offset ``counted`` and where that row starts

        def point(offset: int) -> tuple[int, int]:
            nonlocal row, row_start, counted
            rows = data.count(b"\n", counted, offset)
            if rows:
                row += rows
                row_start = data.rfind(b"\n", counted, offset) + 1
            counted = offset
            return row, offset - row_start

        for region in regions:
            start, start_point = region.start, point(region.start)
            quiet = region.quiet
            for index in range(0, len(quiet), 2):
                ranges.append(Range(start_point, point(quiet[index]), start, quiet[index]))
                start, start_point = quiet[index + 1], point(quiet[index + 1])
            ranges.append(Range(start_point, point(region.end), start, region.end))
        return ranges

    def convert_later(self, region: Region) -> Block:
        """A block not needed up front, made into the evaluator's nodes when it looks it up (its
        parse, with the file's other blocks, was checked when the file was read)."""
        for top in native.top_blocks(self.blocks, (region.start,)) if self.blocks is not None else ():
            if (top.kind, top.labels) == (region.kind, region.labels):
                return top.convert()
        raise BlockError("invalid HCL: a block could not be read on its own", _span(self.positions, region))


class BlockError(Exception):
    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


def _span(positions: native.Positions, region: Region) -> Span:
    line, column = positions.line_column(region.start_point)
    return Span(line, column, line, column)


def _needed_now(region: Region) -> bool:
    if region.kind == "resource":
        return len(region.labels) == 2 and region.labels[0].startswith("aws_iam_")
    return region.kind in _INDEXED


Read = list[native.TopBlock | Later] | native.ParseError
#: Files read to plan module calls, kept for the unit that reads them next in the same process (its
#: verdict reads the same text): by path, the text, the parser's budget and what was read.
_KEPT: dict[str, tuple[str, int | None, Read]] = {}
#: At most this many characters of text are kept so (past it, a file is simply read again).
KEPT_CHARACTERS = 2 * 1024 * 1024


def read_blocks(path: str, text: str, budget: int | None, keep: bool = False) -> Read:
    """The file's top-level blocks, those a verdict can need parsed now, the others when converted.

    ``keep``: the file is read again soon (planning module calls); what is read is kept for then."""
    kept = _KEPT.pop(path, None)
    if kept is not None and kept[0] == text and kept[1] == budget:
        return kept[2]
    found = _read_blocks(path, text, budget)
    if keep and sum(len(entry[0]) for entry in _KEPT.values()) + len(text) <= KEPT_CHARACTERS:
        _KEPT[path] = (text, budget, found)
    return found


def _read_blocks(path: str, text: str, budget: int | None) -> Read:
    too_large = native.over_budget(text, budget)
    if too_large is not None:
        return too_large
    data = text.encode("utf-8", "surrogatepass")
    regions = split(data)
    if regions == []:
        return []
    if regions is not None:
        file = RegionFile(path, text, data)
        file.blocks = parsed = file.parse(regions)
        if parsed is not None:  # else an error somewhere: parsed whole below
            now = [region for region in regions if _needed_now(region)]
            tops = native.top_blocks(parsed, {r.start for r in now})
            if [(top.kind, top.labels) for top in tops] == [(r.kind, r.labels) for r in now]:
                parsed_tops = iter(tops)
                return [next(parsed_tops) if _needed_now(region) else Later(region, file) for region in regions]
    whole = native.parse(path, text)
    if isinstance(whole, native.ParseError):
        return whole
    return list(native.top_blocks(whole))
