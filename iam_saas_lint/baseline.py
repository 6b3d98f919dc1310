"""Baselines: adopt the linter on an existing repository and fail only on new findings.

A finding's fingerprint (``findings.fingerprint``) is built from the rule, the file, what the
finding is about and the policy element's identity, so that rewording a message, moving code or
reordering statements does not bring old findings back. Baselines of the first format, whose
fingerprints hashed the message, are still read: they match on that older fingerprint, and the run
says to re-write them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence

from . import __version__
from .findings import Finding, fingerprint
from .patterns import lazy_compile
from .records import dataclass

FORMAT = "iam-saas-lint-baseline/2"
#: Fingerprints of rule, file, role and message (iam-saas-lint 0.x before structured findings).
MESSAGE_FORMAT = "iam-saas-lint-baseline/1"
_INDEX = lazy_compile(r"\[\d+\]")


class BaselineError(ValueError):
    """A baseline file that cannot be used (exit code 2)."""


@dataclass(frozen=True)
class Baseline:
    fingerprints: Counter[str]
    fingerprint: Callable[[Finding], str] = fingerprint
    #: Said once to the user when the baseline works but should be re-written.
    notice: str = ""


def message_fingerprint(finding: Finding) -> str:
    """The first format's fingerprint: breaks when a message is reworded."""
    message = _INDEX.sub("[]", " ".join(finding.message.split()))
    key = "\x1f".join((finding.rule, finding.path, finding.role or "", message))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]  # a lone "\ud800" too


def dump(findings: Sequence[Finding]) -> str:
    entries = [
        {"fingerprint": fingerprint(f), "rule": f.rule, "path": f.path, "role": f.role, "message": f.message}
        for f in findings
    ]
    return json.dumps({"format": FORMAT, "tool_version": __version__, "findings": entries}, indent=2) + "\n"


def load(text: str, source: str) -> Baseline:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise BaselineError(f"{source}: not a baseline file ({error})") from error
    version = document.get("format") if isinstance(document, dict) else None
    if version not in (FORMAT, MESSAGE_FORMAT):
        raise BaselineError(f"{source}: not a baseline file (expected format {FORMAT!r})")
    assert isinstance(document, dict)
    entries = document.get("findings", [])
    if not isinstance(entries, list):
        raise BaselineError(f"{source}: not a baseline file (findings must be a list, not {type(entries).__name__})")
    found = Counter(str(e.get("fingerprint")) for e in entries if isinstance(e, dict))
    if version == MESSAGE_FORMAT:
        notice = (
            f"{source} is an older baseline whose findings come back when a message is reworded: "
            f"re-write it with --write-baseline {source}"
        )
        return Baseline(found, message_fingerprint, notice)
    return Baseline(found)


#: A baseline is read only when it is a regular file of at most this many bytes.
MAX_BASELINE_BYTES = 64 * 1024 * 1024


def read_file(path: str) -> Baseline:
    """The fingerprints recorded in the baseline file ``path`` (a regular file, bounded)."""
    from .safe_files import read_regular

    try:
        raw = read_regular(path, MAX_BASELINE_BYTES)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror or error}") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BaselineError(f"{path}: not a baseline file (not UTF-8 text)") from error
    try:
        return load(text, path)
    except RecursionError as error:
        raise BaselineError(f"{path}: not a baseline file (nested too deeply)") from error


def write_file(path: str, findings: Sequence[Finding], inside: str) -> None:
    """Record ``findings`` in ``path``: atomically, never through a link, only inside ``inside``."""
    from .safe_files import write_new

    try:
        write_new(path, dump(findings).encode("utf-8", "surrogateescape"), inside)
    except (OSError, UnicodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise BaselineError(f"{path}: cannot write the baseline: {reason}") from error


def new_findings(findings: Sequence[Finding], baseline: Baseline) -> list[Finding]:
    """Findings beyond those the baseline recorded (each recorded fingerprint absorbs one finding)."""
    remaining = Counter(baseline.fingerprints)
    fresh = []
    for finding in findings:
        key = baseline.fingerprint(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            fresh.append(finding)
    return fresh
