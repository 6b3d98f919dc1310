"""The Python API: lint files, one policy document, or one role given as documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from .config import Config
from .engine import check_inventory, lint_paths
from .findings import Finding
from .model.document import DocumentKind, Inventory, PolicyDocument, Problem, Role
from .model.values import Anchor, NoLocator
from .selection import enabled_rules
from .sources.text.files import TextFile
from .sources.text.jsonfile import JsonFile, parse_json

Document = Mapping[str, object] | str

__all__ = ["lint_paths", "lint_policy", "lint_role"]


def _document(source: Document, kind: DocumentKind, name: str, inventory: Inventory) -> PolicyDocument | None:
    label = "trust policy" if kind == "trust" else f"permission policy {name}"
    if isinstance(source, str):
        parsed = parse_json(TextFile(name, source))
        if parsed is None:
            parsed = Problem(name, "invalid JSON", Anchor(name, (), NoLocator()).span())
        if isinstance(parsed, Problem):
            inventory.problems.append(parsed)
            return None
        assert isinstance(parsed, JsonFile)
        inventory.problems.extend(parsed.duplicate_problems() if parsed.has_duplicates else [])
        return PolicyDocument(parsed.data, kind, label, parsed.anchor())
    return PolicyDocument(dict(source), kind, label, Anchor(name, (), NoLocator()))


def lint_role(
    trust: Document, policies: Sequence[Document] = (), config: Config | None = None, name: str = "role"
) -> list[Finding]:
    """Lint one role: its trust policy and every permission policy attached to it."""
    inventory = Inventory()
    trust_document = _document(trust, "trust", "<trust>", inventory)
    members = [_document(p, "permissions", f"<policy {i}>", inventory) for i, p in enumerate(policies)]
    documents = tuple(m for m in members if m is not None)
    if trust_document is not None:
        inventory.roles.append(Role(name, trust_document.anchor, trust_document, documents))
    else:
        inventory.documents.extend(documents)
    return check_inventory(inventory, config or Config())


def lint_policy(
    document: Document, kind: Literal["trust", "permissions"] = "trust", config: Config | None = None
) -> list[Finding]:
    """Lint one document on its own: a trust policy for what it lets third parties do (external id,
    wildcards, grammar), a permission policy for its grammar. Whether a role has an effective
    source-IP Deny depends on all its policies: use ``lint_role``."""
    inventory = Inventory()
    if kind == "trust":
        found = _document(document, "trust", "<trust>", inventory)
        if found is not None:
            inventory.roles.append(Role("policy", found.anchor, found))
        config = config or Config()
        rules = [r for r in enabled_rules(config.select, config.ignore) if r.id not in ("ISL005", "ISL006")]
        return check_inventory(inventory, config, rules)
    found = _document(document, "permissions", "<policy>", inventory)
    if found is not None:
        inventory.documents.append(found)
    return check_inventory(inventory, config or Config())
