"""Role bundles: a trust policy and the permission policies beside it form one role."""

from __future__ import annotations

import fnmatch
import os
import re
from collections import defaultdict
from collections.abc import Sequence

from ..model.document import Inventory, Role
from ..patterns import lazy_compile
from ..records import dataclass
from .raw_policy import RawPolicy

_ROLE_WORDS = lazy_compile(
    r"[-_.]?(trust|assume[-_]?role|assume|policy|permissions?|deny|boundary)([-_.]?policy)?$", re.I
)


@dataclass(frozen=True)
class ExplicitRole:
    name: str
    trust: str
    policies: tuple[str, ...]


#: The longest text ``_ROLE_WORDS`` matches (``-permissions-policy``), and the newline ``$`` may
#: precede: a match starts this close to the end of the name, and is searched for only there (a
#: search from the start tried the pattern at every character of every file name).
_ROLE_WORDS_REACH = 20


def _name(path: str) -> str:
    """``os.path.splitext(os.path.basename(path))[0]``, by string methods (one call a file of a bundle;
    ``posixpath``'s functions are Python, and were most of a stem's cost)."""
    if os.altsep is not None:  # Windows: ``ntpath`` knows its drives and separators
        return os.path.splitext(os.path.basename(path))[0]
    base = path[path.rfind(os.sep) + 1 :]
    dot = base.rfind(".")
    return base[:dot] if dot > 0 and base[:dot].lstrip(".") else base


def _stem(path: str) -> str:
    base = _name(path)
    found = _ROLE_WORDS.search(base, max(0, len(base) - _ROLE_WORDS_REACH))
    return (base[: found.start()] + base[found.end() :] if found else base).lower()


def _role(name: str, trust: RawPolicy, policies: Sequence[RawPolicy]) -> Role:
    return Role(
        name=name,
        anchor=trust.document.anchor,
        trust=trust.document,
        policies=tuple(p.document for p in policies),
        files=frozenset({trust.file, *(p.file for p in policies)}),
    )


def _key(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def _mapping_matches(mapping: ExplicitRole, path: str) -> bool:
    key = _key(path)
    return key == _key(mapping.trust) or any(fnmatch.fnmatch(key, _key(g)) for g in mapping.policies)


def explicit_members(files: Sequence[str], explicit: Sequence[ExplicitRole]) -> set[str]:
    """The files that configured roles name (their trust policy or a policy glob)."""
    return {path for path in files if any(_mapping_matches(m, path) for m in explicit)}


def bundle(policies: Sequence[RawPolicy], explicit: Sequence[ExplicitRole] = ()) -> Inventory:
    inventory = Inventory()
    by_file = {os.path.normpath(os.path.abspath(p.file)): p for p in policies} if explicit else {}
    used: set[str] = set()
    for mapping in explicit:
        trust = by_file.get(os.path.normpath(os.path.abspath(mapping.trust)))
        if trust is None:
            continue
        members = [
            policy
            for path, policy in sorted(by_file.items())
            if path != os.path.normpath(os.path.abspath(mapping.trust))
            and any(fnmatch.fnmatch(path, os.path.normpath(os.path.abspath(g))) for g in mapping.policies)
        ]
        inventory.roles.append(_role(mapping.name, trust, members))
        used.update({trust.file, *(m.file for m in members)})
    by_directory: dict[str, list[RawPolicy]] = defaultdict(list)
    for policy in policies:
        if policy.file not in used:
            by_directory[os.path.dirname(policy.file)].append(policy)
    for directory, members in sorted(by_directory.items()):
        _bundle_directory(directory, members, inventory)
    return inventory


def _bundle_directory(directory: str, members: list[RawPolicy], inventory: Inventory) -> None:
    trusts = [m for m in members if m.document.kind == "trust"]
    permissions = [m for m in members if m.document.kind != "trust"]
    if not trusts:
        inventory.documents.extend(m.document for m in permissions)
        return
    if len(trusts) == 1:
        name = os.path.basename(os.path.abspath(directory)) or trusts[0].file
        inventory.roles.append(_role(name, trusts[0], permissions))
        return
    by_stem: dict[str, list[RawPolicy]] = defaultdict(list)  # once each: 5,000 trusts × 5,000 policies is no grid
    for permission in permissions:
        by_stem[_stem(permission.file)].append(permission)
    assigned: set[str] = set()
    for trust in trusts:
        stem = _stem(trust.file)
        mine = by_stem.get(stem, []) if stem else []
        assigned.update(p.file for p in mine)
        inventory.roles.append(_role(_name(trust.file), trust, mine))
    inventory.documents.extend(p.document for p in permissions if p.file not in assigned)
