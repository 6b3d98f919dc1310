"""Readers, one module (or package) per input format. Only they touch text.

``formats.FORMATS`` says which formats there are and how each is recognised and read. Each reader
turns files into an ``Inventory`` (roles, standalone documents, access keys and problems). Files are
grouped into *units* that are read and linted together, in two passes: ``plan_units`` (each file on
its own, each module folder as one unit) and then ``bundle_units`` (the raw policy files the first
pass found, bundled by folder or by configured role). ``read_unit`` reads one.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence

from ..model.document import Inventory, Problem
from ..records import dataclass, field
from .bundles import ExplicitRole, bundle, explicit_members
from .formats import FORMATS, Format, UnitKind, formats_for, load, not_recognised, unit_kind
from .raw_policy import RawPolicy
from .text.files import DEFAULT_MAX_BYTES, TextFile, read_text, replay_read
from .text.jsonfile import JsonFile, parse_json


@dataclass(frozen=True)
class Unit:
    """Files linted together: a file on its own, a module (a folder's files of a ``module``
    format), or a bundle of raw policy files (a folder's, or those a configured role names)."""

    kind: UnitKind
    files: tuple[str, ...]
    #: For a bundle: its members as the first pass parsed them, so that they are not read again
    #: (empty when the first pass came from the cache). Not part of the unit's identity.
    parsed: tuple[RawPolicy, ...] = field(default=(), compare=False, repr=False)


@dataclass
class UnitRead:
    inventory: Inventory
    #: A raw policy file: its role is built in the second pass, with the rest of its bundle.
    raw: RawPolicy | None = None
    #: Why nothing was read from the file (it holds none of the formats its name allows).
    skipped: str = ""


@dataclass
class ReadOptions:
    max_bytes: int = DEFAULT_MAX_BYTES
    roles: tuple[ExplicitRole, ...] = ()
    #: Folders that ``file()`` and ``templatefile()`` may read from: the scanned tree.
    roots: tuple[str, ...] = ()
    #: How Terraform folders are loaded: "auto", "terraform" or "opentofu" (see ``terraform.files``).
    terraform_engine: str = "auto"


def plan_units(files: Sequence[str]) -> list[Unit]:
    """The first pass: every file on its own, every folder's files of a module format as one unit."""
    by_module: dict[str, list[str]] = defaultdict(list)
    units: list[Unit] = []
    for path in files:
        kind = unit_kind(path)
        if kind == "module":
            by_module[os.path.dirname(path)].append(path)
        elif kind is not None:
            units.append(Unit("file", (path,)))
    units.extend(Unit("module", tuple(members)) for _, members in sorted(by_module.items()))
    return units


def plan_module_calls(units: Sequence[Unit], options: ReadOptions) -> tuple[list[Unit], list[str]]:
    """Module units as root modules: a folder another scanned folder calls is read only through its
    callers, whose units hold the called modules' files. Also the ``--verbose`` notes on module calls
    that are not read."""
    folders = {os.path.dirname(unit.files[0]): unit.files for unit in units if unit.kind == "module"}
    if not folders:
        return list(units), []
    from .terraform.files import engine_of
    from .terraform.module_graph import plan_roots

    roots, notes = plan_roots(folders, options.roots, options.max_bytes, engine_of(options.terraform_engine))
    planned = [unit for unit in units if unit.kind != "module"]
    planned.extend(Unit("module", files) for _, files in sorted(roots.items()))
    return planned, notes


def bundle_units(
    raw_files: Sequence[str], roles: Sequence[ExplicitRole], parsed: Sequence[RawPolicy] = ()
) -> list[Unit]:
    """The second pass: the raw policy files that configured roles name, then each folder's rest."""
    known = {raw.file: raw for raw in parsed}

    def unit(members: Sequence[str]) -> Unit:
        files = tuple(sorted(members))
        found = tuple(known[path] for path in files if path in known)
        return Unit("bundle", files, found if len(found) == len(files) else ())

    named = explicit_members(raw_files, roles)
    units = [unit(sorted(named))] if named else []
    by_directory: dict[str, list[str]] = defaultdict(list)
    for path in raw_files:
        if path not in named:
            by_directory[os.path.dirname(path)].append(path)
    units.extend(unit(members) for _, members in sorted(by_directory.items()))
    return units


def read_unit(unit: Unit, options: ReadOptions) -> UnitRead:
    if unit.kind == "bundle":
        return UnitRead(_read_bundle(unit, options))
    if unit.kind == "module":
        module_format = next(fmt for fmt in formats_for(unit.files[0]) if fmt.unit == "module")
        directory = os.path.dirname(unit.files[0])
        read = load(module_format.reader)
        return UnitRead(read(directory, list(unit.files), options.max_bytes, options.roots, options.terraform_engine))
    return _read_file(unit.files[0], formats_for(unit.files[0]), options)


def _read_file(path: str, formats: Sequence[Format], options: ReadOptions) -> UnitRead:
    """The first format (in registry order) that recognises the file reads it."""
    parsed: JsonFile | Problem | None = None
    tried_json = False
    for fmt in formats:
        if fmt.reads_from == "path":
            inventory = load(fmt.reader)(path, options.max_bytes)
            if inventory is not None:
                return UnitRead(inventory)
            continue
        if not tried_json:
            parsed, tried_json = _load_json(path, options.max_bytes), True
        if isinstance(parsed, Problem):
            return UnitRead(Inventory(problems=[parsed]))
        if isinstance(parsed, JsonFile) and fmt.shape is not None and load(fmt.shape)(parsed.data):
            return _read_json(fmt, parsed)
    duplicates = parsed.duplicate_problems() if isinstance(parsed, JsonFile) and parsed.has_duplicates else []
    return UnitRead(Inventory(problems=duplicates), skipped="" if duplicates else not_recognised(formats))


def _read_json(fmt: Format, parsed: JsonFile) -> UnitRead:
    duplicates = parsed.duplicate_problems() if parsed.has_duplicates else []
    found = load(fmt.reader)(parsed)
    if fmt.unit == "bundle":
        return UnitRead(Inventory(problems=duplicates), raw=found if isinstance(found, RawPolicy) else None)
    inventory = found if isinstance(found, Inventory) else Inventory()
    inventory.problems.extend(duplicates)
    return UnitRead(inventory)


def _load_json(path: str, max_bytes: int) -> JsonFile | Problem | None:
    text = read_text(path, max_bytes)
    if not isinstance(text, TextFile):
        return text
    return parse_json(text)


def _read_bundle(unit: Unit, options: ReadOptions) -> Inventory:
    """Raw policy files bundled into roles: as the first pass parsed them, or read again when that
    pass came from the cache (their problems were reported then)."""
    raw = list(unit.parsed)
    for policy in raw:
        if policy.read_state:
            replay_read(policy.file, policy.read_state)
    if not raw:
        read = load(next(fmt for fmt in FORMATS if fmt.unit == "bundle").reader)
        for path in unit.files:
            loaded = _load_json(path, options.max_bytes)
            if isinstance(loaded, JsonFile):
                found = read(loaded)
                if isinstance(found, RawPolicy):
                    raw.append(found)
    return bundle(raw, options.roles) if raw else Inventory()
