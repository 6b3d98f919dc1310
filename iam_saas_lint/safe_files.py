"""The files the tool itself reads and writes (configuration, baseline), handled like hostile input.

Reads take only regular files, without waiting on a FIFO and at most a bounded number of bytes
(``/dev/zero`` named as ``--baseline`` is refused, not read forever). Writes never follow a link:
the file is created beside its destination with ``O_EXCL | O_NOFOLLOW`` in a parent that is a real
folder (no link on the way), and renamed over the destination only when complete, so a kill leaves
either the old file or the new one and nothing is written wherever a committed link points.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _refuse(path: str, why: str) -> OSError:
    return OSError(errno.EINVAL, why, path)


def read_regular(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file; ``OSError`` for anything else or anything longer."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise _refuse(path, "not a regular file (a FIFO, device or folder): not read")
    descriptor = os.open(path, os.O_RDONLY | _NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced since it was checked
            raise _refuse(path, "not a regular file (a FIFO, device or folder): not read")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _refuse(path, f"more than {limit:,} bytes: not read")
    return data


def write_new(path: str, data: bytes, inside: str) -> None:
    """Write ``path`` atomically, never through a link, and only inside the folder ``inside``."""
    absolute = os.path.abspath(path)
    parent = os.path.dirname(absolute)
    base = os.path.abspath(inside)
    relative = os.path.relpath(parent, base)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        raise _refuse(path, f"outside {base}: not written")
    folder = base
    for part in [] if relative == os.curdir else relative.split(os.sep):
        folder = os.path.join(folder, part)
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            raise _refuse(path, f"{folder} is not a folder (or is a symbolic link): not written")
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISREG(os.lstat(absolute).st_mode):
            raise _refuse(path, "exists and is not a regular file (a link, FIFO, device or folder): not written")
    temporary = os.path.join(parent, f".{os.path.basename(absolute)}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, absolute)  # renames the link itself if one appeared since: never follows it
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
