"""How much of the IAM action catalogue a Deny covers (for messages only).

The catalogue comes from ``policyuniverse``; it is imported on the rare path that needs it,
because loading it costs about 70 ms.
"""

from __future__ import annotations

from collections.abc import Sequence


def uncovered_share(patterns: Sequence[str], element: str) -> str:
    """``"14,573 of 15,319 known actions"``: what an ``Action``/``NotAction`` Deny leaves usable."""
    try:
        from policyuniverse import all_permissions
        from policyuniverse.expander_minimizer import get_actions_from_statement
    except ImportError:  # pragma: no cover - policyuniverse is a dependency
        return ""
    covered = len(get_actions_from_statement({element: list(patterns)}))
    total = len(all_permissions)
    return f"{total - covered:,} of {total:,} known actions"
