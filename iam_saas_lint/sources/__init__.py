"""Readers, one module per input format. Only they touch text.

Each reader turns files into an ``Inventory`` (roles, standalone documents, access keys and
problems). Files are grouped into *units* that are read and linted together, in two passes:
``plan_units`` (each JSON or YAML file, each Terraform module) and then ``bundle_units`` (the raw
policy files the first pass found, bundled by folder or by configured role). ``read_unit`` reads one.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..model.document import Inventory, Problem
from .bundles import ExplicitRole, bundle, explicit_members
from .raw_policy import RawPolicy, is_policy, read_raw_policy
from .text.files import DEFAULT_MAX_BYTES, TextFile, read_text
from .text.jsonfile import JsonFile, parse_json

YAML_SUFFIXES = (".yaml", ".yml", ".template")
TERRAFORM_SUFFIXES = (".tf",)


UnitKind = Literal["json", "yaml", "terraform", "bundle"]


@dataclass(frozen=True)
class Unit:
    """Files linted together: a JSON or YAML file, a Terraform module (a folder's ``.tf`` files),
    or a bundle of raw policy files (a folder's, or those a configured role names)."""

    kind: UnitKind
    files: tuple[str, ...]


@dataclass
class UnitRead:
    inventory: Inventory
    #: A raw policy file: its role is built in the second pass, with the rest of its bundle.
    raw: bool = False


def _read_json_document(json_file: JsonFile) -> Inventory | RawPolicy | None:
    """Route parsed JSON by its shape."""
    data = json_file.data
    from .account_export import is_account_export

    if is_account_export(data):
        from .account_export import read_account_export

        return read_account_export(json_file)
    if is_policy(data):
        return read_raw_policy(json_file)
    for matches, read in _json_readers():
        if matches(data):
            return read(json_file)
    return None


def _json_readers() -> list[tuple[Callable[[object], bool], Callable[[JsonFile], Inventory]]]:
    """Readers for JSON shapes that other input families contribute (CloudFormation, plans)."""
    from .terraform.plan import is_plan, read_plan

    readers: list[tuple[Callable[[object], bool], Callable[[JsonFile], Inventory]]] = [
        (_is_cloudformation, _read_cloudformation),
        (is_plan, read_plan),
    ]
    return readers


def _is_cloudformation(data: object) -> bool:
    from .cloudformation.template import is_template

    return is_template(data)


def _read_cloudformation(json_file: JsonFile) -> Inventory:
    from .cloudformation.files import read_json_template

    return read_json_template(json_file)


def _load_json(path: str, max_bytes: int) -> JsonFile | Problem | None:
    text = read_text(path, max_bytes)
    if not isinstance(text, TextFile):
        return text
    return parse_json(text)


@dataclass
class ReadOptions:
    max_bytes: int = DEFAULT_MAX_BYTES
    roles: tuple[ExplicitRole, ...] = ()
    #: Folders that ``file()`` and ``templatefile()`` may read from: the scanned tree.
    roots: tuple[str, ...] = ()


def plan_units(files: Sequence[str]) -> list[Unit]:
    """The first pass: every JSON and YAML file on its own, every Terraform folder as one module."""
    by_module: dict[str, list[str]] = defaultdict(list)
    units: list[Unit] = []
    for path in files:
        if path.endswith(TERRAFORM_SUFFIXES):
            by_module[os.path.dirname(path)].append(path)
        elif path.endswith(YAML_SUFFIXES):
            units.append(Unit("yaml", (path,)))
        else:
            units.append(Unit("json", (path,)))
    units.extend(Unit("terraform", tuple(members)) for _, members in sorted(by_module.items()))
    return units


def bundle_units(raw_files: Sequence[str], roles: Sequence[ExplicitRole]) -> list[Unit]:
    """The second pass: the raw policy files that configured roles name, then each folder's rest."""
    named = explicit_members(raw_files, roles)
    units = [Unit("bundle", tuple(sorted(named)))] if named else []
    by_directory: dict[str, list[str]] = defaultdict(list)
    for path in raw_files:
        if path not in named:
            by_directory[os.path.dirname(path)].append(path)
    units.extend(Unit("bundle", tuple(sorted(members))) for _, members in sorted(by_directory.items()))
    return units


def read_unit(unit: Unit, options: ReadOptions) -> UnitRead:
    if unit.kind == "json":
        return _read_json_unit(unit.files[0], options)
    if unit.kind == "yaml":
        from .cloudformation.files import read_yaml_file

        return UnitRead(read_yaml_file(unit.files[0], options.max_bytes))
    if unit.kind == "terraform":
        from .terraform import read_module

        directory = os.path.dirname(unit.files[0])
        return UnitRead(read_module(directory, list(unit.files), options.max_bytes, options.roots))
    return UnitRead(_read_bundle(unit.files, options))


def _read_json_unit(path: str, options: ReadOptions) -> UnitRead:
    loaded = _load_json(path, options.max_bytes)
    if loaded is None:
        return UnitRead(Inventory())
    if isinstance(loaded, Problem):
        return UnitRead(Inventory(problems=[loaded]))
    duplicates = loaded.duplicate_problems() if loaded.has_duplicates else []
    found = _read_json_document(loaded)
    is_raw = isinstance(found, RawPolicy)
    inventory = found if isinstance(found, Inventory) else Inventory()
    inventory.problems.extend(duplicates)
    return UnitRead(inventory, raw=is_raw)


def _read_bundle(files: Sequence[str], options: ReadOptions) -> Inventory:
    """Raw policy files read again (their problems were reported in the first pass) and bundled."""
    raw: list[RawPolicy] = []
    for path in files:
        loaded = _load_json(path, options.max_bytes)
        if isinstance(loaded, JsonFile):
            found = read_raw_policy(loaded)
            if found is not None:
                raw.append(found)
    return bundle(raw, options.roles) if raw else Inventory()
