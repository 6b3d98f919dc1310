"""The whole corpus, one job, no cache: this checkout against another installed version, alternately.

    python bench/versus.py --baseline /path/to/other/venv/bin/python [--corpus DIR] [--runs 3]

The other version is installed side by side in an environment of its own (for the figure in the
README: commit 4e9c00c in a worktree of its own). Each round runs both, one after the other, so they
see the same machine; the table gives median CPU time (user + system), wall time and peak memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(python: str, corpus: Path) -> tuple[float, float, float]:
    command = [python, "-m", "iam_saas_lint", "--no-cache", "--jobs", "1", "--quiet", "."]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=corpus, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="the other version's interpreter")
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()
    pythons = {"baseline": args.baseline, "this checkout": sys.executable}
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in pythons}
    for name, python in pythons.items():  # warm-up (disk cache, compiled modules, grammar caches)
        measure(python, corpus)
    for _ in range(args.runs):
        for name, python in pythons.items():
            results[name].append(measure(python, corpus))
    print(f"| whole corpus ({corpus.name}), 1 job, no cache | CPU median | wall median | peak memory |")
    print("|---|---|---|---|")
    for name, rows in results.items():
        cpu = statistics.median(r[0] for r in rows)
        wall = statistics.median(r[1] for r in rows)
        print(f"| {name} | {cpu:.2f} s | {wall:.2f} s | {max(r[2] for r in rows):.0f} MB |")
    ratio = statistics.median(r[0] for r in results["this checkout"]) / statistics.median(
        r[0] for r in results["baseline"]
    )
    print(f"| this checkout / baseline (CPU) | {ratio:.2f}x | | |")


if __name__ == "__main__":
    main()
