"""How paths are shown in findings and messages."""

from __future__ import annotations

import os


def display_path(path: str) -> str:
    """Relative to the working directory when below it, so output is stable across machines."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute == cwd or absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd)
    return absolute
