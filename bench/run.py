"""Benchmarks of whole processes: median wall time and peak memory over several runs after a
warm-up, printed as a table.

    python bench/run.py [--runs N] [--corpus DIR] [--scale] [--compare] [--cfn-lint PATH] [--checkov PATH]

1. one-file latency (``iam-saas-lint FILE``, process start to exit) for a raw JSON bundle, a
   CloudFormation YAML template and a Terraform module;
2. tree throughput on a corpus (``../shared/corpus`` when it exists, else a synthetic tree),
   with one worker and with all CPUs, and a second run from the cache;
3. the parse-only floor for the same files in one process (``json``, PyYAML's C loader,
   tree-sitter-hcl) and the ratio lint / floor;
4. with ``--scale``: generated trees of 2,000 and 20,000 files (time per file, peak memory);
5. with ``--compare``: cfn-lint and checkov on the same CloudFormation file and corpus, when they
   are installed in environments of their own (never as dependencies of this project).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "iam_saas_lint"]
#: As an installed package runs: with compiled modules (pip writes them; some shells forbid it).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ONE_FILE = {
    "raw JSON bundle": REPO / "fixtures/raw/datadog-protected/trust.json",
    "CloudFormation YAML": REPO / "fixtures/cloudformation/short-tags.yaml",
    "Terraform module": REPO / "fixtures/terraform/split_files/role.tf",
}


def measure(command: Sequence[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median seconds and peak RSS (MB) of a command, after one warm-up run."""
    times: list[float] = []
    peaks: list[float] = []
    for attempt in range(runs + 1):
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if attempt:  # the first run warms the disk cache
            times.append(elapsed)
            peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def tree_files(root: Path) -> list[Path]:
    sys.path.insert(0, str(REPO))
    from iam_saas_lint.discovery import discover

    found = discover([str(root)])
    return [Path(p) if os.path.isabs(p) else Path.cwd() / p for p in found.files]


def parse_floor(files: Sequence[Path]) -> float:
    """Seconds to merely parse every file once, in this process, with the fastest common parsers."""
    import tree_sitter
    import tree_sitter_hcl
    import yaml

    class AnyTags(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    AnyTags.add_multi_constructor("!", lambda loader, suffix, node: None)
    texts = [(p.suffix, p.read_text(encoding="utf-8", errors="replace")) for p in files]
    hcl = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    start = time.perf_counter()
    for suffix, text in texts:
        try:
            if suffix in (".tf", ".tofu"):
                hcl.parse(text.encode())
            elif suffix in (".yaml", ".yml", ".template") and not text.lstrip().startswith("{"):
                yaml.load(text, Loader=AnyTags)  # noqa: S506 - a safe loader with inert tags
            else:
                json.loads(text)
        except Exception:  # broken files cost what they cost
            pass
    return time.perf_counter() - start


def import_time(path: Path) -> float:
    """Milliseconds of imports the CLI causes in a one-file JSON run (``python -X importtime``):
    the cumulative times of the top-level imports from the first ``iam_saas_lint`` one on, so that
    the interpreter's own start-up (``site``, ``encodings``) is left out."""
    command = [sys.executable, "-m", "iam_saas_lint", "--no-cache", str(path)]
    subprocess.run(command, env=ENV, capture_output=True, check=False)  # writes the compiled modules
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "iam_saas_lint", "--no-cache", str(path)],
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    total, started = 0, False
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        started = started or name.strip().startswith("iam_saas_lint")
        if started and not name.startswith("  "):
            total += int(parts[1])
    return total / 1000


