"""Suppressions: inline comments, CloudFormation ``Metadata``, and the configuration's
``per-file-ignores`` and ``ignore-roles``. Stale or unexplained suppressions are findings too."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence

from .config import Config
from .findings import Finding
from .model.document import Suppression
from .rules import RULES_BY_ID

UNUSED = RULES_BY_ID["ISL100"]
NO_REASON = RULES_BY_ID["ISL101"]


def _rule_matches(patterns: Iterable[str], rule: str) -> bool:
    return any(rule.startswith(pattern) for pattern in patterns)


def _role_matches(wanted: str | None, role: str | None) -> bool:
    """``VendorRole`` matches ``VendorRole``, ``VendorRole (name)`` and ``VendorRole [if C=true]``."""
    return role is not None and wanted is not None and (role == wanted or role.startswith((wanted + " ", wanted + "[")))


def _covers(suppression: Suppression, finding: Finding) -> bool:
    if finding.path != suppression.file or not _rule_matches(suppression.rules, finding.rule):
        return False
    if suppression.scope == "role":
        return _role_matches(suppression.role, finding.role) or _inside(suppression.resource_path, finding.json_path)
    return finding.line in (suppression.span.line, suppression.span.line + 1)


def _inside(resource_path: str | None, json_path: str) -> bool:
    return resource_path is not None and (
        json_path == resource_path or json_path.startswith((resource_path + ".", resource_path + "["))
    )


def _configured(finding: Finding, config: Config) -> bool:
    relative = os.path.relpath(os.path.abspath(finding.path), config.root) if finding.path else ""
    for pattern, rules in config.per_file_ignores:
        in_file = fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(finding.path, pattern)
        if in_file and _rule_matches(rules, finding.rule):
            return True
    for role, rules in config.ignore_roles:
        if _role_matches(role, finding.role) and _rule_matches(rules, finding.rule):
            return True
    return False


def _meta(rule_id: str, message: str, suppression: Suppression) -> Finding:
    rule = RULES_BY_ID[rule_id]
    span = suppression.span
    return Finding(
        rule.id, rule.name, rule.severity, message, suppression.file,
        span.line, span.column, span.end_line, span.end_column, role=suppression.role,
    )  # fmt: skip


def apply(
    findings: Sequence[Finding],
    suppressions: Sequence[Suppression],
    config: Config,
    enabled: set[str],
    reported_files: set[str] | None = None,
) -> list[Finding]:
    """Drop suppressed findings; add ISL100/ISL101 for suppressions in ``reported_files`` (all when None)."""
    used: set[int] = set()
    kept: list[Finding] = []
    for finding in findings:
        if _configured(finding, config):
            continue
        matched = [i for i, s in enumerate(suppressions) if _covers(s, finding)]
        used.update(matched)
        if not matched:
            kept.append(finding)
    for index, suppression in enumerate(suppressions):
        if reported_files is not None and suppression.file not in reported_files:
            continue
        listed = ", ".join(suppression.rules) or "no rule"
        if not suppression.reason and NO_REASON.id in enabled:
            kept.append(_meta(NO_REASON.id, f"suppression of {listed} gives no reason", suppression))
        checked = all(any(rule.startswith(r) for rule in enabled) for r in suppression.rules)
        if index not in used and UNUSED.id in enabled and checked:
            kept.append(_meta(UNUSED.id, f"suppression of {listed} matches no finding", suppression))
    return kept
