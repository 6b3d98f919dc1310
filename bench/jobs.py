"""Where two worker processes start to pay: ``--jobs 1`` against ``--jobs N`` on generated trees.

    python bench/jobs.py [--sizes 50,100,200,400,800,1600] [--runs 3] [--jobs 2]

Each size is a tree from ``generate.py`` (about one unit per file); the two settings run
alternately, ``--no-cache``, and the table gives median wall times (parallelism is about wall time)
and their ratio. The smallest size where ``--jobs N`` wins by a margin is the crossover that
``executor.AUTO_PARALLEL_UNITS`` follows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "iam_saas_lint", "--no-cache", "--quiet"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def units(tree: Path) -> int:
    sys.path.insert(0, str(HERE.parent))
    from iam_saas_lint.discovery import discover
    from iam_saas_lint.sources import plan_units

    old = os.getcwd()
    os.chdir(tree)
    try:
        return len(plan_units(discover(["."]).files))
    finally:
        os.chdir(old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200,400,800,1600")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(f"| files | units (first pass) | --jobs 1 | --jobs {args.jobs} | ratio |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for size in (int(s) for s in args.sizes.split(",")):
            tree = Path(scratch) / str(size)
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(tree)], check=True)
            (tree / ".iam-saas-lint.toml").write_text("")
            serial: list[float] = []
            parallel: list[float] = []
            wall([*CLI, "--jobs", "1", "."], tree)  # warm-up
            for _ in range(args.runs):
                serial.append(wall([*CLI, "--jobs", "1", "."], tree))
                parallel.append(wall([*CLI, "--jobs", str(args.jobs), "."], tree))
            one, many = statistics.median(serial), statistics.median(parallel)
            print(f"| {size} | {units(tree)} | {one:.3f} s | {many:.3f} s | {many / one:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
