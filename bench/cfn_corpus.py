"""Corpus check for the CloudFormation family (not a test): every CloudFormation, SAM, CDK and
Serverless file under a corpus folder is read and linted; prints per-format counts, findings per
rule, internal errors and the time taken, and compares external-id verdicts with LABELS.tsv.

    python bench/cfn_corpus.py /work/shared/corpus
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
import traceback
from collections import Counter, defaultdict

from iam_saas_lint.config import Config
from iam_saas_lint.engine import check_inventory
from iam_saas_lint.sources import ReadOptions, Unit, read_unit
from iam_saas_lint.sources.cloudformation.template import is_serverless, is_template
from iam_saas_lint.sources.text.yaml_positions import YamlError, load_yaml

YAML = (".yaml", ".yml", ".template")


def classify(path: str) -> str | None:
    """The format of a CloudFormation-family file, or None (decided from content, like the readers)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return None
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
    elif path.endswith(YAML):
        try:
            documents = load_yaml(text)
        except YamlError:
            return "yaml-unreadable" if "Resources" in text else None
        data = documents[0].data if documents else None
        if is_serverless(data, path):
            return "serverless"
    else:
        return None
    if not is_template(data):
        return None
    assert isinstance(data, dict)
    transform = json.dumps(data.get("Transform", ""))
    if path.endswith(".template.json"):
        return "cdk-json"
    if "AWS::Serverless" in transform:
        return "sam-json" if path.endswith(".json") else "sam-yaml"
    return "cfn-json" if path.endswith(".json") else "cfn-yaml"


def main(root: str) -> int:
    files = sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names if f.endswith((".json",) + YAML))
    formats = {path: kind for path in files if (kind := classify(path)) is not None}
    options = ReadOptions()
    config = Config()
    per_format: dict[str, Counter[str]] = defaultdict(Counter)
    rules: Counter[str] = Counter()
    findings_by_file = {}
    tracebacks = 0
    started = time.perf_counter()
    for path, kind in formats.items():
        try:
            unit = Unit("file", (path,))
            inventory = read_unit(unit, options).inventory
            findings = check_inventory(inventory, config)
        except Exception:
            tracebacks += 1
            traceback.print_exc()
            continue
        internal = [f for f in findings if "internal error" in f.message]
        tracebacks += len(internal)
        per_format[kind]["files"] += 1
        per_format[kind]["roles"] += len({r.name.split(" [if ")[0] for r in inventory.roles})
        per_format[kind]["variants"] += len(inventory.roles)
        per_format[kind]["findings"] += len(findings)
        rules.update(f.rule for f in findings)
        findings_by_file[os.path.relpath(path, root)] = findings
    elapsed = time.perf_counter() - started
    print(f"{'format':<16}{'files':>7}{'roles':>7}{'variants':>9}{'findings':>9}")
    for kind, counts in sorted(per_format.items()):
        print(f"{kind:<16}{counts['files']:>7}{counts['roles']:>7}{counts['variants']:>9}{counts['findings']:>9}")
    print("findings per rule:", dict(sorted(rules.items())))
    print(f"internal errors / tracebacks: {tracebacks}")
    print(f"time: {elapsed:.2f} s for {len(formats)} files")
    labels = os.path.join(root, "vendors", "LABELS.tsv")
    if os.path.exists(labels):
        compare(labels, findings_by_file)
    return 0


def verdict(findings: list) -> str:
    if any(f.rule in ("ISL001", "ISL002", "ISL004", "ISL008") for f in findings):
        return "no"
    if any(f.rule == "ISL009" and "external id" in f.message for f in findings):
        return "unknown"
    if any(f.rule in ("ISL003", "ISL005", "ISL006") for f in findings):
        return "yes"
    return "n/a"


def compare(labels: str, findings_by_file: dict) -> None:
    print("\nexternal-id verdicts against vendors/LABELS.tsv (CloudFormation files):")
    agreed = total = 0
    with open(labels, encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            path = row["file"]
            if path not in findings_by_file:
                continue
            ours = verdict(findings_by_file[path])
            label = row["sts_externalid_condition"]
            if "/ no" in label:  # roles with and without: the file as a whole has one without
                expected = ("no",)
            elif label.startswith("yes"):
                expected = ("yes", "unknown")
            elif label == "no" or label.startswith("no "):
                expected = ("no",)
            else:  # n/a, not declared, service-principal external id: no third-party role here
                expected = ("n/a",)
            agreed += ours in expected
            total += 1
            mark = "  " if ours in expected else "!!"
            print(f"{mark} {path:<100} label={label[:40]:<40} ours={ours}")
    print(f"agreement: {agreed}/{total} (yes = condition present and enforced; unknown = present, value unresolved)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"))
