"""The Terraform family: HCL modules (a folder of ``.tf`` files read together) and plan JSON.

Importing this package does not import python-hcl2; ``read_module`` does, on first use.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence

from ...model.document import Inventory
from ...model.values import Unknown
from ..text.files import TextFile, note_missing, read_text


class ModuleFiles:
    """Reads ``file()`` and ``templatefile()`` targets: inside the allowed roots only, no links out."""

    def __init__(self, directory: str, roots: Sequence[str], max_bytes: int) -> None:
        self.directory = directory or "."
        self.roots = [os.path.realpath(root) for root in (*roots, self.directory)]
        self.max_bytes = max_bytes

    def _inside(self, real: str) -> bool:
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in self.roots)

    def __call__(self, path: str) -> tuple[str, str] | Unknown:
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


def read_module(directory: str, files: Sequence[str], max_bytes: int, roots: Sequence[str] = ()) -> Inventory:
    """Every ``.tf`` file of one folder, read as one module.

    The garbage collector is paused meanwhile: parsing and evaluating build hundreds of thousands of
    small objects that live until the module is read, and collecting among them took a third of the
    time. Memory stays bounded by the parser's and the evaluator's limits.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_module(directory, files, max_bytes, roots)
    finally:
        if collecting:
            gc.enable()


def _read_module(directory: str, files: Sequence[str], max_bytes: int, roots: Sequence[str]) -> Inventory:
    from ...model.document import Problem
    from .hcl import HclUnavailable, hcl2_module, unavailable_problem

    try:
        hcl2_module()
    except HclUnavailable as error:
        return Inventory(problems=[unavailable_problem(files[0] if files else directory, error)])
    from .evaluate import Evaluator
    from .graph import GraphBuilder
    from .module import load_module

    module = load_module(directory, list(files), max_bytes)
    inventory = Inventory(problems=list(module.problems), suppressions=list(module.suppressions))
    if not module.bodies:
        return inventory
    from ...model.values import Span
    from .limits import EvaluationLimit

    evaluator = Evaluator(module, ModuleFiles(directory, roots, max_bytes))
    where = files[0] if files else directory
    try:
        inventory.extend(GraphBuilder(module, evaluator).build())
    except RecursionError:
        inventory.problems.append(Problem(where, "the module is nested too deeply to evaluate", Span(1, 1, 1, 1)))
    except EvaluationLimit as error:
        inventory.problems.append(Problem(where, str(error), Span(1, 1, 1, 1)))
    return inventory
