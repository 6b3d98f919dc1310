"""Every rule module is registered, documented in the house format, and has cases."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import iam_saas_lint.rules as rules_package
from iam_saas_lint.rules import RULES, RULES_BY_ID, _by_id
from iam_saas_lint.rules.base import DOC_SECTIONS, doc_sections

CASES = Path(__file__).parent / "cases"
RULE_MODULE = re.compile(r"^isl(\d{3})_[a-z_]+$")


def _rule_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(rules_package.__path__) if RULE_MODULE.match(m.name))


def test_every_rule_module_is_registered() -> None:
    registered = {rule.id for rule in RULES}
    for name in _rule_modules():
        module = importlib.import_module(f"iam_saas_lint.rules.{name}")
        assert module.RULE.id in registered, name
        assert name == f"isl{module.RULE.id[3:]}_{module.RULE.name.replace('-', '_')}"
    assert len(_rule_modules()) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_documented(rule: object) -> None:
    sections = doc_sections(rule.doc)  # type: ignore[attr-defined]
    assert list(sections) == list(DOC_SECTIONS)
    assert all(sections.values())
    assert "https://docs.aws.amazon.com/" in sections["References"]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_cases(rule: object) -> None:
    rule_id = rule.id  # type: ignore[attr-defined]
    assert (CASES / f"{rule_id}.yaml").is_file()


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate rule id ISL001"):
        _by_id((RULES_BY_ID["ISL001"], RULES_BY_ID["ISL001"]))


def test_rule_docs_are_generated_and_current() -> None:
    """``python -m iam_saas_lint.docgen`` rewrites them after a docstring changes."""
    from iam_saas_lint.docgen import pages

    docs = Path(__file__).resolve().parent.parent / "docs" / "rules"
    for name, text in pages().items():
        assert (docs / name).read_text() == text, f"docs/rules/{name} is stale: run python -m iam_saas_lint.docgen"
    assert sorted(p.name for p in docs.glob("*.md")) == sorted(pages())
