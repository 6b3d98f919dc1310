"""Override files (``override.tf``, ``*_override.tf`` and their JSON and OpenTofu forms), merged
into the blocks they override as Terraform does.

Terraform reads the other files first, then each override file in turn, in the order of the file
names. A top-level block of an override file merges into the block of the other files with the
same header (its type and labels): each argument it sets replaces the argument of the same name,
and each nested block type it holds replaces every nested block of that type (a ``dynamic "x"``
block counts as an ``x`` block), except ``lifecycle``, merged argument by argument. Locals are
replaced one by one, whichever ``locals`` block holds them. A block that overrides nothing is an
error in Terraform (and an ISL000 here).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from ...model.document import Problem
from .files import MODULE_SUFFIXES
from .syntax import Block, Body, PendingBlock

#: Kinds whose override without a base block Terraform rejects ("Missing base … to override").
_NEEDS_BASE = ("resource", "data", "variable", "output", "module")


def is_override_file(path: str) -> bool:
    name = os.path.basename(path)
    lowered = name.lower()
    suffix = next((s for s in sorted(MODULE_SUFFIXES, key=len, reverse=True) if lowered.endswith(s)), None)
    if suffix is None:
        return False
    stem = name[: -len(suffix)]
    return stem == "override" or stem.endswith("_override")


def split_files(files: Sequence[str]) -> tuple[list[str], list[str]]:
    """The primary files in the order given, and the override files in the order Terraform applies them."""
    primary = [path for path in files if not is_override_file(path)]
    overrides = sorted((path for path in files if is_override_file(path)), key=os.path.basename)
    return primary, overrides


def _nested_type(block: Block) -> str:
    return block.labels[0] if block.kind == "dynamic" and block.labels else block.kind


def merge_body(base: Body, override: Body) -> Body:
    replaced = {_nested_type(block) for block in override.blocks}
    blocks = [block for block in base.blocks if _nested_type(block) not in replaced]
    for block in override.blocks:
        earlier = next((b for b in base.blocks if b.kind == "lifecycle"), None) if block.kind == "lifecycle" else None
        if earlier is not None:
            block = Block("lifecycle", (), Body(block.file, {**earlier.body.attributes, **block.body.attributes},
                                                 list(block.body.blocks)), block.span)  # fmt: skip
        blocks.append(block)
    return Body(base.file, {**base.attributes, **override.attributes}, blocks)


def merge_block(base: Block, override: Block) -> Block:
    """``base`` as ``override`` changes it; the merged block keeps the base's place and names the override's file."""
    also = (*base.also_files, override.file, *override.also_files)
    return Block(base.kind, base.labels, merge_body(base.body, override.body), base.span, also)


def _merged_converter(base: PendingBlock, overrides: list[PendingBlock]) -> Callable[[], Block | Problem]:
    convert_base = base.convert

    def convert() -> Block | Problem:
        block = convert_base()
        if isinstance(block, Problem):
            return block
        for pending in overrides:
            override = pending.convert()
            if isinstance(override, Problem):
                return override
            block = merge_block(block, override)
        return block

    return convert


def attach_overrides(
    primary: Sequence[PendingBlock], overrides: Sequence[PendingBlock]
) -> list[Problem | PendingBlock]:
    """Makes each primary block convert to its merged form.

    Returns the problems of override blocks that override nothing, and the override ``locals``
    blocks (to be read after the primary ones: their values replace the primary values by name).
    """
    by_header: dict[tuple[str, tuple[str, ...]], list[PendingBlock]] = {}
    for pending in primary:
        if pending.kind != "locals":
            by_header.setdefault((pending.kind, pending.labels), []).append(pending)
    pending_overrides: dict[int, list[PendingBlock]] = {}
    result: list[Problem | PendingBlock] = []
    for pending in overrides:
        if pending.kind == "locals":
            result.append(pending)
            continue
        bases = by_header.get((pending.kind, pending.labels), [])
        if not bases and pending.kind in _NEEDS_BASE:
            header = " ".join((pending.kind, *(f'"{label}"' for label in pending.labels)))
            result.append(_missing_base(pending, f"{header} in an override file overrides no block of the module"))
        for base in bases:
            pending_overrides.setdefault(id(base), []).append(pending)
    for pending in primary:
        found = pending_overrides.get(id(pending))
        if found:
            pending.convert = _merged_converter(pending, found)
            pending.span = None  # what the overrides hold is known only by converting them
    return result


def _missing_base(pending: PendingBlock, message: str) -> Problem:
    block = pending.convert()
    if isinstance(block, Problem):
        return block
    return Problem(block.file, f"{message}: Terraform rejects the module", block.span)
