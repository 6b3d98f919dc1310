"""Sweep a corpus (not a test): every file linted on its own, as pre-commit would name it, and the
whole tree once as CI would; prints files, roles and findings per format, the internal errors
(tracebacks) and the slowest files.

    python bench/corpus_sweep.py /work/shared/corpus [--limit-seconds 1.0] [--slowest 10]

Exit status 1 when a file raises, gives an internal error, or takes longer than the limit.
A ``.tf`` file brings its whole module, so its time is the module's.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from iam_saas_lint.cli import main as cli_main
from iam_saas_lint.config import Config
from iam_saas_lint.discovery import discover
from iam_saas_lint.engine import run

YAML = (".yaml", ".yml", ".template")


def file_format(path: str) -> str:
    """The format of a file, from its content (as the readers route it)."""
    from iam_saas_lint.sources.account_export import is_account_export
    from iam_saas_lint.sources.cloudformation.template import is_serverless, is_template
    from iam_saas_lint.sources.raw_policy import is_policy
    from iam_saas_lint.sources.terraform.plan import is_plan
    from iam_saas_lint.sources.text.yaml_positions import YamlError, load_yaml

    if path.endswith(".tf"):
        return "terraform hcl"
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return "unreadable"
    data: object = None
    if path.endswith(".json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return "malformed json" if path.endswith(".json") else "malformed yaml"
        kind = "json"
    else:
        try:
            documents = load_yaml(text)
        except YamlError:
            return "malformed yaml"
        data = next((d.data for d in documents if is_template(d.data) or is_serverless(d.data, path)), None)
        if data is not None and is_serverless(data, path):
            return "serverless"
        kind = "yaml"
    if is_account_export(data):
        return "account export"
    if is_policy(data):
        return "raw policy json"
    if is_plan(data):
        return "terraform plan"
    if is_template(data):
        return f"cloudformation {kind}"
    return f"other {kind}"


def _roles_by_file(root: str) -> Counter[str]:
    """Roles per file they are anchored in, from the readers (one pass over the tree)."""
    from iam_saas_lint.sources import ReadOptions, bundle_units, plan_units, read_unit

    found = discover([root])
    options = ReadOptions(roots=(root,))
    roles: Counter[str] = Counter()
    raw: list[str] = []
    for passes in (plan_units(found.files), None):
        for unit in passes if passes is not None else bundle_units(raw, ()):
            try:
                read = read_unit(unit, options)
            except Exception:
                continue  # counted as an internal error by the whole-tree run
            if read.raw:
                raw.append(unit.files[0])
            for role in read.inventory.roles:
                roles[role.anchor.file] += 1
    return roles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--limit-seconds", type=float, default=1.0)
    parser.add_argument("--slowest", type=int, default=10)
    args = parser.parse_args(argv)
    root = os.path.relpath(args.root)
    files = discover([root]).files
    formats = {path: file_format(path) for path in files}
    per_format: dict[str, Counter[str]] = defaultdict(Counter)
    problems: list[str] = []
    timings: list[tuple[float, str]] = []

    # each file on its own, as pre-commit names changed files
    for path in files:
        started = time.perf_counter()
        try:
            result = run([path], Config())
        except Exception:
            problems.append(f"{path}: raised\n{traceback.format_exc()}")
            continue
        elapsed = time.perf_counter() - started
        timings.append((elapsed, path))
        if result.tracebacks:
            problems.append(f"{path}: internal error\n{result.tracebacks[0]}")
        if elapsed > args.limit_seconds:
            problems.append(f"{path}: {elapsed:.2f} s, over {args.limit_seconds} s")
        per_format[formats[path]]["files"] += 1

    # the whole tree once, as CI runs it (through the command line)
    output = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(output):
        code = cli_main([root, "--format", "json"])
    whole = time.perf_counter() - started
    findings = json.loads(output.getvalue())["findings"]
    internal = [f for f in findings if "internal error" in f["message"]]
    if code == 2 or internal:
        problems.append(f"whole tree: exit {code}, {len(internal)} internal errors")
    rules: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in findings:
        kind = formats.get(finding["path"], "other")
        per_format[kind]["findings"] += 1
        rules[kind][finding["rule"]] += 1
    for path, count in _roles_by_file(root).items():
        per_format[formats.get(path, "other")]["roles"] += count

    print(f"{'format':<22} {'files':>6} {'roles':>6} {'findings':>9}  by rule")
    totals: Counter[str] = Counter()
    for kind in sorted(per_format):
        counts = per_format[kind]
        totals.update(counts)
        by_rule = " ".join(f"{rule}:{n}" for rule, n in sorted(rules[kind].items()))
        print(f"{kind:<22} {counts['files']:>6} {counts['roles']:>6} {counts['findings']:>9}  {by_rule}")
    print(f"{'total':<22} {totals['files']:>6} {totals['roles']:>6} {totals['findings']:>9}")
    print(f"\nwhole tree: {whole:.1f} s, exit {code}; files one by one: {sum(t for t, _ in timings):.1f} s")
    print(f"slowest files (a .tf file brings its module), limit {args.limit_seconds} s:")
    for elapsed, path in sorted(timings, reverse=True)[: args.slowest]:
        print(f"  {elapsed:6.3f} s  {path}")
    print(f"\ntracebacks and internal errors: {sum('internal' in p or 'raised' in p for p in problems)}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
