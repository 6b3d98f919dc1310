"""Which files of a folder make its module, as Terraform or OpenTofu loads them.

Terraform reads ``.tf`` and ``.tf.json`` files and ignores ``.tofu`` files. OpenTofu reads all
four kinds, and where ``x.tofu`` and ``x.tf`` (or ``x.tofu.json`` and ``x.tf.json``) both exist it
ignores ``x.tf``. A folder that holds ``.tofu`` files is written for OpenTofu, so it is linted as
OpenTofu sees it unless the configuration chooses the engine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

from ...records import dataclass

Engine = Literal["terraform", "opentofu"]
ENGINES: tuple[str, ...] = ("auto", "terraform", "opentofu")
NATIVE_SUFFIXES = (".tf", ".tofu")
JSON_SUFFIXES = (".tf.json", ".tofu.json")
MODULE_SUFFIXES = NATIVE_SUFFIXES + JSON_SUFFIXES
_TOFU = (".tofu", ".tofu.json")
_SHADOWS = {".tofu": ".tf", ".tofu.json": ".tf.json"}


def engine_of(setting: str | None) -> Engine | None:
    """The engine a configuration setting names; None for "auto" (decided by the files)."""
    if setting == "terraform":
        return "terraform"
    if setting == "opentofu":
        return "opentofu"
    return None


def loading_notes(files: Sequence[str], setting: str = "auto") -> tuple[list[tuple[str, str]], list[str]]:
    """For --verbose: the files each folder's engine does not read (and why), and the folders read as OpenTofu."""
    by_folder: dict[str, list[str]] = {}
    for path in files:
        if is_module_file(path):
            by_folder.setdefault(os.path.dirname(path), []).append(path)
    ignored: list[tuple[str, str]] = []
    notes: list[str] = []
    for folder, members in sorted(by_folder.items()):
        chosen = module_files(members, engine_of(setting))
        ignored.extend(chosen.ignored)
        if chosen.engine == "opentofu":
            why = "it holds .tofu files" if setting == "auto" else 'terraform-engine = "opentofu"'
            notes.append(f"{folder or '.'}: read as OpenTofu loads a module ({why})")
    return ignored, notes


def is_json_syntax(path: str) -> bool:
    return path.lower().endswith(JSON_SUFFIXES)


def is_module_file(path: str) -> bool:
    """Compared without case, as discovery does (a ``MAIN.TF`` is read rather than silently passed)."""
    return path.lower().endswith(MODULE_SUFFIXES)


@dataclass(frozen=True)
class ModuleFiles:
    engine: Engine
    files: tuple[str, ...]
    #: Files left out, with why (``x.tf``: shadowed by ``x.tofu``; ``.tofu`` files under Terraform).
    ignored: tuple[tuple[str, str], ...] = ()


def _suffix(path: str) -> str:
    return next(s for s in (".tofu.json", ".tf.json", ".tofu", ".tf") if path.lower().endswith(s))


def module_files(files: Sequence[str], engine: Engine | None = None) -> ModuleFiles:
    """The files ``engine`` reads of one folder's ``files`` (None: OpenTofu when there are .tofu files)."""
    module = [path for path in files if is_module_file(path)]
    has_tofu = any(path.lower().endswith(_TOFU) for path in module)
    chosen: Engine = engine or ("opentofu" if has_tofu else "terraform")
    if chosen == "terraform":
        kept = tuple(path for path in module if not path.lower().endswith(_TOFU))
        ignored = tuple(
            (path, "a .tofu file: Terraform does not read it") for path in module if path.lower().endswith(_TOFU)
        )
        return ModuleFiles(chosen, kept, ignored)
    shadowed: dict[str, str] = {}
    for path in module:
        suffix = _suffix(path)
        if suffix in _SHADOWS:
            shadowed[path[: -len(suffix)] + _SHADOWS[suffix]] = path
    kept = tuple(path for path in module if path not in shadowed)
    ignored = tuple(
        (path, f"OpenTofu reads {os.path.basename(shadowed[path])} instead") for path in module if path in shadowed
    )
    return ModuleFiles(chosen, kept, ignored)
