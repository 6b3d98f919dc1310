"""SARIF 2.1.0, as GitHub code scanning reads it."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..findings import Finding, RuleInfo, Severity, fingerprint

INFORMATION_URI = "https://github.com/iam-saas-lint/iam-saas-lint"
RULE_DOCS = f"{INFORMATION_URI}/blob/main/docs/rules/{{id}}.md"
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _descriptor(rule: RuleInfo) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "helpUri": RULE_DOCS.format(id=rule.id),
        "help": {"text": rule.hint, "markdown": rule.doc.strip()},
        "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.enabled_by_default},
        "properties": {"tags": list(rule.tags), "security-severity": rule.security_severity, "precision": "high"},
    }


def _location(finding: Finding) -> dict[str, object]:
    artifact: dict[str, object]
    if os.path.isabs(finding.path):
        artifact = {"uri": Path(finding.path).as_uri()}
    else:
        # a URI reference: spaces, '%', '#' and non-ASCII are percent-encoded, from the name's bytes (a
        # folder name that is not UTF-8 is still the same file)
        artifact = {"uri": quote(os.fsencode(Path(finding.path).as_posix()), safe="/"), "uriBaseId": "%SRCROOT%"}
    physical = {
        "artifactLocation": artifact,
        "region": {
            "startLine": finding.line,
            "startColumn": finding.column,
            "endLine": finding.end_line,
            "endColumn": finding.end_column,
        },
    }
    location: dict[str, object] = {"physicalLocation": physical}
    if finding.role:
        location["logicalLocations"] = [{"name": finding.role, "kind": "resource"}]
    return location


def _message(finding: Finding) -> dict[str, str]:
    message = {"text": finding.message}
    if finding.fix:
        # Not a SARIF "fixes" entry: the snippet is an addition to review, not an exact text replacement.
        message["markdown"] = f"{finding.message}\n\nSuggested fix:\n\n```\n{finding.fix}\n```"
    return message


def format_sarif(findings: Sequence[Finding], rules: Sequence[RuleInfo], root: str = ".") -> str:
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _LEVEL[f.severity],
            "message": _message(f),
            "locations": [_location(f)],
            "partialFingerprints": {"iamSaasLint/v2": fingerprint(f)},
            "properties": {"jsonPath": f.json_path},
        }
        for f in findings
        if f.rule in index
    ]
    base_uri = Path(os.path.abspath(root)).as_uri().rstrip("/") + "/"
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iam-saas-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base_uri}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
