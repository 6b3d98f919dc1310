"""The Python API: lint files, one policy document, or one role given as documents.

Every function returns a list of ``Finding`` sorted and deduplicated, and raises ``TypeError`` for an
argument of the wrong type and ``ValueError`` for a bad value, as the configuration file is checked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Literal

from .config import Config
from .engine import check_inventory, run
from .findings import Finding
from .model.document import DocumentKind, Inventory, PolicyDocument, Problem, Role
from .model.values import Anchor, NoLocator
from .selection import enabled_rules
from .sources.text.files import TextFile
from .sources.text.jsonfile import JsonFile, parse_json

#: A policy document: a mapping, or JSON text (then findings have lines and columns).
Document = Mapping[str, object] | str
#: A file or folder.
PathLike = str | os.PathLike[str]
KINDS = ("trust", "permissions")

__all__ = ["lint_paths", "lint_policy", "lint_role"]


def _paths(paths: PathLike | Sequence[PathLike]) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    if isinstance(paths, Sequence) and all(isinstance(path, (str, os.PathLike)) for path in paths):
        return [os.fspath(path) for path in paths]
    raise TypeError(f"lint_paths() takes a path or a sequence of paths (str or os.PathLike), not {_kind(paths)}")


def _kind(value: object) -> str:
    return type(value).__name__


def _config(config: Config | None, start: str = ".") -> Config:
    if config is None:
        return Config.discover(start)
    if not isinstance(config, Config):
        raise TypeError(f"config must be an iam_saas_lint.Config, not {_kind(config)}")
    return config


def _check_document(source: object, what: str) -> None:
    if not isinstance(source, (str, Mapping)):
        raise TypeError(f"{what} must be a policy document: a dict or a JSON string, not {_kind(source)}")


def lint_paths(paths: PathLike | Sequence[PathLike], config: Config | None = None) -> list[Finding]:
    """Lint files and folders, as ``iam-saas-lint PATH ...`` does.

    ``paths`` is one path or a sequence of paths. Without ``config``, the nearest ``pyproject.toml``
    (with a ``[tool.iam-saas-lint]`` table) or ``.iam-saas-lint.toml`` walking up from the working
    directory is read, as the command line does; pass ``Config()`` for the defaults or
    ``Config.from_file(path)`` for a file of your choice. Runs in this process, without the cache.
    """
    return run(_paths(paths), _config(config)).findings


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
    """Lint one role: its trust policy and every permission policy attached to it (each a dict or a
    JSON string). ``config`` defaults to ``Config()``: nothing is read from disk."""
    _check_document(trust, "trust")
    if isinstance(policies, (str, Mapping)) or not isinstance(policies, Sequence):
        raise TypeError(f"policies must be a list of policy documents, not {_kind(policies)}")
    for index, policy in enumerate(policies):
        _check_document(policy, f"policies[{index}]")
    config = Config() if config is None else _config(config)
    inventory = Inventory()
    trust_document = _document(trust, "trust", "<trust>", inventory)
    members = [_document(p, "permissions", f"<policy {i}>", inventory) for i, p in enumerate(policies)]
    documents = tuple(m for m in members if m is not None)
    if trust_document is not None:
        inventory.roles.append(Role(name, trust_document.anchor, trust_document, documents))
    else:
        inventory.documents.extend(documents)
    return check_inventory(inventory, config)


def lint_policy(
    document: Document, kind: Literal["trust", "permissions"] = "trust", config: Config | None = None
) -> list[Finding]:
    """Lint one document on its own: a trust policy for what it lets third parties do (external id,
    wildcards, grammar), a permission policy for its grammar. Whether a role has an effective
    source-IP Deny depends on all its policies: use ``lint_role``. ``document`` is a dict or a JSON
    string; ``kind`` is ``"trust"`` or ``"permissions"``; ``config`` defaults to ``Config()``."""
    _check_document(document, "document")
    if kind not in KINDS:
        raise ValueError(f"kind must be 'trust' or 'permissions', not {kind!r}")
    config = Config() if config is None else _config(config)
    inventory = Inventory()
    if kind == "trust":
        found = _document(document, "trust", "<trust>", inventory)
        if found is not None:
            inventory.roles.append(Role("policy", found.anchor, found))
        config = config or Config()
        rules = [r for r in enabled_rules(config.select, config.ignore) if not r.needs_permission_policies]
        return check_inventory(inventory, config, rules)
    found = _document(document, "permissions", "<policy>", inventory)
    if found is not None:
        inventory.documents.append(found)
    return check_inventory(inventory, config)
