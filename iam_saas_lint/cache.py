"""The on-disk cache: each unit's findings, keyed by the content of the files it read, the tool's
version and the configuration that changes verdicts. A second run over an unchanged tree only
hashes files; editing one file re-lints only the units that read it.

It lives in the repository's ``.iam-saas-lint-cache/`` (git-ignored by a ``.gitignore`` inside),
as JSON: a cache planted in a repository must not be able to run code, as a pickle could. Nor may
it hide findings: the file is signed with a key kept outside the repository (in the user's cache
folder), and a cache whose signature does not match is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import asdict

from . import __version__
from .config import Config
from .executor import UnitResult
from .findings import Finding, Severity
from .model.document import Suppression
from .model.values import Span
from .sources import ReadOptions, Unit

DIRECTORY = ".iam-saas-lint-cache"
FORMAT = 1
#: Entries unused for this many runs are dropped (pre-commit runs touch few units, so keep a while).
KEEP_RUNS = 50


def repository_root(start: str = ".") -> str:
    """The nearest folder with ``.git`` walking up from ``start``; else ``start`` itself."""
    directory = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.abspath(start)
        directory = parent


def config_fingerprint(config: Config, options: ReadOptions) -> str:
    """What makes a cached verdict stale besides the files: tool version, settings, rules, paths."""
    settings = config.settings
    described = {
        "version": __version__,
        "format": FORMAT,
        "cwd": os.getcwd(),
        "own_accounts": sorted(settings.own_accounts),
        "own_organizations": sorted(settings.own_organizations),
        "unresolved_principals": settings.unresolved_principals,
        "vendors": [asdict(v) for v in settings.vendors],
        "select": config.select,
        "ignore": config.ignore,
        "max_file_size": config.max_file_size,
        "roles": [asdict(r) for r in options.roles],
        "roots": sorted(os.path.abspath(r) for r in options.roots),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def _finding_data(finding: Finding) -> dict[str, object]:
    data = asdict(finding)
    data["severity"] = finding.severity.value
    return data


def _finding(data: dict[str, object]) -> Finding:
    return Finding(**{**data, "severity": Severity(data["severity"])})  # type: ignore[arg-type]


def _suppression(data: dict[str, object]) -> Suppression:
    span = data["span"]
    region = data.get("region")
    assert isinstance(span, dict)
    return Suppression(
        tuple(data["rules"]),  # type: ignore[arg-type]
        str(data["reason"]),
        str(data["file"]),
        Span(**span),
        data["scope"],  # type: ignore[arg-type]
        data.get("role"),  # type: ignore[arg-type]
        Span(**region) if isinstance(region, dict) else None,
    )


class Cache:
    def __init__(self, directory: str, fingerprint: str, key: bytes | None) -> None:
        self.signing_key = key
        self.directory = directory
        self.path = os.path.join(directory, "cache.json")
        self.fingerprint = fingerprint
        self.entries: dict[str, dict[str, object]] = {}
        self.used: set[str] = set()
        self.dirty = False
        self.run_number = 0
        self._hashes: dict[str, str] = {}
        self._load()

    def _load(self) -> None:
        if self.signing_key is None:
            return
        try:
            with open(self.path, "rb") as handle:
                signature, _, body = handle.read().partition(b"\n")
            if not hmac.compare_digest(signature.decode("ascii", "replace"), _sign(self.signing_key, body)):
                return
            document = json.loads(body)
        except (OSError, ValueError, RecursionError):
            return
        if isinstance(document, dict) and document.get("fingerprint") == self.fingerprint:
            entries = document.get("entries")
            run_number = document.get("run")
            if isinstance(entries, dict) and isinstance(run_number, int):
                self.entries = entries
                self.run_number = run_number + 1

    def file_hash(self, path: str) -> str:
        found = self._hashes.get(path)
        if found is None:
            digest = hashlib.sha256()
            try:
                with open(path, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                found = digest.hexdigest()
            except OSError:
                found = "unreadable"
            self._hashes[path] = found
        return found

    def key(self, unit: Unit) -> str:
        parts = [unit.kind, *(f"{path}\0{self.file_hash(path)}" for path in unit.files)]
        return hashlib.sha256("\0\0".join(parts).encode()).hexdigest()

    def get(self, unit: Unit) -> UnitResult | None:
        key = self.key(unit)
        entry = self.entries.get(key)
        if not isinstance(entry, dict):
            return None
        dependencies = entry.get("dependencies", {})
        if not isinstance(dependencies, dict) or any(self.file_hash(p) != h for p, h in dependencies.items()):
            return None
        try:
            result = UnitResult(
                findings=[_finding(f) for f in entry["findings"]],  # type: ignore[attr-defined]
                suppressions=[_suppression(s) for s in entry["suppressions"]],  # type: ignore[attr-defined]
                role_files={k: tuple(v) for k, v in entry["role_files"].items()},  # type: ignore[attr-defined]
                raw=bool(entry["raw"]),
                roles=int(entry["roles"]),  # type: ignore[call-overload]
                dependencies=tuple(dependencies),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        self.used.add(key)
        entry["seen"] = self.run_number
        return result

    def put(self, unit: Unit, result: UnitResult) -> None:
        key = self.key(unit)
        self.entries[key] = {
            "findings": [_finding_data(f) for f in result.findings],
            "suppressions": [asdict(s) for s in result.suppressions],
            "role_files": result.role_files,
            "raw": result.raw,
            "roles": result.roles,
            "dependencies": {path: self.file_hash(path) for path in result.dependencies},
            "seen": self.run_number,
        }
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the cache back; entries no run has used for a while (changed or deleted files) drop
        out. Never fails the run."""
        if self.signing_key is None or (not self.dirty and not self.used):
            return
        oldest = self.run_number - KEEP_RUNS
        kept = {k: v for k, v in self.entries.items() if isinstance(v.get("seen"), int) and v["seen"] >= oldest}  # type: ignore[operator]
        document = {"fingerprint": self.fingerprint, "run": self.run_number, "entries": kept}
        try:
            os.makedirs(self.directory, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("# Created by iam-saas-lint: the cache is local to this checkout.\n*\n")
            body = json.dumps(document, separators=(",", ":")).encode()
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".cache-", suffix=".json")
            with os.fdopen(fd, "wb") as handle:
                handle.write(_sign(self.signing_key, body).encode() + b"\n" + body)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only checkout: run without saving


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signing_key() -> bytes | None:
    """This user's key, outside any repository; ``None`` (no cache) when it cannot be kept."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "iam-saas-lint", "cache-key")
    try:
        with open(path, "rb") as handle:
            key = handle.read()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key
    except OSError:
        return None


def open_cache(config: Config, options: ReadOptions, start: str = ".") -> Cache:
    directory = os.path.join(repository_root(start), DIRECTORY)
    return Cache(directory, config_fingerprint(config, options), signing_key())
