"""The Terraform family: modules (a folder's ``.tf``, ``.tf.json``, ``.tofu`` and ``.tofu.json`` files
read together) and plan JSON.

Importing this package does not import tree-sitter; reading a native-syntax file does, on first use.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from functools import partial

from ...model.document import Inventory
from ...model.values import Span, Unknown
from ..text.files import TextFile, note_missing, read_text


class ModuleFiles:
    """Reads ``file()`` and ``templatefile()`` targets: inside the allowed roots only, no links out."""

    def __init__(self, directory: str, roots: Sequence[str], max_bytes: int) -> None:
        self.directory = directory or "."
        self.roots = [os.path.realpath(root) for root in (*roots, self.directory)]
        self.max_bytes = max_bytes
        #: Each file read once per module, however many calls name it.
        self._read: dict[str, tuple[str, str] | Unknown] = {}

    def _inside(self, real: str) -> bool:
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots)

    def __call__(self, path: str) -> tuple[str, str] | Unknown:
        if path not in self._read:
            self._read[path] = self._load(path)
        return self._read[path]

    def _load(self, path: str) -> tuple[str, str] | Unknown:
        from ..text.paths import display_path

        joined = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.directory, path))
        shown = display_path(joined)
        real = os.path.realpath(joined)
        if not self._inside(real):
            return Unknown(f"{shown} is outside the scanned tree and is not read")
        if not os.path.isfile(real):
            note_missing(real)
            what = "is not a regular file (not opened)" if os.path.lexists(real) else "does not exist"
            return Unknown(f"{shown} {what}")
        text = read_text(real, self.max_bytes)
        if not isinstance(text, TextFile):
            return Unknown(f"{shown} cannot be read" + (f" ({text.message})" if text is not None else ""))
        return shown, text.text


def read_module(
    directory: str, files: Sequence[str], max_bytes: int, roots: Sequence[str] = (), engine: str | None = None
) -> Inventory:
    """Every Terraform file of one folder, read as one module (as ``engine`` loads it: see ``files``).

    The garbage collector is paused meanwhile: parsing and evaluating build hundreds of thousands of
    small objects that live until the module is read, and collecting among them took a third of the
    time. Memory stays bounded by the parser's and the evaluator's limits.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_module(directory, files, max_bytes, roots, engine)
    finally:
        if collecting:
            gc.enable()


def _read_module(
    directory: str, files: Sequence[str], max_bytes: int, roots: Sequence[str], engine: str | None
) -> Inventory:
    from ...model.document import Problem
    from .files import engine_of
    from .module import load_module
    from .native import HclUnavailable

    where = files[0] if files else directory
    own = [path for path in files if os.path.dirname(path) == directory]  # the unit holds called modules' too
    try:
        module = load_module(directory, own, max_bytes, engine_of(engine))
    except HclUnavailable as error:
        return Inventory(problems=[Problem(where, str(error), Span(1, 1, 1, 1), internal=True)])
    inventory = Inventory(suppressions=list(module.suppressions))
    if not module.has_blocks:
        inventory.problems.extend(module.problems)
        return inventory
    from .limits import EvaluationLimit
    from .tree import read_tree

    try:
        files_of = partial(ModuleFiles, roots=roots, max_bytes=max_bytes)
        inventory.extend(read_tree(module, files_of, roots, max_bytes, engine_of(engine)))
    except HclUnavailable as error:
        inventory.problems.append(Problem(where, str(error), Span(1, 1, 1, 1), internal=True))
    except RecursionError:
        inventory.problems.append(Problem(where, "the module is nested too deeply to evaluate", Span(1, 1, 1, 1)))
    except EvaluationLimit as error:
        inventory.problems.append(Problem(where, str(error), Span(1, 1, 1, 1)))
    return inventory
