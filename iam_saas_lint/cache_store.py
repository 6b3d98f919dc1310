"""The cache's files: one small file per entry under the repository's ``.iam-saas-lint-cache/``.

A run opens only the entries of the units it touches, so its cost does not grow with the repository.
Nothing here follows a link: each folder from the repository root down is opened with ``O_NOFOLLOW``
before anything below it, and so is every file, so a committed ``.iam-saas-lint-cache`` symlink (or
one inside it) makes the cache unusable instead of writing where it points. An entry appears whole
or not at all (written under a temporary name, then renamed); a temporary file of a run killed in
between is removed by the next run that writes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time

DIRECTORY = ".iam-saas-lint-cache"
#: Entries live below this folder of the cache (the first cache format was one ``cache.json``).
ENTRIES = "entries"
GITIGNORE = "# Created by iam-saas-lint: the cache is local to this checkout.\n*\n"
#: An entry larger than this is not a cache entry we wrote: it is not read.
MAX_ENTRY_BYTES = 64 * 1024 * 1024
#: Pruning walks every entry, so it runs at most this often ...
PRUNE_EVERY = 24 * 3600.0
#: ... and drops entries no run has used for this long, then the oldest past this total size.
MAX_AGE = 30 * 24 * 3600.0
MAX_TOTAL_BYTES = 256 * 1024 * 1024
_TEMPORARIES = "tmp"
_STAMP = "pruned"
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _real_folder(path: str, create: bool) -> bool:
    """``path`` is a folder and not a link (its parent was checked the same way before)."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o755)  # never follows a link: an existing one is an error
    try:
        fd = os.open(path, _FOLDER_FLAGS)
    except OSError:
        return False
    os.close(fd)
    return True


class EntryStore:
    """Entries by key (hex digests) in the cache folder of one repository root.

    Each folder from the repository root down is checked to be a real folder (opened with
    ``O_NOFOLLOW``) before anything below it is opened, and files are opened with ``O_NOFOLLOW``:
    a link committed anywhere in the cache makes that part of the cache unusable."""

    def __init__(self, repository_root: str) -> None:
        self.cache = os.path.join(repository_root, DIRECTORY)
        self._checked: dict[str, bool] = {}
        self._writable = True

    def _folder(self, relative: str, create: bool) -> str | None:
        """The cache folder (``""``), its ``entries`` folder or a folder of entries, once checked."""
        if self._checked.get(relative) or (relative in self._checked and not create):
            return os.path.join(self.cache, relative) if self._checked[relative] else None
        if relative:
            parent = os.path.dirname(relative)
            ok = self._folder(parent, create) is not None and _real_folder(os.path.join(self.cache, relative), create)
        else:
            ok = _real_folder(self.cache, create)
            if ok and create:
                self._ignore_in_git()
        self._checked[relative] = ok
        return os.path.join(self.cache, relative) if ok else None

    def _ignore_in_git(self) -> None:
        """A ``.gitignore`` inside the cache folder; an existing one (even a dangling link) is left alone."""
        path = os.path.join(self.cache, ".gitignore")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o644)
        except OSError:
            return
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(GITIGNORE)

    @staticmethod
    def _where(key: str) -> tuple[str, str]:
        return os.path.join(ENTRIES, key[:2]), key[2:]

    def read(self, key: str) -> bytes | None:
        relative, name = self._where(key)
        folder = self._folder(relative, create=False)
        if folder is None:
            return None
        try:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY | _NO_FOLLOW | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_ENTRY_BYTES:
                return None
            data = handle.read(MAX_ENTRY_BYTES + 1)
            if time.time() - status.st_mtime > 3600:  # an entry's age is its last use, for pruning
                with contextlib.suppress(OSError):
                    os.utime(fd)
        return data if len(data) <= MAX_ENTRY_BYTES else None

    def write(self, key: str, data: bytes) -> None:
        """Never fails the run: a read-only checkout runs without saving."""
        if not self._writable:
            return
        relative, name = self._where(key)
        folder = self._folder(relative, create=True)
        temporaries = self._temporaries()
        if folder is None or temporaries is None:
            self._writable = False
            return
        try:
            _write_whole(temporaries, os.path.join(folder, name), data)
        except OSError:
            self._writable = False

    def _temporaries(self) -> str | None:
        """The folder entries are written in before they are renamed into place; the first write of
        a run removes what runs that were killed left there."""
        if _TEMPORARIES in self._checked:
            return self._folder(_TEMPORARIES, create=True)
        folder = self._folder(_TEMPORARIES, create=True)
        if folder is not None:
            with contextlib.suppress(OSError):
                for name in os.listdir(folder):
                    pid = name.split("-", 1)[0]
                    if not pid.isdigit() or not _alive(int(pid)):
                        os.unlink(os.path.join(folder, name))
        return folder

    def prune_if_due(self, now: float | None = None) -> None:
        """At most once a day: drop entries unused for ``MAX_AGE``, then the oldest past ``MAX_TOTAL_BYTES``."""
        cache = self._folder("", create=False)
        if cache is None or not self._writable:
            return
        now = time.time() if now is None else now
        stamp = os.path.join(cache, _STAMP)
        try:
            last = os.lstat(stamp).st_mtime
        except OSError:
            last = 0.0
        if now - last < PRUNE_EVERY:
            return
        try:
            fd = os.open(stamp, os.O_WRONLY | os.O_CREAT | _NO_FOLLOW, 0o644)
            try:
                os.utime(fd, (now, now))
            finally:
                os.close(fd)
        except OSError:
            return
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(cache, "cache.json"))  # the first format's single file
        self._prune(now)

    def _prune(self, now: float) -> None:
        entries = self._folder(ENTRIES, create=False)
        if entries is None:
            return
        kept: list[tuple[float, int, str]] = []
        for sub in sorted(os.listdir(entries)):
            folder = self._folder(os.path.join(ENTRIES, sub), create=False)
            if folder is None:
                continue
            for item in os.scandir(folder):
                with contextlib.suppress(OSError):
                    status = item.stat(follow_symlinks=False)
                    if now - status.st_mtime > MAX_AGE or not stat.S_ISREG(status.st_mode):
                        os.unlink(item.path)
                    else:
                        kept.append((status.st_mtime, status.st_size, item.path))
        total = sum(size for _, size, _ in kept)
        for _, size, path in sorted(kept):
            if total <= MAX_TOTAL_BYTES:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
                total -= size


def _write_whole(temporaries: str, target: str, data: bytes) -> None:
    """Written under a temporary name (created, never opened through a link), then renamed into place."""
    temporary = os.path.join(temporaries, f"{os.getpid()}-{os.urandom(6).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW, 0o644)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)
    os.replace(temporary, target)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
