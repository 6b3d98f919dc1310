"""A JSON document: version, findings and a summary."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .. import __version__
from ..findings import Finding
from .summary import Checked, summary


def finding_dict(finding: Finding) -> dict[str, object]:
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "json_path": finding.json_path,
        "role": finding.role,
        "fix": finding.fix or None,
    }


def format_json(findings: Sequence[Finding], checked: Checked | None = None) -> str:
    """``summary.files`` is the number of files scanned (``files_with_findings`` beside it) when
    ``checked`` is given, as the command line does."""
    document = {
        "version": __version__,
        "findings": [finding_dict(f) for f in findings],
        "summary": summary(findings, checked),
    }
    return json.dumps(document, indent=2) + "\n"
