"""Fuzz the Terraform HCL reader: parsing, the evaluator, policy documents, ``file()``/``templatefile()``.

    python bench/fuzz_hcl.py -max_total_time=120 [--no-atheris]

The input is the module's only ``main.tf``. See ``fuzz_common`` for the flags and what counts as a crash.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fuzz_common import Target, fixture_seeds, main
from fuzz_large import hcl_inputs


def read(path: str, work: Path) -> object:
    from iam_saas_lint.sources import ReadOptions, Unit, read_unit

    return read_unit(Unit("module", (path,)), ReadOptions(roots=(str(work),))).inventory


if __name__ == "__main__":
    sys.exit(main(Target("hcl", "main.tf", read), fixture_seeds([".tf"]) + hcl_inputs()))
