"""Which rules run: ``select``/``ignore`` by id prefix, the longest matching prefix winning."""

from __future__ import annotations

from collections.abc import Sequence

from .rules import RULES
from .rules.base import Rule


def _longest(prefixes: Sequence[str], rule_id: str) -> int:
    return max((len(p) for p in prefixes if rule_id.startswith(p.upper())), default=-1)


def is_enabled(rule: Rule, select: Sequence[str] | None, ignore: Sequence[str]) -> bool:
    """Rules that are off by default run only when a select entry names their full id."""
    ignored = _longest(ignore, rule.id)
    if select is None:
        return rule.enabled_by_default and ignored < 0
    selected = _longest(select, rule.id)
    if not rule.enabled_by_default and selected != len(rule.id):
        return False
    return selected >= 0 and selected > ignored


def enabled_rules(select: Sequence[str] | None, ignore: Sequence[str]) -> list[Rule]:
    return [rule for rule in RULES if is_enabled(rule, select, ignore)]