def row(name: str, seconds: float, peak: float, note: str = "") -> str:
    return f"| {name} | {seconds:.3f} s | {peak:.0f} MB | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--scale", action="store_true", help="also time generated trees of 2,000 and 20,000 files")
    parser.add_argument("--compare", action="store_true", help="also time cfn-lint and checkov when installed")
    parser.add_argument("--cfn-lint", default=shutil.which("cfn-lint"), help="path to a cfn-lint executable")
    parser.add_argument("--checkov", default=shutil.which("checkov"), help="path to a checkov executable")
    args = parser.parse_args()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print(f"machine: {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}, {platform.system()}")
    print(f"median of {args.runs} runs after a warm-up; peak RSS of the process\n")
    print("| measurement | median | peak memory | note |\n|---|---|---|---|")
    scratch = Path(tempfile.mkdtemp(prefix="isl-bench-"))
    env_note = ""
    for name, path in ONE_FILE.items():
        seconds, peak = measure([*CLI, "--no-cache", str(path)], REPO, args.runs)
        print(row(f"one file: {name}", seconds, peak, path.relative_to(REPO).as_posix()))
    print(f"| import time, JSON-only run | {import_time(ONE_FILE['raw JSON bundle']):.1f} ms | | python -X importtime, cumulative |")
    if args.corpus.is_dir():
        corpus = scratch / "corpus"
        shutil.copytree(args.corpus, corpus)
        label = f"corpus ({args.corpus})"
    else:
        corpus = scratch / "synthetic"
        subprocess.run([sys.executable, str(REPO / "bench/generate.py"), "2200", str(corpus)], check=True)
        label = "synthetic tree"
    (corpus / ".git").mkdir(exist_ok=True)
    files = tree_files(corpus)
    one_job, one_peak = measure([*CLI, "--no-cache", "--jobs", "1", "--exit-zero", "."], corpus, args.runs)
    all_jobs, all_peak = measure([*CLI, "--no-cache", "--exit-zero", "."], corpus, args.runs)
    floor = parse_floor(files)
    print(row(f"tree: {label}, {len(files)} files, 1 job", one_job, one_peak, f"{one_job / floor:.2f}x the parse floor"))
    print(row(f"tree: {len(files)} files, {cpus} jobs", all_jobs, all_peak, f"{all_jobs / floor:.2f}x the parse floor"))
    print(f"| parse-only floor, same files, one process | {floor:.3f} s | | json, PyYAML C loader, tree-sitter-hcl |")
    subprocess.run([*CLI, "--jobs", "1", "--exit-zero", "--quiet", "."], cwd=corpus, capture_output=True, check=False)
    cached, cached_peak = measure([*CLI, "--jobs", "1", "--exit-zero", "."], corpus, args.runs)
    print(row("tree, second run (cache)", cached, cached_peak, f"{100 * cached / one_job:.1f}% of the first"))
    if args.scale:
        per_file: dict[int, float] = {}
        for count in (2000, 20000):
            tree = scratch / f"scale-{count}"
            subprocess.run([sys.executable, str(REPO / "bench/generate.py"), str(count), str(tree)], check=True, capture_output=True)
            seconds, peak = measure([*CLI, "--no-cache", "--jobs", "1", "--exit-zero", "."], tree, max(1, args.runs // 2))
            per_file[count] = seconds / count
            print(row(f"scale: {count:,} generated files, 1 job", seconds, peak, f"{1000 * per_file[count]:.2f} ms per file"))
        print(f"| scale: time per file at 20,000 / at 2,000 | {per_file[20000] / per_file[2000]:.2f}x | | |")
    if args.compare:
        cfn_file = ONE_FILE["CloudFormation YAML"]
        ours, _ = measure([*CLI, "--no-cache", str(cfn_file)], REPO, args.runs)
        for tool, command in (("cfn-lint", [args.cfn_lint, str(cfn_file)]), ("checkov", [args.checkov, "-f", str(cfn_file), "--quiet"])):
            if not command[0]:
                print(f"| compare: {tool} | not installed | | pass --{tool} PATH |")
                continue
            seconds, peak = measure(command, REPO, args.runs)
            print(row(f"compare: {tool}, one CloudFormation file", seconds, peak, f"iam-saas-lint is {seconds / ours:.0f}x faster"))
    shutil.rmtree(scratch, ignore_errors=True)
    print(env_note)


if __name__ == "__main__":
    main()
