"""The on-disk cache: each unit's findings, reused while nothing its verdict depends on has changed.

An entry is found by the unit (its kind and files) and the run's fingerprint: the tool's version,
the digest of the package's own files (an edited rule never serves an old verdict) and the
configuration that changes verdicts. It is reused only if everything the unit's readers read is as
it was: the digest of the exact bytes each reader parsed (recorded by the reader as it read them,
never by a separate read), every path a reader looked for and did not find, and the list of files
the unit's folders hold (a new ``terraform.tfvars`` changes a module's verdict).

Entries are JSON, never pickles, one small file each (``cache_store``), signed with a key kept
outside the repository and outside the scanned folders, so a cache committed to a repository
cannot hide findings. Without a repository (no ``.git`` above the working folder) there is no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from typing import Any

from . import __version__
from .cache_store import DIRECTORY, EntryStore
from .config import Config
from .executor import UnitResult
from .findings import Finding, Severity, Subject
from .model.document import Suppression
from .model.values import Span
from .paths import repository_root
from .records import asdict
from .sources import ReadOptions, Unit
from .sources.text.files import current_state

FORMAT = 2
#: Units whose reader groups files by folder: the folder's list of files is part of their verdict.
_FOLDER_KINDS = ("module", "bundle")
_KEY_BYTES = 32


_code_digest: str | None = None


def code_digest() -> str:
    """The digest of every file of the installed package (code and data), once per process."""
    global _code_digest
    if _code_digest is None:
        digest = hashlib.sha256()
        package = os.path.dirname(os.path.abspath(__file__))
        for directory, folders, files in os.walk(package):
            folders[:] = sorted(f for f in folders if f != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(directory, name)
                digest.update(os.path.relpath(path, package).encode("utf-8", "surrogateescape") + b"\0")
                try:
                    with open(path, "rb") as handle:
                        digest.update(handle.read())
                except OSError:
                    digest.update(b"unreadable")
                digest.update(b"\0")
        _code_digest = digest.hexdigest()
    return _code_digest


def config_fingerprint(config: Config, options: ReadOptions) -> str:
    """What makes a cached verdict stale besides the files: tool version and code, settings, paths."""
    settings = config.settings
    described = {
        "version": __version__,
        "code": code_digest(),
        "format": FORMAT,
        "cwd": os.getcwd(),
        "own_accounts": sorted(settings.own_accounts),
        "own_organizations": sorted(settings.own_organizations),
        "unresolved_principals": settings.unresolved_principals,
        "vendors": [asdict(v) for v in settings.vendors],
        "own_identity_providers": list(settings.own_identity_providers),
        "federated_subject_scope": settings.federated_subject_scope,
        "widest_source_ip_range": settings.widest_source_ip_range,
        "select": config.select,
        "ignore": config.ignore,
        "max_file_size": config.max_file_size,
        "terraform_engine": options.terraform_engine,
        "roles": [asdict(r) for r in options.roles],
        "roots": sorted(os.path.abspath(r) for r in options.roots),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def folder_state(directory: str) -> str:
    """The list of files a folder holds (the cache's own folder left out)."""
    try:
        names = sorted(n for n in os.listdir(directory or ".") if n != DIRECTORY)
    except OSError as error:
        return f"error:{error.errno}"
    listing = "\0".join(names).encode("utf-8", "surrogateescape")
    return "sha256:" + hashlib.sha256(listing).hexdigest()


def _finding_data(finding: Finding) -> dict[str, object]:
    data = asdict(finding)
    data["severity"] = finding.severity.value
    return data


def _finding(data: dict[str, Any]) -> Finding:
    written = data["subject"]
    if not isinstance(written, dict):
        raise TypeError("a finding's subject is an object")
    variant = tuple((str(name), str(value)) for name, value in written["variant"])
    subject = Subject(**{**written, "variant": variant})
    return Finding(**{**data, "severity": Severity(data["severity"]), "subject": subject})


def _suppression(data: dict[str, Any]) -> Suppression:
    resource_path = data.get("resource_path")
    return Suppression(
        tuple(data["rules"]),
        str(data["reason"]),
        str(data["file"]),
        Span(**data["span"]),
        data["scope"],
        data.get("role"),
        resource_path if isinstance(resource_path, str) else None,
    )


def _result(entry: dict[str, Any]) -> UnitResult:
    return UnitResult(
        findings=[_finding(f) for f in entry["findings"]],
        suppressions=[_suppression(s) for s in entry["suppressions"]],
        role_files={str(k): tuple(v) for k, v in entry["role_files"].items()},
        raw=bool(entry["raw"]),
        skipped=str(entry.get("skipped", "")),
        roles=int(entry["roles"]),
        notes=[str(note) for note in entry["notes"]],
        included=tuple(str(path) for path in entry["included"]),
    )


class Cache:
    def __init__(self, store: EntryStore, fingerprint: str, signing_key: bytes, max_bytes: int) -> None:
        self.store = store
        self.fingerprint = fingerprint
        self.signing_key = signing_key
        self.max_bytes = max_bytes
        self._states: dict[tuple[str, bool], str] = {}
        self._folders: dict[str, str] = {}

    def key(self, unit: Unit) -> str:
        described = "\0".join([self.fingerprint, unit.kind, *unit.files])
        return hashlib.sha256(described.encode("utf-8", "surrogateescape")).hexdigest()

    def _state(self, path: str, recorded: str) -> str:
        memo = (path, recorded.startswith("?"))
        found = self._states.get(memo)
        if found is None:
            found = self._states[memo] = current_state(path, recorded, self.max_bytes)
        return found

    def _folder(self, directory: str) -> str:
        found = self._folders.get(directory)
        if found is None:
            found = self._folders[directory] = folder_state(directory)
        return found

    def get(self, unit: Unit) -> UnitResult | None:
        key = self.key(unit)
        data = self.store.read(key)
        if data is None:
            return None
        signature, _, body = data.partition(b"\n")
        if not hmac.compare_digest(signature, _sign(self.signing_key, body).encode()):
            return None
        try:
            entry = json.loads(body)
            if entry["key"] != key:
                return None
            reads, folders = entry["reads"], entry["folders"]
            if any(self._state(path, state) != state for path, state in reads.items()):
                return None
            if any(self._folder(directory) != state for directory, state in folders.items()):
                return None
            return _result(entry)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            return None

    def put(self, unit: Unit, result: UnitResult) -> None:
        if any(state == "changed while read" for state in result.reads.values()):
            return
        folders = {os.path.dirname(path) for path in unit.files} if unit.kind in _FOLDER_KINDS else set()
        key = self.key(unit)
        entry = {
            "key": key,
            "findings": [_finding_data(f) for f in result.findings],
            "suppressions": [asdict(s) for s in result.suppressions],
            "role_files": result.role_files,
            "raw": result.raw,
            "skipped": result.skipped,
            "roles": result.roles,
            "notes": result.notes,
            "included": result.included,
            "reads": result.reads,
            # listed now, after the read: a file added meanwhile makes the entry stale, never wrong
            "folders": {directory: folder_state(directory) for directory in sorted(folders)},
        }
        body = json.dumps(entry, separators=(",", ":")).encode("utf-8", "surrogateescape")
        self.store.write(key, _sign(self.signing_key, body).encode() + b"\n" + body)

    def save(self) -> None:
        """Prune old entries now and then; never fails the run."""
        with contextlib.suppress(OSError):
            self.store.prune_if_due()


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def signing_key(untrusted: list[str]) -> bytes | None:
    """This user's key, kept in the user's cache folder; ``None`` (no cache) when that folder lies
    inside one of the ``untrusted`` folders (the repository, the scanned tree) or the key cannot be
    kept privately: a key committed beside the cache would let the cache say anything."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.realpath(os.path.join(base, "iam-saas-lint"))
    if any(_inside(folder, os.path.realpath(tree)) for tree in untrusted):
        return None
    path = os.path.join(folder, "cache-key")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        return _read_key(path) or _create_key(folder, path)
    except OSError:
        return None


def _read_key(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(fd)
        private = status.st_uid == os.getuid() and not status.st_mode & 0o077
        key = handle.read(_KEY_BYTES * 4)
    if not private or len(key) < _KEY_BYTES:
        raise OSError("the cache key is not a private file of this user")
    return key


def _create_key(folder: str, path: str) -> bytes | None:
    """Written whole under a temporary name, then linked into place (a second run may race us)."""
    temporary = os.path.join(folder, f".cache-key-{os.getpid()}-{os.urandom(6).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(_KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path, follow_symlinks=False)
    finally:
        os.unlink(temporary)
    return _read_key(path)


def open_cache(config: Config, options: ReadOptions, start: str = ".") -> Cache | None:
    """The repository's cache, or ``None``: outside a repository, or without a trustworthy key."""
    root = repository_root(start)
    if root is None:
        return None
    key = signing_key([root, *options.roots])
    if key is None:
        return None
    return Cache(EntryStore(root), config_fingerprint(config, options), key, options.max_bytes)
