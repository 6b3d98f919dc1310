"""Property tests: the linter never raises, and its verdicts obey invariants that follow from IAM's
evaluation logic, whatever the documents look like."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_saas_lint import lint_policy, lint_role

ACCOUNTS = ["464622532012", "754728514883", "111122223333", "AROAEXAMPLEID1234567890"]
PRINCIPALS = st.one_of(
    st.sampled_from(["*"]),
    st.builds(lambda a: {"AWS": a}, st.sampled_from([*ACCOUNTS, "*", "arn:aws:iam::464622532012:root"])),
    st.builds(lambda a: {"AWS": a}, st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3)),
    st.just({"Service": "ec2.amazonaws.com"}),
    st.just({"Federated": "arn:aws:iam::111122223333:saml-provider/okta"}),
)
ACTIONS = st.one_of(
    st.sampled_from(["sts:AssumeRole", "sts:*", "*", "sts:Assume*", "s3:GetObject", "sts:TagSession"]),
    st.lists(st.sampled_from(["sts:AssumeRole", "sts:TagSession", "s3:*"]), min_size=1, max_size=3),
)
OPERATORS = st.sampled_from(
    ["StringEquals", "StringLike", "StringEqualsIfExists", "ForAllValues:StringEquals", "StringNotEquals", "Null",
     "ForAnyValue:StringEquals", "Bool", "IpAddress", "NotIpAddress"]
)  # fmt: skip
KEYS = st.sampled_from(["sts:ExternalId", "aws:SourceIp", "aws:PrincipalOrgID", "aws:MultiFactorAuthPresent"])
VALUES = st.one_of(
    st.sampled_from(["9f1c2a7e4b8d", "*", "true", "false", "203.0.113.0/24", "o-abc123", "10.0.0.0/8"]),
    st.lists(st.sampled_from(["9f1c2a7e4b8d", "203.0.113.0/24", "0.0.0.0/0"]), max_size=3),
)
CONDITIONS = st.dictionaries(OPERATORS, st.dictionaries(KEYS, VALUES, min_size=1, max_size=2), max_size=2)


@st.composite
def statements(draw: Any, trust: bool) -> dict[str, object]:
    statement: dict[str, object] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    statement["NotAction" if draw(st.integers(0, 9)) == 0 else "Action"] = draw(ACTIONS)
    if trust:
        statement["Principal"] = draw(PRINCIPALS)
    else:
        statement["Resource"] = draw(st.sampled_from(["*", "arn:aws:s3:::bucket/*"]))
    condition = draw(CONDITIONS)
    if condition:
        statement["Condition"] = condition
    return statement


def documents(trust: bool) -> st.SearchStrategy[dict[str, object]]:
    return st.builds(
        lambda s: {"Version": "2012-10-17", "Statement": s}, st.lists(statements(trust), min_size=1, max_size=4)
    )


def _rules(findings: list[Any]) -> set[str]:
    return {f.rule for f in findings}


CANONICAL_DENY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
        }
    ],
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(documents(trust=True), st.lists(documents(trust=False), max_size=2))
def test_never_raises_and_positions_are_one_based(trust: dict[str, object], policies: list[dict[str, object]]) -> None:
    for finding in lint_role(json.dumps(trust, indent=1), [json.dumps(p) for p in policies]):
        assert finding.line >= 1 and finding.column >= 1
        assert "internal error" not in finding.message


@FAST
@given(documents(trust=True), st.lists(documents(trust=False), max_size=2))
def test_pinning_the_external_id_never_adds_isl001_or_isl002(
    trust: dict[str, object], policies: list[dict[str, object]]
) -> None:
    pinned = copy.deepcopy(trust)
    for statement in pinned["Statement"]:  # type: ignore[attr-defined]
        if statement["Effect"] == "Allow":
            condition = statement.setdefault("Condition", {})
            condition.setdefault("StringEquals", {})["sts:ExternalId"] = "9f1c2a7e4b8d"
    before = _rules(lint_role(trust, policies))
    after = _rules(lint_role(pinned, policies))
    assert not ({"ISL001", "ISL002"} & (after - before))
    assert "ISL001" not in after and "ISL002" not in after


@FAST
@given(documents(trust=True), st.lists(documents(trust=False), max_size=2))
def test_attaching_the_canonical_deny_never_adds_isl005(
    trust: dict[str, object], policies: list[dict[str, object]]
) -> None:
    before = _rules(lint_role(trust, policies))
    after = _rules(lint_role(trust, [*policies, CANONICAL_DENY]))
    assert "ISL005" not in after
    assert not (after - before)


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        items = [_shuffled(v, rng) for v in value]
        rng.shuffle(items)
        return items
    return value


@FAST
@given(documents(trust=True), st.lists(documents(trust=False), max_size=2), st.integers(0, 2**32))
def test_reordering_statements_keys_and_lists_keeps_the_verdicts(
    trust: dict[str, object], policies: list[dict[str, object]], seed: int
) -> None:
    rng = random.Random(seed)
    before = sorted((f.rule, f.message.split(":")[0]) for f in lint_role(trust, policies))
    after = sorted(
        (f.rule, f.message.split(":")[0]) for f in lint_role(_shuffled(trust, rng), _shuffled(policies, rng))
    )
    assert [r for r, _ in before] == [r for r, _ in after]


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_is_at_most_isl000(text: str) -> None:
    assert _rules(lint_policy(text)) <= {"ISL000"}
