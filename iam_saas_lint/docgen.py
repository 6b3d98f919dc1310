"""Generate ``docs/rules/ISLnnn.md`` from the rule docstrings: ``python -m iam_saas_lint.docgen [DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path

from .rules import RULES
from .rules.base import Rule


def render(rule: Rule) -> str:
    default = "" if rule.enabled_by_default else " Off by default: enable it with `--select " + rule.id + "`."
    header = (
        f"# {rule.id} {rule.name}\n\n"
        f"Severity: **{rule.severity.value}**.{default}\n\n"
        f"Fix: {rule.hint}.\n\n"
        "<!-- Generated from the rule's docstring by `python -m iam_saas_lint.docgen`; do not edit. -->\n\n"
    )
    return header + rule.doc.strip() + "\n"


def index() -> str:
    rows = [f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity.value} | {r.summary} |" for r in RULES]
    return "# Rules\n\n| id | name | severity | what it does |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"


def pages() -> dict[str, str]:
    found = {f"{rule.id}.md": render(rule) for rule in RULES}
    found["README.md"] = index()
    return found


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or ["docs/rules"])[0])
    target.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (target / name).write_text(text)
    print(f"wrote {len(pages())} pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
