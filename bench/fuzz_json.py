"""Fuzz the JSON readers: raw policies (and their bundles), account exports, JSON CloudFormation.

    python bench/fuzz_json.py -max_total_time=120 [--no-atheris]

See ``fuzz_common`` for the flags and what counts as a crash.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fuzz_common import Target, fixture_seeds, main
from fuzz_large import json_inputs


def read(path: str, work: Path) -> object:
    from iam_saas_lint.sources import ReadOptions, Unit, bundle_units, read_unit

    options = ReadOptions(roots=(str(work),))
    first = read_unit(Unit("file", (path,)), options)  # the first pass, as a run does
    inventory = first.inventory
    if first.raw:  # a raw policy: its bundle in the second pass
        for unit in bundle_units([path], ()):
            inventory.extend(read_unit(unit, options).inventory)
    return inventory


if __name__ == "__main__":
    seeds = [s for s in fixture_seeds([".json"]) if b"format_version" not in s] + json_inputs()
    sys.exit(main(Target("json", "trust.json", read, structured=True), seeds))
