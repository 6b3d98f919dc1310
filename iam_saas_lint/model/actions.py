"""How much of the IAM action catalogue a Deny covers (for messages only).

The catalogue is ``data/actions.txt`` (the action names of policyuniverse, rebuilt by
``scripts/build_action_catalogue.py``), read on the rare path that needs it. Patterns expand as
policyuniverse expands them: a name without ``*`` is itself, a wildcard is matched against the
catalogue (case-insensitively), and a wildcard that matches nothing counts as one action.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from functools import lru_cache

_GLOB = frozenset("*?[")


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[str, ...]]:
    """Service prefix → its action names, lower case."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "actions.txt")
    with open(path, encoding="utf-8") as handle:
        lines = [line.split() for line in handle if line.strip() and not line.startswith("#")]
    return {words[0]: tuple(words[1:]) for words in lines}


@lru_cache(maxsize=1)
def all_actions() -> frozenset[str]:
    return frozenset(f"{service}:{name}" for service, names in _catalogue().items() for name in names)


def expand(pattern: str) -> set[str]:
    """The catalogue's actions an ``Action`` pattern names."""
    lowered = pattern.lower()
    if "*" not in pattern:
        return {lowered}
    service, colon, name = lowered.partition(":")
    if colon and not _GLOB.intersection(service):
        found = {f"{service}:{n}" for n in fnmatch.filter(_catalogue().get(service, ()), name)}
    elif lowered == "*":
        found = set(all_actions())
    else:
        found = set(fnmatch.filter(all_actions(), lowered))
    return found or {lowered}


def uncovered_share(patterns: Sequence[str], element: str) -> str:
    """``"14,573 of 15,319 known actions"``: what an ``Action``/``NotAction`` Deny leaves usable."""
    named: set[str] = set()
    for pattern in patterns:
        named |= expand(pattern)
    total = len(all_actions())
    # no literal NotAction pattern (all of them unknown): nothing is known to be covered
    covered = len(named) if element == "Action" or not named else len(all_actions() - named)
    return f"{total - covered:,} of {total:,} known actions"
