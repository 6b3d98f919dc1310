"""Suppressions: inline comments, CloudFormation ``Metadata``, and the configuration's
``per-file-ignores`` and ``ignore-roles``: which findings they cover. (Stale or unexplained
suppressions are the suppression rules' to report.)"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence

from .config import Config
from .findings import Finding
from .model.document import Suppression


def _rule_matches(patterns: Iterable[str], rule: str) -> bool:
    return any(rule.startswith(pattern) for pattern in patterns)


def _role_matches(wanted: str | None, finding: Finding) -> bool:
    """A role is named by its logical name (``VendorRole``, ``aws_iam_role.vendor``: every instance
    and variant), by its name (``VendorRole (vendor-role)``, ``aws_iam_role.vendor["a"]``) or
    by its name in one variant (``VendorRole [if C=true]``)."""
    return wanted is not None and wanted in finding.subject.names()


def _covers(suppression: Suppression, finding: Finding) -> bool:
    if finding.path != suppression.file or not _rule_matches(suppression.rules, finding.rule):
        return False
    if suppression.scope == "role":
        return _role_matches(suppression.role, finding) or _inside(suppression.resource_path, finding.json_path)
    return finding.line in (suppression.span.line, suppression.span.line + 1)


def _inside(resource_path: str | None, json_path: str) -> bool:
    return resource_path is not None and (
        json_path == resource_path or json_path.startswith((resource_path + ".", resource_path + "["))
    )


def _configured(finding: Finding, config: Config) -> bool:
    if config.per_file_ignores:
        relative = os.path.relpath(os.path.abspath(finding.path), config.root) if finding.path else ""
        for pattern, rules in config.per_file_ignores:
            in_file = fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(finding.path, pattern)
            if in_file and _rule_matches(rules, finding.rule):
                return True
    for role, rules in config.ignore_roles:
        if _role_matches(role, finding) and _rule_matches(rules, finding.rule):
            return True
    return False


def apply(
    findings: Sequence[Finding], suppressions: Sequence[Suppression], config: Config
) -> tuple[list[Finding], list[bool]]:
    """The findings no suppression covers, and for each suppression whether it covered one."""
    used = [False] * len(suppressions)
    kept: list[Finding] = []
    for finding in findings:
        if _configured(finding, config):
            continue
        matched = [i for i, s in enumerate(suppressions) if _covers(s, finding)]
        for index in matched:
            used[index] = True
        if not matched:
            kept.append(finding)
    return kept, used
