"""Reading a file's bytes into text, safely: size limits, byte-order marks, binary files."""

from __future__ import annotations

import codecs
import os
import stat

from ...model.document import Problem
from ...model.values import Span
from ...records import dataclass

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
IAM_MARKERS = (
    '"Statement"',
    "Statement:",
    "AWSTemplateFormatVersion",
    "AWS::IAM::",
    "aws_iam_",
    '"RoleDetailList"',
    "AssumeRolePolicyDocument",
    "iamRoleStatements",
)
_START = Span(1, 1, 1, 1)
#: While a unit is read for the cache: every path a reader tried, with what it found there (the
#: digest of the exact bytes parsed, or why there were none). ``None`` when nobody is recording.
_read_log: dict[str, str] | None = None


@dataclass(frozen=True)
class TextFile:
    path: str
    text: str


def looks_like_iam(text: str) -> bool:
    return any(marker in text for marker in IAM_MARKERS)


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE starts both
        return raw.decode("utf-32")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8")


def _too_large(path: str, size: str, max_bytes: int) -> Problem:
    return Problem(path, f"file is {size} bytes, over the {max_bytes:,}-byte limit (max-file-size)", _START)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _non_blocking(path: str, flags: int) -> int:
    """Opening a FIFO that replaced the file since it was checked must not wait for a writer."""
    return os.open(path, flags | _NONBLOCK)


def start_read_log() -> None:
    global _read_log
    _read_log = {}


def stop_read_log() -> dict[str, str]:
    global _read_log
    log, _read_log = _read_log or {}, None
    return log


def replay_read(path: str, state: str) -> None:
    """A unit that uses what another unit of this run read (a bundle, the raw policies the first
    pass parsed) records the same state, as if it had read the file itself."""
    if _read_log is not None:
        _read_log[path] = state


def _read_bytes(path: str, max_bytes: int) -> bytes | str | OSError:
    """At most ``max_bytes + 1`` bytes of a regular file; else why not (a state the cache compares)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "not a regular file"
        # the descriptor itself, not a file object: a buffered reader costs more than reading a small file
        descriptor = _non_blocking(path, _READ_FLAGS)
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                return "not a regular file"
            if status.st_size > max_bytes:
                return f"{status.st_size:,}"
            # what the file claims and one byte more first: reading max_bytes + 1 at once makes a buffer of
            # that size (5 MB) for every file, 50 us each; a file that holds more is read on, to the bound
            limit = max_bytes + 1
            wanted = min(limit, status.st_size + 1)
            found = _read_up_to(descriptor, wanted, status.st_size)
            if len(found) == wanted < limit:
                found += _read_up_to(descriptor, limit - wanted)
            return found
        finally:
            os.close(descriptor)
    except OSError as error:
        return error


def _read_up_to(descriptor: int, count: int, claimed: int = -1) -> bytes:
    """``count`` bytes, fewer at the end of the file (``os.read`` may return fewer before it, a
    ``/proc`` file a few lines a read); a read that stops short at the size the file ``claimed`` is
    its end, which another read would only confirm."""
    parts: list[bytes] = []
    total = 0
    while total < count:
        more = os.read(descriptor, count - total)
        if not more:
            break
        parts.append(more)
        total += len(more)
        if total == claimed:
            break
    return b"".join(parts)


def _state(found: bytes | str | OSError) -> str:
    import hashlib

    if isinstance(found, bytes):
        return "sha256:" + hashlib.sha256(found).hexdigest()
    if isinstance(found, OSError):
        return f"error:{found.errno}"
    return f"oversized:{found}" if found[:1].isdigit() else found


def _presence(path: str) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "?absent"
    return "?link" if stat.S_ISLNK(mode) else "?file" if stat.S_ISREG(mode) else "?other"


def current_state(path: str, recorded: str, max_bytes: int) -> str:
    """What the read log would record for ``path`` now (to compare with ``recorded``)."""
    if recorded.startswith("?"):
        return _presence(path)
    return _state(_read_bytes(path, max_bytes))


def note_missing(path: str) -> None:
    """A reader looked for ``path`` and did not read it (absent, a link, not a regular file): the
    verdict changes when that does."""
    if _read_log is not None and path not in _read_log:
        _read_log[path] = _presence(path)


def read_text(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> TextFile | Problem | None:
    """The file's text; a ``Problem`` when an IAM-looking file cannot be read; ``None`` to skip it.

    Only regular files are opened (never a FIFO or a device), and at most ``max_bytes + 1`` bytes are
    read, whatever size the file claims (``/proc`` files and files that grow claim less than they hold).
    """
    raw = _read_bytes(path, max_bytes)
    if _read_log is not None:
        state = _state(raw)
        # read twice with different content: the verdict matches neither, so it must never be reused
        _read_log[path] = state if _read_log.get(path, state) == state else "changed while read"
    if isinstance(raw, OSError):
        return Problem(path, f"cannot read the file: {raw.strerror or raw}", _START, internal=True)
    if isinstance(raw, str):
        return None if raw == "not a regular file" else _too_large(path, raw, max_bytes)
    if len(raw) > max_bytes:
        return _too_large(path, f"more than {max_bytes:,}", max_bytes)
    try:
        text = _decode(raw)
    except UnicodeDecodeError as error:
        if not looks_like_iam(raw.decode("utf-8", "replace")):
            return None
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return Problem(
            path, f"not valid UTF-8 text ({error.reason} at byte {error.start})", Span(line, column, line, column)
        )
    if "\x00" in text:
        if not looks_like_iam(text.replace("\x00", "")):  # UTF-16 or UTF-32 without a byte-order mark
            return None
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return Problem(path, "the file holds NUL bytes: binary, not a policy", Span(line, column, line, column))
    return TextFile(path, text)


#: How much of an oversized file is read to tell whether it may hold IAM.
SNIFF_BYTES = 1024 * 1024


def oversized_without_iam(path: str, max_bytes: int) -> bool:
    """A file over ``max_bytes`` whose head holds nothing IAM-like (a ``package-lock.json``): skipped
    rather than reported, since the size limit protects the readers of files that look like IAM."""
    try:
        if os.stat(path).st_size <= max_bytes:
            return False
        with open(path, "rb", opener=_non_blocking) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return False
            head = handle.read(min(SNIFF_BYTES, max_bytes))
    except OSError:
        return False
    text = head.decode("utf-8", "replace").replace("\x00", "")
    return not looks_like_iam(text) and "AWS::" not in text


def source_lines(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str] | None:
    """The lines of a file for showing findings in context: a regular file's first ``max_bytes`` bytes."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb", opener=_non_blocking) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            raw = handle.read(max_bytes)
    except OSError:
        return None
    try:
        text = _decode(raw)
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
    return text.splitlines()


def repository_root(start: str = ".") -> str | None:
    """The nearest folder with ``.git`` (a folder, or a file in a worktree) walking up from ``start``."""
    directory = os.path.abspath(start)
    while True:
        if os.path.lexists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
