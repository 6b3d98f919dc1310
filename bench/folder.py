"""One folder of N trust and N permission-policy files (issue 15's reproduction), CPU time of a run.

    python bench/folder.py [--count 5000] [--runs 9] [--baseline-src DIR]

Two folders are generated: the reproduction (every trust policy alike, every Deny alike) and one of
*different* documents (each trust names another account, each Deny another /24), since identical
documents are judged once. Each row runs ``iam-saas-lint --no-cache --jobs 1 --format json .`` on
this checkout and, with ``--baseline-src`` (a checkout of an earlier version, e.g.
``git worktree add /tmp/base <commit>``), on that code in the same environment, alternately; the
medians of CPU time (user + system, from ``wait4``) and their ratio are printed, with peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENDOR = "arn:aws:iam::464622532012:root"


def _documents(index: int, alike: bool) -> tuple[object, object]:
    principal = VENDOR if alike else f"arn:aws:iam::{100000000000 + index * 7919:012d}:root"
    cidr = "203.0.113.0/24" if alike else f"203.{index // 256 % 256}.{index % 256}.0/24"
    allow = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}
    deny = {
        "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": [cidr]}},
    }  # fmt: skip
    return {"Version": "2012-10-17", "Statement": [allow]}, {"Version": "2012-10-17", "Statement": [deny]}


def generate(root: Path, count: int, alike: bool) -> Path:
    (root / "roles").mkdir(parents=True)
    (root / ".iam-saas-lint.toml").write_text("")
    for index in range(count):
        trust, policy = _documents(index, alike)
        (root / "roles" / f"role{index}-trust.json").write_text(json.dumps(trust))
        (root / "roles" / f"role{index}-policy.json").write_text(json.dumps(policy))
    return root


def cpu(folder: Path, source: Path | None) -> tuple[float, float]:
    """CPU seconds and peak MB of one run; ``source``: the checkout to import the package from."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    command = [sys.executable, "-m", "iam_saas_lint", "--no-cache", "--jobs", "1", "--format", "json", "."]
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--baseline-src", type=Path, default=None, help="a checkout of the version to compare with")
    args = parser.parse_args()
    sources: dict[str, Path | None] = {"this checkout": REPO}
    if args.baseline_src is not None:
        sources = {"baseline": args.baseline_src.resolve(), **sources}
    print(f"| one folder, {args.count:,} trust + {args.count:,} policy files | " + " | ".join(sources) + " | ratio |")
    print("|---|" + "---|" * (len(sources) + 1))
    with tempfile.TemporaryDirectory() as scratch:
        for name, alike in (("identical documents", True), ("different documents", False)):
            folder = generate(Path(scratch) / name.split()[0], args.count, alike)
            times: dict[str, list[float]] = {source: [] for source in sources}
            peak = 0.0
            for path in sources.values():  # warm-up: compiled modules, disk cache
                cpu(folder, path)
            for _ in range(args.runs):
                for source, path in sources.items():
                    seconds, mb = cpu(folder, path)
                    times[source].append(seconds)
                    peak = max(peak, mb)
            medians = {source: statistics.median(found) for source, found in times.items()}
            cells = " | ".join(f"{m:.2f} s" for m in medians.values())
            ratio = f"{medians['this checkout'] / medians['baseline']:.2f}x" if "baseline" in medians else ""
            print(f"| {name} (peak {peak:.0f} MB) | {cells} | {ratio} |")


if __name__ == "__main__":
    main()
