"""How paths are shown in findings and messages."""

from __future__ import annotations

import os


def display_path(path: str) -> str:
    """Relative to the working directory when below it, so output is stable across machines."""
    if not os.path.isabs(path):  # the common case, without asking the system for the working directory
        normal = os.path.normpath(path)
        if normal != os.pardir and not normal.startswith(os.pardir + os.sep):
            return normal
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd)
    return absolute
