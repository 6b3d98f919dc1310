"""Corpus check for the Terraform family (not a test): read every .tf module and plan file of a corpus.

    python bench/corpus_terraform.py /work/shared/corpus [--verbose]

Prints, per format, the files, modules, roles and findings per rule; the internal errors (tracebacks);
the time spent; and, for corpus/vendors, the external-id verdict of each Terraform file next to the
``sts_externalid_condition`` label of vendors/LABELS.tsv.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections import Counter, defaultdict

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding

XID_RULES = {"ISL001": "no", "ISL002": "weak", "ISL009": "unknown"}


def _plan_files(root: str) -> list[str]:
    found = []
    for directory, _, names in os.walk(root):
        for name in names:
            if not name.endswith(".json"):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8", errors="replace") as handle:
                head = handle.read(4096)
            if '"format_version"' in head or '"planned_values"' in head or '"resource_changes"' in head:
                try:
                    with open(path, encoding="utf-8") as handle:
                        data = json.load(handle)
                except ValueError:
                    continue
                if isinstance(data, dict) and "format_version" in data:
                    found.append(path)
    return sorted(found)


def _tf_dirs(root: str) -> dict[str, list[str]]:
    modules: dict[str, list[str]] = defaultdict(list)
    for directory, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith(".tf"):
                modules[directory].append(os.path.join(directory, name))
    return dict(sorted(modules.items()))


def _verdict(findings: list[Finding]) -> str:
    rules = {
        f.rule
        for f in findings
        if f.rule in ("ISL001", "ISL002") or (f.rule == "ISL009" and "external id" in f.message)
    }
    for rule in ("ISL001", "ISL002", "ISL009"):
        if rule in rules:
            return XID_RULES[rule]
    return "yes"


def _agrees(label: str, verdict: str) -> bool:
    """``verdict`` is "yes" when no finding says the external id is missing, weak or unverifiable."""
    if label.startswith(("yes", "n/a", "not ")):  # not visible / not declared: no trust policy in the file
        return verdict == "yes"
    if label == "no" or "default no" in label:
        return verdict == "no"
    return label.startswith(verdict)


def main(argv: list[str]) -> int:
    corpus = argv[0]
    verbose = "--verbose" in argv
    config = Config()
    report: dict[str, dict[str, object]] = {}
    tracebacks: list[str] = []
    # Terraform modules: a folder's .tf files are one module
    modules = _tf_dirs(corpus)
    tf_files = [f for files in modules.values() for f in files]
    started = time.perf_counter()
    findings: list[Finding] = []
    roles = 0
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for files in modules.values():
        result = run(files, config)
        roles += result.roles
        findings.extend(result.findings)
        tracebacks.extend(result.tracebacks)
        for finding in result.findings:
            by_file[os.path.abspath(finding.path)].append(finding)
    tf_seconds = time.perf_counter() - started
    report["terraform-hcl"] = {
        "files": len(tf_files), "modules": len(modules), "roles": roles, "seconds": round(tf_seconds, 2),
        "findings": dict(sorted(Counter(f.rule for f in findings if f.path.endswith(".tf")).items())),
    }  # fmt: skip
    plans = _plan_files(corpus)
    started = time.perf_counter()
    result = run(plans, config)
    tracebacks.extend(result.tracebacks)
    report["terraform-plan"] = {
        "files": len(plans), "roles": result.roles, "seconds": round(time.perf_counter() - started, 2),
        "findings": dict(sorted(Counter(f.rule for f in result.findings).items())),
    }  # fmt: skip
    internal = [f for f in findings + result.findings if "internal error" in f.message]
    for name, row in report.items():
        print(name, json.dumps(row))
    print("tracebacks", len(tracebacks), "internal-error findings", len(internal))
    for trace in tracebacks[:5]:
        print(trace)
    labels = os.path.join(corpus, "vendors", "LABELS.tsv")
    if os.path.exists(labels):
        print("\nvendor Terraform files: label vs verdict")
        with open(labels, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        seen = set()
        for row in rows:
            path = os.path.join(corpus, row["file"])
            if not path.endswith(".tf") or path in seen:
                continue
            seen.add(path)
            label = row["sts_externalid_condition"]
            shown = os.path.abspath(path)
            verdict = _verdict(by_file.get(shown, []))
            flag = "" if _agrees(label, verdict) else "  <-- differs"
            print(f"{row['file']:<70} label={label!r:<40} verdict={verdict}{flag}")
            if verdict != "yes" and verbose:
                for finding in by_file.get(shown, []):
                    print(f"      {finding.rule} {finding.line}:{finding.column} {finding.message}")
    if verbose:
        for finding in sorted(findings + result.findings, key=Finding.sort_key):
            print(f"{finding.path}:{finding.line}:{finding.column}: {finding.rule} {finding.message}")
    return 1 if tracebacks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
