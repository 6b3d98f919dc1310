"""Where the repository is: the root that SARIF and GitHub annotation paths are relative to, and the
only place the cache may be created."""

from __future__ import annotations

import os
from collections.abc import Sequence

from .findings import Finding
from .records import replace
from .sources.text.files import repository_root

__all__ = ["relative_to_repository", "repository_root"]


def relative_to_repository(findings: Sequence[Finding], start: str = ".") -> tuple[list[Finding], str]:
    """Findings whose paths are relative to the repository root (the working directory outside a
    repository), as code scanning and annotations resolve them; paths outside it stay absolute."""
    root = repository_root(start) or os.path.abspath(start)
    moved = []
    for finding in findings:
        absolute = os.path.abspath(finding.path)
        inside = absolute == root or absolute.startswith(root.rstrip(os.sep) + os.sep)
        path = os.path.relpath(absolute, root) if inside else absolute
        moved.append(finding if path == finding.path else replace(finding, path=path))
    return moved, root
