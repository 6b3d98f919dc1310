"""Rebuild ``iam_saas_lint/data/actions.txt``, the IAM action catalogue, from policyuniverse.

Usage: pip install policyuniverse && python scripts/build_action_catalogue.py

policyuniverse (Apache-2.0, https://github.com/Netflix-Skunkworks/policyuniverse) is the source of the
action names; the linter only counts how many of them a Deny covers, so it ships the names (one line
per service: the service prefix, then its actions, lower case) instead of depending on the library,
whose import cost 70 ms and 30 MB.
"""

from __future__ import annotations

from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

from policyuniverse import all_permissions

OUT = Path(__file__).resolve().parent.parent / "iam_saas_lint" / "data" / "actions.txt"


def build() -> str:
    by_service: dict[str, list[str]] = defaultdict(list)
    for action in all_permissions:
        service, _, name = action.lower().partition(":")
        by_service[service].append(name)
    header = f"# IAM actions from policyuniverse {version('policyuniverse')} (Apache-2.0): service, then its actions\n"
    return header + "".join(f"{s} {' '.join(sorted(set(n)))}\n" for s, n in sorted(by_service.items()))


if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT}")
