"""One-file runs against the interpreter floor: CPU time of ``iam-saas-lint --no-cache FILE`` over
CPU time of ``python -c "import json"`` in the same environment, measured in alternation.

    python bench/startup.py [--runs 15] [--python PATH]

CPU time (user + system of the child, from ``wait4``) is what the targets are about: it does not
depend on how busy the other CPU is. Each row runs the floor and the file alternately, so both see
the same machine; the ratio is of the medians. Peak memory is the child's high-water mark.
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
    "Terraform module": ("fixtures/terraform/split_files/role.tf", None),
}


def cpu(command: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS (MB) of one run."""
    process = subprocess.Popen(command, cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def paired(first: list[str], second: list[str], runs: int) -> tuple[float, float, float]:
    """Median CPU seconds of each command, run alternately after a warm-up, and the second's peak MB."""
    cpu(first), cpu(second)
    a: list[float] = []
    b: list[float] = []
    peak = 0.0
    for _ in range(runs):
        a.append(cpu(first)[0])
        seconds, mb = cpu(second)
        b.append(seconds)
        peak = max(peak, mb)
    return statistics.median(a), statistics.median(b), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", default=sys.executable, help="the environment's interpreter")
    args = parser.parse_args()
    floor = [args.python, "-c", "import json"]
    print("| one file | floor CPU | run CPU | ratio | target | peak memory |")
    print("|---|---|---|---|---|---|")
    for name, (path, target) in FILES.items():
        command = [args.python, "-m", "iam_saas_lint", "--no-cache", "--jobs", "1", path]
        base, run, peak = paired(floor, command, args.runs)
        goal = f"≤ {target}x" if target else ""
        print(f"| {name} | {base * 1000:.1f} ms | {run * 1000:.1f} ms | {run / base:.2f}x | {goal} | {peak:.0f} MB |")


if __name__ == "__main__":
    main()
