"""Fuzz the JSON readers: raw policies (and their bundles), account exports, JSON CloudFormation.

    python bench/fuzz_json.py -max_total_time=120 [--no-atheris]

See ``fuzz_common`` for the flags and what counts as a crash.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fuzz_common import Target, fixture_seeds, main


def read(path: str, work: Path) -> object:
    from iam_saas_lint.sources import Reader, ReadOptions

    reader = Reader(ReadOptions(roots=(str(work),)))
    inventory = reader.read_json(path)
    inventory.extend(reader.read_bundles())
    return inventory


if __name__ == "__main__":
    seeds = [s for s in fixture_seeds([".json"]) if b"format_version" not in s]
    sys.exit(main(Target("json", "trust.json", read, structured=True), seeds))
