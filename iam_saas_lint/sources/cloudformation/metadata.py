"""Suppressions written in a resource's ``Metadata: {iam-saas-lint: {ignore: [{rule, reason}]}}``
(JSON templates have no comments): they cover the findings of the resource's role and those located
inside the resource (by JSON path, never by line: a minified template holds every resource on one)."""

from __future__ import annotations

from ...model.document import Suppression
from ...model.values import Anchor, format_json_path
from .template import SAM_FUNCTION, Template


def metadata_suppressions(template: Template) -> list[Suppression]:
    found = []
    for logical_id, resource in template.resources.items():
        metadata = resource.get("Metadata")
        ours = metadata.get("iam-saas-lint") if isinstance(metadata, dict) else None
        entries = ours.get("ignore") if isinstance(ours, dict) else None
        if not isinstance(entries, list):
            continue
        anchor = Anchor(template.file, template.resource_path(logical_id), template.locator)
        resource_path = format_json_path(anchor.source_path())
        role = template.name_prefix + logical_id
        if template.type_of(logical_id) == SAM_FUNCTION:
            role += "Role"
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            raw_rules = entry.get("rule", entry.get("rules"))
            rules = [raw_rules] if isinstance(raw_rules, str) else raw_rules if isinstance(raw_rules, list) else []
            reason = entry.get("reason")
            path = template.resource_path(logical_id, "Metadata", "iam-saas-lint", "ignore", index)
            found.append(
                Suppression(
                    tuple(str(r).strip().upper() for r in rules),
                    reason.strip() if isinstance(reason, str) else "",
                    template.file,
                    Anchor(template.file, path, template.locator).span(),
                    scope="role",
                    role=role,
                    resource_path=resource_path,
                )
            )
    return found
