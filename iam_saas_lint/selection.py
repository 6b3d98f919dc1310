"""Which rules run: ``select``/``ignore`` by id prefix, the longest matching prefix winning."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

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
    return list(_enabled(None if select is None else tuple(select), tuple(ignore)))


@lru_cache(maxsize=16)  # asked once per unit: thousands of times in a large folder
def _enabled(select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES if is_enabled(rule, select, ignore))


def unknown_rule_ids(prefixes: Sequence[str]) -> list[str]:
    """The prefixes that name no rule (a typo would otherwise turn every rule off)."""
    return [p for p in prefixes if not any(rule.id.startswith(p.upper()) for rule in RULES)]


def check_rule_ids(prefixes: Sequence[str], where: str) -> None:
    """``ValueError`` naming the known ids when a prefix names no rule."""
    unknown = unknown_rule_ids(prefixes)
    if unknown:
        known = ", ".join(rule.id for rule in RULES)
        raise ValueError(f"{where}: unknown rule id {unknown[0]!r} (known: {known})")
