"""The Terraform reader's costs, measured as CPU time of child processes (not a test).

    python bench/terraform.py [--runs N] [--corpus-runs N] [--corpus DIR] [--baseline-src DIR]

1. **one file**: ``iam-saas-lint --no-cache --jobs 1`` on a one-file Terraform module against the
   interpreter floor, ``python -c "import json"`` in the same environment; the two are run in turn,
   ``--runs`` pairs, and the medians of their CPU times (user + system) are compared.
2. **corpus read**: every Terraform module of the corpus (each folder's ``.tf`` files) read by the
   reader (``read_unit``: parse, evaluate, build roles) in one process; CPU time of that loop. With
   ``--baseline-src`` (a checkout of an earlier version, e.g. ``git worktree add /tmp/base <commit>``)
   the same loop runs on that code too, in its own process from its own folder, alternated with this
   version ``--corpus-runs`` times; the medians and their ratio are printed.
3. **parse only**: the same files parsed by tree-sitter-hcl whole, block by block as the reader does
   (split; the blocks a verdict can need parsed in one parse, the others in a second, each without its
   quiet text: string and heredoc text with no escape or template sequence) and, when installed, by
   python-hcl2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ONE_FILE = REPO / "fixtures/terraform/split_files/role.tf"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

_READ_CORPUS = r"""
import json, os, resource, sys
from iam_saas_lint.sources import ReadOptions, plan_units, read_unit
corpus = sys.argv[1]
files = sorted(os.path.join(d, n) for d, _, names in os.walk(corpus) for n in names if n.endswith(".tf"))
units = [u for u in plan_units(files) if u.kind in ("terraform", "module")]
options = ReadOptions(roots=(corpus,))
before = resource.getrusage(resource.RUSAGE_SELF)
roles = problems = 0
for unit in units:
    inventory = read_unit(unit, options).inventory
    roles += len(inventory.roles)
    problems += len(inventory.problems)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(json.dumps({"files": len(files), "modules": len(units), "roles": roles, "problems": problems, "cpu": cpu}))
"""

_PARSE_ONLY = r"""
import json, os, resource, sys
corpus, which = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(d, n) for d, _, names in os.walk(corpus) for n in names if n.endswith(".tf"))
texts = [open(p, encoding="utf-8", errors="replace").read() for p in files]
if which == "tree-sitter":
    import tree_sitter, tree_sitter_hcl
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    parse = lambda text: parser.parse(text.encode())
elif which == "tree-sitter, blocks":
    from iam_saas_lint.sources.terraform.native_regions import read_blocks
    read_blocks("warm.tf", 'variable "warm" {}\n', None)
    parse = lambda text: read_blocks("x.tf", text, None)
else:
    import hcl2
    hcl2.parses('variable "warm" {}\n')
    parse = lambda text: hcl2.parses(text)
before = resource.getrusage(resource.RUSAGE_SELF)
for text in texts:
    try:
        parse(text)
    except Exception:
        pass
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}))
"""


def child_cpu(command: list[str], cwd: Path) -> float:
    """CPU seconds (user + system) of one child process."""
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime


def one_file(runs: int) -> None:
    lint = [sys.executable, "-m", "iam_saas_lint", "--no-cache", "--jobs", "1", str(ONE_FILE)]
    floor = [sys.executable, "-c", "import json"]
    child_cpu(lint, REPO)  # warm-up: compiled modules, disk cache
    child_cpu(floor, REPO)
    linted, floors = [], []
    for _ in range(runs):
        linted.append(child_cpu(lint, REPO))
        floors.append(child_cpu(floor, REPO))
    ours, base = statistics.median(linted), statistics.median(floors)
    print(f"| one-file Terraform run ({ONE_FILE.relative_to(REPO)}) | {1000 * ours:.0f} ms CPU | {runs} runs |")
    print(f'| interpreter floor, python -c "import json", same venv | {1000 * base:.0f} ms CPU | paired |')
    print(f"| ratio | {ours / base:.2f}x | target at most 3.5x |")


def corpus_read(corpus: Path, baseline: Path | None, rounds: int) -> None:
    def read(source: Path) -> dict[str, float]:
        env = {**ENV, "PYTHONPATH": str(source)}
        done = subprocess.run(  # run from the source folder: ``-c`` puts the working folder first on sys.path
            [sys.executable, "-c", _READ_CORPUS, str(corpus)],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    sources = {"this version": REPO} if baseline is None else {"this version": REPO, str(baseline): baseline}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
    for _ in range(rounds):  # alternated, so both see the same machine
        for name, source in sources.items():
            runs[name].append(read(source))
    medians = {name: statistics.median(run["cpu"] for run in found) for name, found in runs.items()}
    for name, found in runs.items():
        print(
            f"| corpus read, {name}: {found[0]['files']:.0f} .tf files, {found[0]['modules']:.0f} modules "
            f"| {medians[name]:.2f} s CPU | median of {rounds}; {found[0]['roles']:.0f} roles, "
            f"{found[0]['problems']:.0f} problems |"
        )
    if baseline is not None:
        print(f"| speed-up | {medians[str(baseline)] / medians['this version']:.1f}x | target at least 4x |")
    for which in ("tree-sitter", "tree-sitter, blocks", "python-hcl2"):
        command = [sys.executable, "-c", _PARSE_ONLY, str(corpus), which]
        done = subprocess.run(
            command, env={**ENV, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            print(f"| parse only, {which} | {json.loads(done.stdout)['cpu']:.2f} s CPU | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--corpus-runs", type=int, default=5, help="alternated rounds of the corpus read")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--baseline-src", type=Path, default=None, help="a checkout of the version to compare with")
    args = parser.parse_args()
    print("| measurement | CPU | note |\n|---|---|---|")
    one_file(args.runs)
    if args.corpus.is_dir():
        corpus_read(args.corpus.resolve(), args.baseline_src.resolve() if args.baseline_src else None, args.corpus_runs)


if __name__ == "__main__":
    main()
