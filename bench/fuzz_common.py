"""Shared driver of the fuzz harnesses (``bench/fuzz_{json,yaml,hcl,plan}.py``); not run in CI.

Each harness hands one input to one reader, exactly as a run would (the bytes are written to a
file, read with the size limit, decoded, parsed, turned into an inventory), then applies every
rule and asks each finding for its position. Anything that escapes is a crash: in a real run the
engine would turn it into an internal-error finding (exit 2), which is a bug all the same.

With ``atheris`` installed the harness is coverage-guided (libFuzzer flags apply, for example
``-max_total_time=120 -timeout=10``); without it a seeded random-mutation loop over the same seed
inputs runs for ``-max_total_time`` seconds. Seeds are the repository's fixtures of that format;
crashes are written to ``-artifact_prefix`` (default ``bench/fuzz-crashes/``).

    python bench/fuzz_json.py -max_total_time=120
    python bench/fuzz_yaml.py -max_total_time=120 --no-atheris
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: Words the mutators splice in: IAM elements, intrinsic functions, HCL syntax, hostile pieces.
DICTIONARY = [
    '"Statement"', '"Effect"', '"Allow"', '"Deny"', '"Principal"', '"NotPrincipal"', '"Action"', '"NotAction"',
    '"Resource"', '"Condition"', '"sts:AssumeRole"', '"sts:ExternalId"', '"aws:SourceIp"', '"StringEquals"',
    '"StringLike"', '"NotIpAddress"', '"IpAddress"', '"AWS"', '"*"', '"arn:aws:iam::464622532012:root"',
    '"203.0.113.0/24"', '"0.0.0.0/0"', '"Version"', '"2012-10-17"', '"Fn::If"', '"Fn::Sub"', '"Ref"',
    '"Fn::GetAtt"', '"Fn::Join"', '"AWS::IAM::Role"', '"AssumeRolePolicyDocument"', '"Policies"', '"Type"',
    '"Properties"', '"Resources"', '"Conditions"', '"Parameters"', '"RoleDetailList"', '"format_version"',
    '"planned_values"', '"resource_changes"', '"values"', '"assume_role_policy"', "!Ref ", "!If ", "!Sub ",
    "!GetAtt ", "&a ", "*a", "<<: ", "---\n", "${", "%{", "}", "jsonencode(", "file(", "templatefile(",
    "data.aws_iam_policy_document.", ".json", "local.", "var.", "count.index", "each.value", "for_each",
    "dynamic ", "<<EOF\n", "\nEOF\n", "[", "]", "{", "}", ",", ":", "\x00", "\xff", "\\u0000", "\\ud800",
    "1e999", "-0", "null", "true", "[[[[[[[[", "]]]]]]]]",
]  # fmt: skip


#: Imported under atheris's instrumentation, so that coverage guides the mutations.
INSTRUMENTED = [
    "iam_saas_lint.engine", "iam_saas_lint.sources.account_export", "iam_saas_lint.sources.cloudformation.reader",
    "iam_saas_lint.sources.terraform.evaluate", "iam_saas_lint.sources.terraform.graph",
    "iam_saas_lint.sources.terraform.plan", "iam_saas_lint.rules",
]  # fmt: skip


def fixture_seeds(suffixes: Sequence[str], contains: str = "") -> list[bytes]:
    seeds = []
    for path in sorted((REPO / "fixtures").rglob("*")):
        if path.is_file() and path.name.endswith(tuple(suffixes)):
            data = path.read_bytes()
            if contains.encode() in data:
                seeds.append(data)
    return seeds


class Target:
    """One reader: where the input is written and how it is read."""

    def __init__(
        self, name: str, file_name: str, read: Callable[[str, Path], object], structured: bool = False
    ) -> None:
        self.name = name
        #: Mutate the parsed value as well as the bytes (JSON and YAML inputs).
        self.structured = structured
        self.yaml = file_name.endswith((".yaml", ".yml"))
        self.file_name = file_name
        self.read = read
        self.work = Path(tempfile.mkdtemp(prefix=f"isl-fuzz-{name}-", dir=_scratch()))
        self.path = self.work / file_name
        #: The process's size before its first input (a fresh run's, without the input).
        self.base_mb: float | None = None

    def __call__(self, data: bytes) -> None:
        if self.base_mb is None:
            self.base_mb = _status_mb("VmRSS:")
        before = _status_mb("VmRSS:")
        _reset_peak_memory()
        started = time.process_time()
        self._check(data)
        seconds = time.process_time() - started
        peak = _status_mb("VmHWM:")
        bound = MAX_CPU_SECONDS if len(data) <= 64 * 1024 else MAX_LARGE_CPU_SECONDS
        if seconds > bound:
            raise AssertionError(f"took {seconds:.1f} s of CPU time, over the {bound:.0f} s bound")
        if peak is not None and before is not None and self.base_mb is not None:
            # what this input took on top of what the loop held before it, over a fresh process's
            # size: a long loop's memory creeps (the allocator keeps freed arenas), one run's does not
            fresh_peak = self.base_mb + peak - before
            if fresh_peak > MAX_MB:
                raise AssertionError(f"peaked at {fresh_peak:.0f} MB, over the {MAX_MB:.0f} MB bound")

    def _check(self, data: bytes) -> None:
        from iam_saas_lint.config import Config
        from iam_saas_lint.engine import check_inventory

        self.path.write_bytes(data)
        inventory = self.read(str(self.path), self.work)
        findings = check_inventory(inventory, Config())  # type: ignore[arg-type]
        for finding in findings:
            if finding.line < 1 or finding.column < 1:
                raise AssertionError(f"position out of range: {finding}")
            if "internal error" in finding.message:
                raise AssertionError(f"internal error: {finding.message}")
        for problem in getattr(inventory, "problems", []):
            if problem.internal:
                raise AssertionError(f"internal problem: {problem.message}")
        render_every_format(findings)


def render_every_format(findings: Sequence[Any]) -> None:
    """Each output format, written as the command line writes it (UTF-8, strictly): a finding that
    crashes a formatter, or leaves what a terminal acts on in a line-based format, is a crash."""
    from iam_saas_lint.engine import rule_infos
    from iam_saas_lint.report import text
    from iam_saas_lint.report.github import format_github
    from iam_saas_lint.report.json_format import format_json
    from iam_saas_lint.report.sarif import format_sarif
    from iam_saas_lint.sources.text.files import source_lines

    lines = {path: found for path in {f.path for f in findings} if (found := source_lines(path)) is not None}
    rules = rule_infos()
    outputs = {
        "text": text.format_text(findings, rules, lines, colour=False, show_fixes=True),
        "concise": text.format_concise(findings),
        "github": format_github(findings),
        "json": format_json(findings),
        "sarif": format_sarif(findings, rules),
        "statistics": text.format_statistics(findings, rules),
    }
    for name, output in outputs.items():
        output.encode("utf-8")  # what writing it to stdout does: a lone surrogate raises here
        if name in ("concise", "github"):
            shown = output.splitlines()
            if len(shown) != len(findings) + (name == "concise"):
                raise AssertionError(f"{name}: {len(shown)} lines for {len(findings)} findings (a forged line?)")
        if name != "json" and name != "sarif" and any(c in output for c in ("\x1b", "\u202e", "\r")):
            raise AssertionError(f"{name}: a terminal control character reached the output")


#: What a harness counts as a crash besides an exception: the README's bounds for one hostile input
#: (CPU seconds; the larger bound for generated inputs over 64 KB) and peak memory of this process.
MAX_CPU_SECONDS = 2.0
MAX_LARGE_CPU_SECONDS = 6.0
MAX_MB = 300.0


def _reset_peak_memory() -> None:
    """Linux resets the high-water mark (VmHWM) when "5" is written to clear_refs."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass


