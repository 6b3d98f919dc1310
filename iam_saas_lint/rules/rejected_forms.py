"""Policy forms the grammar allows but AWS refuses or that can never match: reported as ISL000.

- A condition key with an empty value list under an operator without ``IfExists`` or a set
  qualifier (``StringEquals sts:ExternalId []``): it matches nothing, and AWS rejects the policy.
- The same ``Sid`` twice in one document: IAM rejects it.
"""

from __future__ import annotations

from ..model.memo import by_content
from ..model.statements import statements_of
from ..model.values import Unknown
from .grammar import GrammarError


def rejected_forms(data: object, limit: int = 5) -> list[GrammarError]:
    return list(_rejected_forms(data, limit))


@by_content
def _rejected_forms(data: object, limit: int) -> tuple[GrammarError, ...]:
    if isinstance(data, Unknown) or not isinstance(data, dict):
        return ()
    found: list[GrammarError] = []
    seen_sids: dict[str, int] = {}
    raw = data.get("Statement")
    blocks = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    for index, block in enumerate(blocks):
        sid = block.get("Sid") if isinstance(block, dict) else None
        if isinstance(sid, str) and sid:  # Terraform writes "Sid": "" for every statement without one
            base = ("Statement", index) if isinstance(raw, list) else ("Statement",)
            if sid in seen_sids:
                found.append(
                    GrammarError(
                        f"Sid {sid!r} is used by statement {seen_sids[sid]} too: IAM rejects a document with "
                        "duplicate Sids",
                        (*base, "Sid"),
                    )
                )
            else:
                seen_sids[sid] = index
    for statement in statements_of(data):
        for entry in statement.conditions:
            op = entry.operator
            if entry.values or entry.values_unknown is not None or op.if_exists or op.qualifier or op.base == "Null":
                continue
            found.append(
                GrammarError(
                    f"{op.written} {entry.key} has an empty value list: it can never match, and AWS rejects it",
                    entry.path,
                )
            )
    return tuple(found[:limit])
