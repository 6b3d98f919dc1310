"""Which files a run reads: walking folders, skipping what is not ours, staying inside the tree."""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Sequence

from .records import dataclass, field
from .sources.formats import (
    FOLDER_RULES,
    NOT_READ,
    FolderRule,
    load,
    not_read_reason,
    read_with,
    shares_folder,
    suffix_of,
)
from .sources.text.paths import display_path

SKIPPED_DIRS = frozenset({".git", ".terraform", "node_modules", ".iam-saas-lint-cache"})
#: ``--verbose`` for a folder named like a listed one that is not (a ``cdk.out`` without ``manifest.json``).
NOT_LISTED = "not what its name says (a cdk.out without manifest.json is no cloud assembly): read like any other folder"
#: Skip reasons that start so are errors (exit 2): something in the tree could not be read.
UNREADABLE = "cannot read "


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    #: Files named on the command line: findings are limited to what they take part in.
    focus: set[str] | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _excluded(path: str, patterns: Sequence[str], root: str) -> bool:
    if not patterns:
        return False
    relative = os.path.relpath(os.path.abspath(path), root)
    parts = relative.split(os.sep)
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(relative, pattern) or any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _regular_inside(path: str, root_real: str, result: Discovery) -> bool:
    """A regular file (FIFOs and devices are never opened), and not a link that leaves the tree."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            result.skipped.append((display_path(path), "symbolic link loop: not followed"))
        elif os.path.islink(path):
            result.skipped.append((display_path(path), "broken link"))
        else:
            result.skipped.append((display_path(path), f"{UNREADABLE}the file: {error.strerror or error}"))
        return False
    if not stat.S_ISREG(mode):
        result.skipped.append((display_path(path), "not a regular file (a FIFO, socket or device): not opened"))
        return False
    if os.path.islink(path) and not _inside(os.path.realpath(path), root_real):
        result.skipped.append((display_path(path), "link to a file outside the scanned folder: not followed"))
        return False
    return True


def _walk(top: str, exclude: Sequence[str], root: str, result: Discovery) -> None:
    top_real = os.path.realpath(top)

    def unreadable(error: OSError) -> None:
        where = display_path(error.filename) if error.filename else display_path(top)
        result.skipped.append((where, f"{UNREADABLE}the folder: {error.strerror or error}"))

    for directory, dirnames, filenames in os.walk(top, onerror=unreadable, followlinks=False):
        kept = []
        for name in sorted(dirnames):
            full = os.path.join(directory, name)
            rule = FOLDER_RULES.get(name)
            if rule is not None and not os.path.islink(full) and not _excluded(full, exclude, root):
                if _listed_folder(full, rule, top_real, exclude, root, result):
                    continue
                result.skipped.append((display_path(full), NOT_LISTED))
                kept.append(name)
            elif os.path.islink(full):
                result.skipped.append((display_path(full), "link to a folder: not followed"))
            elif name in SKIPPED_DIRS or _excluded(full, exclude, root):
                result.skipped.append((display_path(full), "skipped folder"))
            else:
                kept.append(name)
        dirnames[:] = kept
        if not filenames:
            continue
        plain = _plain_files(directory)
        # each file's shown path is its folder's and its name (display_path once a folder, not a file)
        shown = display_path(directory)
        prefix = "" if shown == "." else shown if shown.endswith(os.sep) else shown + os.sep
        for name in sorted(filenames):
            suffix = suffix_of(name)
            if suffix is None:
                continue
            full = os.path.join(directory, name)
            if _excluded(full, exclude, root):
                continue
            if name in plain or _regular_inside(full, top_real, result):
                _add_shown(prefix + name, NOT_READ.get(suffix), result)


def _plain_files(directory: str) -> frozenset[str]:
    """The names of the folder's regular files that are no links, as its listing says (the file
    type the kernel hands back with each name): these need no ``stat`` each."""
    try:
        with os.scandir(directory) as entries:
            return frozenset(entry.name for entry in entries if entry.is_file(follow_symlinks=False))
    except OSError:
        return frozenset()


def _add(path: str, result: Discovery) -> bool:
    return _add_shown(display_path(path), not_read_reason(path), result)


def _add_shown(shown: str, not_read: str | None, result: Discovery) -> bool:
    if not_read is not None:
        result.skipped.append((shown, not_read))
        return False
    result.files.append(shown)
    return True


def _listed_folder(
    folder: str, rule: FolderRule, top_real: str, exclude: Sequence[str], root: str, result: Discovery
) -> bool:
    """A folder whose format says which of its files to read (a CDK cloud assembly's stack templates).
    ``False`` when the folder is not one (the function gives ``None``): it is walked like any other."""
    listed = load(rule.files)(folder)
    if listed is None:
        return False
    for path in listed:
        if not _excluded(path, exclude, root) and _regular_inside(path, top_real, result):
            _add(path, result)
    return True


def discover(paths: Sequence[str], exclude: Sequence[str] = (), root: str = ".") -> Discovery:
    result = Discovery()
    named: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            _walk(path, exclude, root, result)
        elif os.path.lexists(path):
            readable = not _excluded(path, exclude, root) and _regular_inside(path, _named_root(path), result)
            if readable and _add(path, result):
                named.add(display_path(path))
        else:
            result.skipped.append((path, "no such file or folder"))
    if named:
        walked = {f for f in result.files if f not in named}
        result.focus = named | walked
        result.files.extend(_context_of(named, exclude, root, result))
    result.files = sorted(set(result.files))
    return result


def _named_root(path: str) -> str:
    """Where a named file's link may point: the working directory's tree, or the link's own folder."""
    cwd = os.path.realpath(".")
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    return cwd if _inside(folder, cwd) else folder


def _context_of(named: set[str], exclude: Sequence[str], root: str, result: Discovery) -> list[str]:
    """Files a named file's verdict depends on: the rest of its bundle or Terraform module."""
    context: list[str] = []
    for directory, suffixes in sorted({(os.path.dirname(f), read_with(f)) for f in named if shares_folder(f)}):
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        for name in names:
            full = os.path.join(directory, name)
            wanted = suffix_of(name) in suffixes and not _excluded(full, exclude, root)
            if wanted and _regular_inside(full, os.path.realpath(directory or "."), result):
                context.append(display_path(full))
    return context
