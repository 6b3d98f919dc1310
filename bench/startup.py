"""One-file runs against the interpreter floor: CPU time of ``iam-saas-lint --no-cache FILE`` over
CPU time of ``python -c "import json"`` in the same environment, measured in alternation.

    python bench/startup.py [--runs 15] [--python PATH] [--baseline-src DIR]

CPU time (user + system of the child, from ``wait4``) is what the targets are about: it does not
depend on how busy the other CPU is. Each row runs the floor and the file alternately, so both see
the same machine; the ratio is of the medians. Peak memory is the child's high-water mark.
With ``--baseline-src`` (a checkout of an earlier version, e.g. ``git worktree add /tmp/base 3384a03``)
each row also runs that version's ``-m iam_saas_lint`` in the same alternation, from its own directory
(so Python imports its package, not this one), and prints its ratio and this checkout's CPU over it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
FILES = {
    "raw JSON bundle": ("fixtures/raw/datadog-protected/trust.json", 2.5),
    "CloudFormation JSON": ("fixtures/cloudformation/managed-policy.json", 3.0),
    "CloudFormation YAML": ("fixtures/cloudformation/short-tags.yaml", 3.0),
    "Terraform plan JSON": ("fixtures/terraform/plan/plan.json", 2.5),
    "Terraform module": ("fixtures/terraform/split_files/role.tf", 3.5),
}


def cpu(command: list[str], directory: Path = REPO) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS (MB) of one run."""
    process = subprocess.Popen(command, cwd=directory, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def alternated(commands: dict[str, tuple[list[str], Path]], runs: int) -> tuple[dict[str, float], float]:
    """Median CPU seconds of each command, run in turn after a warm-up, and the last one's peak MB."""
    for command, directory in commands.values():
        cpu(command, directory)
    times: dict[str, list[float]] = {name: [] for name in commands}
    peak = 0.0
    for _ in range(runs):
        for name, (command, directory) in commands.items():
            seconds, mb = cpu(command, directory)
            times[name].append(seconds)
            if name == "this":
                peak = max(peak, mb)
    return {name: statistics.median(found) for name, found in times.items()}, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", default=sys.executable, help="the environment's interpreter")
    parser.add_argument("--baseline-src", type=Path, default=None, help="a checkout of the version to compare with")
    args = parser.parse_args()
    floor = [args.python, "-c", "import json"]
    baseline = args.baseline_src.resolve() if args.baseline_src else None
    header = "| one file | floor CPU | run CPU | ratio | target | peak memory |"
    if baseline:
        header += " baseline CPU | baseline ratio | run / baseline |"
    print(header)
    print("|---" * header.count(" | ") + "|---|")
    for name, (path, target) in FILES.items():
        command = [args.python, "-m", "iam_saas_lint", "--no-cache", "--jobs", "1", path]
        commands = {"floor": (floor, REPO), "this": (command, REPO)}
        if baseline:
            commands["baseline"] = (command, baseline)
        medians, peak = alternated(commands, args.runs)
        base, run = medians["floor"], medians["this"]
        goal = f"≤ {target}x" if target else ""
        row = f"| {name} | {base * 1000:.1f} ms | {run * 1000:.1f} ms | {run / base:.2f}x | {goal} | {peak:.0f} MB |"
        if baseline:
            old = medians["baseline"]
            row += f" {old * 1000:.1f} ms | {old / base:.2f}x | {run / old:.2f}x |"
        print(row)


if __name__ == "__main__":
    main()
