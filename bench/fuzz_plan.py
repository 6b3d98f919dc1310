"""Fuzz the Terraform plan JSON reader (``terraform show -json`` output).

    python bench/fuzz_plan.py -max_total_time=120 [--no-atheris]

See ``fuzz_common`` for the flags and what counts as a crash.
"""

from __future__ import annotations

import sys

from fuzz_common import Target, fixture_seeds, main
from fuzz_json import read
from fuzz_large import plan_inputs

if __name__ == "__main__":
    seeds = fixture_seeds([".json"], contains="format_version") + plan_inputs()
    sys.exit(main(Target("plan", "plan.json", read, structured=True), seeds))
