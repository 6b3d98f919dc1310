"""A cached one-file run (pre-commit's case) in a large repository against the same in a small one.

    python bench/cache_scale.py [--large 20000] [--small 20] [--runs 11]

Both repositories come from ``generate.py`` (a ``.git`` folder makes each a repository root, where
the cache lives); a first run over each fills its cache. Then ``iam-saas-lint FILE`` (the cache on,
as pre-commit runs it) lints the same kind of file in each, alternately: the table gives median CPU
time (user + system), peak memory, and the ratio large / small. The target is 1.2x and 40 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "iam_saas_lint"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cpu(command: list[str], cwd: Path) -> tuple[float, float]:
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def repository(root: Path, count: int) -> Path:
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(count), str(root)], check=True)
    (root / ".git").mkdir()
    (root / ".iam-saas-lint.toml").write_text("")
    subprocess.run([*CLI, "--quiet", "."], cwd=root, env=ENV, stdout=subprocess.DEVNULL, check=False)
    return root


def a_raw_policy(root: Path) -> str:
    """The first raw trust policy of the tree (a bundle: the named file brings its folder)."""
    for path in sorted(root.rglob("trust.json")):
        return str(path.relative_to(root))
    raise SystemExit(f"no trust.json in {root}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--small", type=int, default=20)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        small = repository(Path(scratch) / "small", args.small)
        large = repository(Path(scratch) / "large", args.large)
        entries = sum(1 for p in (large / ".iam-saas-lint-cache").rglob("*") if p.is_file())
        commands = {tree: [*CLI, a_raw_policy(tree)] for tree in (small, large)}
        times: dict[Path, list[float]] = {small: [], large: []}
        peaks: dict[Path, float] = {small: 0.0, large: 0.0}
        for tree in (small, large):  # warm-up
            cpu(commands[tree], tree)
        for _ in range(args.runs):
            for tree in (small, large):
                seconds, mb = cpu(commands[tree], tree)
                times[tree].append(seconds)
                peaks[tree] = max(peaks[tree], mb)
        print(f"| cached one-file run | files | CPU median | peak memory |  (large cache: {entries} files)")
        print("|---|---|---|---|")
        for tree, count in ((small, args.small), (large, args.large)):
            print(f"| {commands[tree][-1]} | {count} | {statistics.median(times[tree]) * 1000:.1f} ms | {peaks[tree]:.0f} MB |")
        ratio = statistics.median(times[large]) / statistics.median(times[small])
        print(f"| ratio large / small | | {ratio:.2f}x | |")


if __name__ == "__main__":
    main()
