"""Readers, one module per input format. Only they touch text.

Each reader turns files into an ``Inventory`` (roles, standalone documents, access keys and
problems). ``read_units`` is the one entry point: it routes files by suffix and content and
groups them into *units* (a file, a folder's bundle of raw policies, a Terraform module) that
are linted together.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from ..model.document import Inventory, Problem
from .bundles import ExplicitRole, bundle
from .jsonfile import JsonFile, parse_json
from .raw_policy import RawPolicy, is_policy, read_raw_policy
from .text import DEFAULT_MAX_BYTES, TextFile, read_text

YAML_SUFFIXES = (".yaml", ".yml", ".template")
TERRAFORM_SUFFIXES = (".tf",)


@dataclass
class Unit:
    """Files linted together, and what their readers made of them."""

    files: tuple[str, ...]
    read: Callable[[], Inventory]


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
    from .cfn_template import is_template

    return is_template(data)


def _read_cloudformation(json_file: JsonFile) -> Inventory:
    from .cloudformation import read_json_template

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


class Reader:
    """Plans the units of a run and reads each on demand, so that a failure stays in its unit."""

    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.raw: list[RawPolicy] = []

    def units(self, files: Sequence[str]) -> list[Unit]:
        json_files = [f for f in files if not f.endswith(YAML_SUFFIXES + TERRAFORM_SUFFIXES)]
        yaml_files = [f for f in files if f.endswith(YAML_SUFFIXES)]
        by_module: dict[str, list[str]] = defaultdict(list)
        for path in files:
            if path.endswith(TERRAFORM_SUFFIXES):
                by_module[os.path.dirname(path)].append(path)
        units = [Unit((path,), partial(self.read_json, path)) for path in json_files]
        if json_files:
            units.append(Unit(tuple(json_files), self.read_bundles))
        units.extend(Unit((path,), partial(self.read_yaml, path)) for path in yaml_files)
        units.extend(
            Unit(tuple(members), partial(self.read_terraform, directory, members))
            for directory, members in sorted(by_module.items())
        )
        return units

    def read_json(self, path: str) -> Inventory:
        loaded = _load_json(path, self.options.max_bytes)
        if loaded is None:
            return Inventory()
        if isinstance(loaded, Problem):
            return Inventory(problems=[loaded])
        duplicates = loaded.duplicate_problems() if loaded.has_duplicates else []
        found = _read_json_document(loaded)
        if isinstance(found, RawPolicy):
            self.raw.append(found)
            found = None
        inventory = found or Inventory()
        inventory.problems.extend(duplicates)
        return inventory

    def read_bundles(self) -> Inventory:
        return bundle(self.raw, self.options.roles) if self.raw else Inventory()

    def read_yaml(self, path: str) -> Inventory:
        """YAML files belong to the CloudFormation family (templates, SAM, Serverless); others are skipped."""
        from .cloudformation import read_yaml_file

        return read_yaml_file(path, self.options.max_bytes)

    def read_terraform(self, directory: str, files: list[str]) -> Inventory:
        """A Terraform module: every ``.tf`` file of one folder, read together."""
        from .terraform import read_module

        return read_module(directory, files, self.options.max_bytes, self.options.roots)
