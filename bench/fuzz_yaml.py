"""Fuzz the YAML reader: CloudFormation, SAM and Serverless templates (positions, tags, aliases).

    python bench/fuzz_yaml.py -max_total_time=120 [--no-atheris]

See ``fuzz_common`` for the flags and what counts as a crash.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fuzz_common import Target, fixture_seeds, main
from fuzz_large import yaml_inputs


def read(path: str, work: Path) -> object:
    from iam_saas_lint.sources import ReadOptions, Unit, read_unit

    return read_unit(Unit("file", (path,)), ReadOptions(roots=(str(work),))).inventory


if __name__ == "__main__":
    sys.exit(
        main(Target("yaml", "template.yaml", read, structured=True), fixture_seeds([".yaml", ".yml"]) + yaml_inputs())
    )