def _status_mb(field: str) -> float | None:
    """``VmRSS:`` (now) or ``VmHWM:`` (the peak since the last reset) of this process, in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _scratch() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _mutate(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        position = rng.randint(0, len(buffer))
        if choice < 0.25 and buffer:  # flip, delete or duplicate a run of bytes
            end = min(len(buffer), position + rng.randint(1, 16))
            operation = rng.random()
            if operation < 0.4:
                for i in range(position, end):
                    buffer[i] = rng.randrange(256)
            elif operation < 0.7:
                del buffer[position:end]
            else:
                buffer[position:position] = buffer[position:end] * rng.randint(1, 64)
        elif choice < 0.7:
            buffer[position:position] = rng.choice(DICTIONARY).encode("utf-8", "surrogatepass")
        elif choice < 0.85 and seeds:  # splice part of another seed
            other = rng.choice(seeds)
            start = rng.randint(0, len(other))
            buffer[position:position] = other[start : start + rng.randint(1, 200)]
        else:  # nest the rest
            depth = rng.choice([1, 5, 50, 2000])
            buffer[position:position] = rng.choice([b"[", b"{", b"(", b"- "]) * depth
    return bytes(buffer[:MAX_INPUT_BYTES])


#: Inputs as large as a file the linter reads (``max-file-size``), not the 64 KB fuzzers default to.
MAX_INPUT_BYTES = 5 * 1024 * 1024

#: Values the structure-aware mutator puts in place of another value.
_VALUES: list[object] = [
    "Allow", "Deny", "*", "sts:AssumeRole", "sts:*", "s3:GetObject", "arn:aws:iam::464622532012:root",
    "464622532012", "AROAEXAMPLEID1234567890", "sts:ExternalId", "aws:SourceIp", "203.0.113.0/24", "0.0.0.0/0",
    "10.0.0.0/8", "::/0", "StringEquals", "StringLike", "NotIpAddress", "ForAllValues:StringEquals", "${var.x}",
    "{{x}}", "", None, True, 0, -1, 1e308, [], {}, ["*"], {"AWS": "*"}, {"Ref": "AWS::AccountId"},
    {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, "x"]}, {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"},
    {"Fn::GetAtt": ["R", "Arn"]}, {"Fn::Join": ["", ["a", {"Ref": "P"}]]}, {"StringEquals": {"sts:ExternalId": "x"}},
    {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
]  # fmt: skip


def _nodes(value: object, found: list[tuple[object, object]]) -> None:
    """Every (container, key) of a JSON value, iteratively."""
    stack = [value]
    while stack and len(found) < 5000:
        current = stack.pop()
        if isinstance(current, dict):
            for key, item in current.items():
                found.append((current, key))
                stack.append(item)
        elif isinstance(current, list):
            for index, item in enumerate(current):
                found.append((current, index))
                stack.append(item)


def mutate_structure(data: bytes, rng: random.Random, as_yaml: bool = False) -> bytes | None:
    """Change a parsed JSON (or YAML) value in place of bytes; ``None`` when the input does not parse."""
    import json

    try:
        if as_yaml:
            import yaml

            value = yaml.safe_load(data)
        else:
            value = json.loads(data)
    except Exception:
        return None
    nodes: list[tuple[object, object]] = []
    _nodes(value, nodes)
    if not nodes:
        return None
    for _ in range(rng.randint(1, 4)):
        container, key = rng.choice(nodes)
        roll = rng.random()
        try:
            if roll < 0.5:
                container[key] = rng.choice(_VALUES)  # type: ignore[index]
            elif roll < 0.65 and isinstance(container, dict):
                del container[key]
            elif roll < 0.8:
                container[key] = [container[key]] * rng.randint(1, 3)  # type: ignore[index]
            elif roll < 0.9 and isinstance(container, dict):
                container[rng.choice(["Condition", "Principal", "NotPrincipal", "Effect", "Fn::If", "Ref"])] = (
                    container[key]
                )
            else:
                container[key] = {"Fn::If": ["Cond", container[key], rng.choice(_VALUES)]}  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            continue
    try:
        if as_yaml:
            import yaml

            return yaml.safe_dump(value, sort_keys=False).encode()
        return json.dumps(value, indent=rng.choice([None, 1])).encode()
    except Exception:
        return None


def _random_loop(target: Target, seeds: list[bytes], seconds: float, artifacts: Path, seed: int) -> int:
    rng = random.Random(seed)
    pool = list(seeds) or [b"{}"]
    runs = crashes = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        parent = rng.choice(pool)
        structured = mutate_structure(parent, rng, target.yaml) if target.structured and rng.random() < 0.5 else None
        data = structured if structured is not None else _mutate(parent, rng, seeds)
        started = time.monotonic()
        try:
            target(data)
        except Exception:  # an escaped exception, or an input over the time or memory bound
            crashes += 1
            _save(artifacts, "crash", data)
            traceback.print_exc()
        elapsed = time.monotonic() - started
        if elapsed > 10 * MAX_LARGE_CPU_SECONDS:  # the CPU bound is checked in the target; this is only news
            print(f"slow input: {elapsed:.1f} s of wall time", file=sys.stderr)
        runs += 1
        if rng.random() < 0.05 and len(pool) < 500:
            pool.append(data)  # keep some mutants, so mutations compound
    print(f"{target.name}: {runs} executions, {crashes} crashes (random-mutation loop, seed {seed})")
    return 1 if crashes else 0


def _save(artifacts: Path, kind: str, data: bytes) -> None:
    import hashlib

    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"{kind}-{hashlib.sha1(data).hexdigest()}").write_bytes(data)


def main(target: Target, seeds: list[bytes], argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    use_atheris = "--no-atheris" not in args
    args = [a for a in args if a != "--no-atheris"]
    artifacts = REPO / "bench" / "fuzz-crashes" / target.name
    seconds = 60.0
    for arg in args:
        if arg.startswith("-max_total_time="):
            seconds = float(arg.split("=", 1)[1])
        elif arg.startswith("-artifact_prefix="):
            artifacts = Path(arg.split("=", 1)[1])
    try:
        if use_atheris:
            import atheris  # type: ignore[import-not-found]
        else:
            raise ImportError
    except ImportError:
        try:
            return _random_loop(target, seeds, seconds, artifacts, seed=int(os.environ.get("FUZZ_SEED", "1")))
        finally:
            shutil.rmtree(target.work, ignore_errors=True)
    import importlib

    with atheris.instrument_imports(include=["iam_saas_lint"]):
        for name in INSTRUMENTED:
            importlib.import_module(name)
    corpus = Path(tempfile.mkdtemp(prefix=f"isl-fuzz-corpus-{target.name}-", dir=_scratch()))
    for index, seed in enumerate(seeds):
        (corpus / f"seed-{index}").write_bytes(seed)
    dictionary = corpus.parent / f"{corpus.name}.dict"
    dictionary.write_text("".join(f'"{_escape(word)}"\n' for word in DICTIONARY))
    artifacts.mkdir(parents=True, exist_ok=True)
    flags = [a for a in args if a.startswith("-")]
    if not any(a.startswith("-artifact_prefix=") for a in flags):
        flags.append(f"-artifact_prefix={artifacts}/")
    if not any(a.startswith("-timeout=") for a in flags):
        flags.append("-timeout=10")
    if not any(a.startswith("-rss_limit_mb=") for a in flags):
        flags.append("-rss_limit_mb=1024")  # the process as a whole; each input's own peak is checked in the target
    flags += [f"-dict={dictionary}", f"-max_len={MAX_INPUT_BYTES}", "-print_final_stats=1"]
    corpora = [a for a in args if not a.startswith("-")] or [str(corpus)]
    rng = random.Random(0)

    def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        rng.seed(seed)
        if target.structured and rng.random() < 0.5:
            structured = mutate_structure(data, rng, target.yaml)
            if structured is not None and len(structured) <= max_size:
                return structured
        return bytes(atheris.Mutate(data, max_size))

    atheris.Setup([sys.argv[0], *flags, *corpora], target, custom_mutator=custom_mutator)
    atheris.Fuzz()
    return 0


def _escape(word: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c) & 0xFF:02x}" for c in word)
