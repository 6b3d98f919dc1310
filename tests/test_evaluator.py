"""The model's evaluator: condition semantics, who can assume a role, and source-IP deny coverage."""

from __future__ import annotations

from typing import Any

import pytest

from iam_saas_lint.model.address_space import public_breadth
from iam_saas_lint.model.assume import TrustEvaluator
from iam_saas_lint.model.cidrs import parse_cidr
from iam_saas_lint.model.conditions import Fresh, evaluate
from iam_saas_lint.model.coverage import coverage
from iam_saas_lint.model.document import PolicyDocument, Role
from iam_saas_lint.model.logic import Doubt
from iam_saas_lint.model.settings import Settings
from iam_saas_lint.model.statements import parse_statement
from iam_saas_lint.model.values import Anchor, NoLocator, Unknown

VENDOR = "464622532012"
XID = "9f1c2a7e4b8d4e0f"


def _entry(operator: str, key: str, values: Any) -> Any:
    statement = parse_statement({"Effect": "Allow", "Action": "*", "Condition": {operator: {key: values}}}, ())
    return statement.conditions[0]


@pytest.mark.parametrize(
    ("operator", "values", "request_values", "expected"),
    [
        ("StringEquals", XID, None, False),
        ("StringEqualsIfExists", XID, None, True),
        ("ForAllValues:StringEquals", XID, None, True),
        ("ForAnyValue:StringEquals", XID, None, False),
        ("StringNotEquals", XID, None, True),
        ("StringNotEquals", XID, (XID,), False),
        ("StringLike", "*", ("anything",), True),
        ("StringLike", "ab?", ("abc",), True),
        ("StringLike", "ab?", ("abcd",), False),
        ("StringEquals", [], ("x",), False),
        ("Null", "false", ("x",), True),
        ("Null", "true", None, True),
        ("StringEquals", "${aws:PrincipalAccount}", (VENDOR,), True),
    ],
)
def test_external_id_operators(operator: str, values: Any, request_values: Any, expected: bool) -> None:
    request = {"aws:principalaccount": (VENDOR,)}
    if request_values is not None:
        request["sts:externalid"] = request_values
    assert evaluate(_entry(operator, "sts:ExternalId", values), request) is expected


def test_numeric_date_ip_bool_and_arn_operators() -> None:
    assert evaluate(_entry("NumericLessThan", "aws:MultiFactorAuthAge", "3600"), {}) is False
    assert evaluate(_entry("NumericLessThan", "aws:MultiFactorAuthAge", "3600"), {"aws:multifactorauthage": ("1",)})
    assert evaluate(_entry("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"), {"aws:currenttime": ("0",)})
    assert evaluate(_entry("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"), {}) is True
    inside = {"aws:sourceip": ("203.0.113.9",)}
    assert evaluate(_entry("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"), inside) is False
    assert evaluate(_entry("ForAllValues:NotIpAddress", "aws:SourceIp", "1.2.3.4"), {}) is True
    assert evaluate(_entry("BoolIfExists", "aws:ViaAWSService", "false"), {"aws:viaawsservice": ("false",)}) is True
    arn = "arn:aws:iam::111122223333:role/ci-deploy"
    assert evaluate(_entry("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/ci-*"), {"aws:principalarn": (arn,)})


def test_unresolved_values_are_doubts_except_for_a_fresh_external_id() -> None:
    entry = parse_statement(
        {"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"sts:ExternalId": Unknown("param X")}}}, ()
    ).conditions[0]
    assert isinstance(evaluate(entry, {"sts:externalid": ("guess",)}), Doubt)
    assert evaluate(entry, {"sts:externalid": (Fresh("other"),)}) is False
    assert evaluate(entry, {}) is False


def _trust(*statements: dict[str, Any]) -> TrustEvaluator:
    return TrustEvaluator({"Version": "2012-10-17", "Statement": list(statements)}, Settings())


def _allow(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return statement


def test_a_trust_deny_enforces_the_external_id_for_a_star_narrowed_to_the_vendor() -> None:
    evaluator = _trust(
        _allow({"AWS": "*"}, {"StringEquals": {"aws:PrincipalAccount": VENDOR}}),
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"StringNotEquals": {"sts:ExternalId": XID}}},
    )  # fmt: skip
    (vendor,) = evaluator.callers("vendor")
    assert vendor.account == VENDOR
    assert evaluator.can_assume(vendor, "none", mfa=False).truth is False
    assert evaluator.can_assume(vendor, "own-choice", mfa=False).truth is False
    assert evaluator.can_assume(vendor, "pinned", mfa=False).truth is True
    (stranger,) = evaluator.callers("unrelated")
    assert evaluator.can_assume(stranger, "pinned", mfa=True).truth is False


def test_a_policy_variable_external_id_is_the_callers_choice() -> None:
    evaluator = _trust(_allow({"AWS": VENDOR}, {"StringEquals": {"sts:ExternalId": "${aws:PrincipalAccount}"}}))
    (vendor,) = evaluator.callers("vendor")
    assert evaluator.can_assume(vendor, "own-choice", mfa=False).truth is True
    assert evaluator.can_assume(vendor, "none", mfa=False).truth is False


def test_unsatisfiable_statements_let_nobody_in() -> None:
    evaluator = TrustEvaluator(
        {"Version": "2012-10-17", "Statement": [
            _allow({"AWS": VENDOR}, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
            _allow({"AWS": VENDOR}, {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}),
        ]},
        Settings(own_organizations=frozenset({"o-a1b2c3d4e5"})),
    )  # fmt: skip
    vendor = next(c for c in evaluator.callers("vendor") if c.account == VENDOR)
    for choice in ("none", "own-choice", "pinned"):
        assert evaluator.can_assume(vendor, choice, mfa=False).truth is False  # type: ignore[arg-type]


def test_organization_patterns_match_every_organization() -> None:
    evaluator = _trust(_allow({"AWS": "*"}, {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*/*"}}))
    (stranger,) = evaluator.callers("unrelated")
    answer = evaluator.can_assume(stranger, "none", mfa=False)
    assert answer.truth is True
    assert [s.path for s in answer.allowing] == [("Statement", 0)]


def test_mfa_age_requires_mfa() -> None:
    evaluator = _trust(_allow({"AWS": VENDOR}, {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))
    (vendor,) = evaluator.callers("vendor")
    assert evaluator.can_assume(vendor, "none", mfa=False).truth is False
    assert evaluator.can_assume(vendor, "none", mfa=True).truth is True


def _role(*statement_lists: list[dict[str, Any]]) -> Role:
    anchor = Anchor("trust.json", (), NoLocator())
    documents = tuple(
        PolicyDocument({"Version": "2012-10-17", "Statement": statements}, "permissions", f"p{i}",
                       Anchor(f"p{i}.json", (), NoLocator()))
        for i, statements in enumerate(statement_lists)
    )  # fmt: skip
    return Role("vendor", anchor, None, documents)


_IP = {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}


def test_denies_that_cover_everything_only_together() -> None:
    halves = [
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": _IP},
        {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*", "Condition": _IP},
    ]
    result, _ = coverage(_role(halves[:1], halves[1:]), Settings())
    assert result.admitted[4].shown() == "203.0.113.0/24"
    assert result.admitted[6].count == 0
    assert result.vpc_escape is None
    alone, _ = coverage(_role(halves[:1]), Settings())
    assert alone.admitted[4].everything and alone.witness is not None
    assert alone.witness.action == "islfresh:UnlistedAction"


def test_undeniable_actions_and_always_true_conditions_leave_no_hole() -> None:
    statement = {
        "Effect": "Deny", "NotAction": "sts:GetCallerIdentity", "Resource": "*",
        "Condition": {"ForAllValues:NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]},
                      "BoolIfExists": {"aws:ViaAWSService": "false"},
                      "StringEquals": {"aws:PrincipalAccount": "<own-account>"}},
    }  # fmt: skip
    result, _ = coverage(_role([statement]), Settings())
    assert result.admitted[4].shown() == "203.0.113.0/24"
    assert result.vpc_escape is None


def test_vpc_source_ip_denies_every_internet_request_and_null_is_a_bypass() -> None:
    vpc_only = {"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:VpcSourceIp": "10.0.0.0/8"}}}  # fmt: skip
    result, _ = coverage(_role([vpc_only]), Settings())
    assert result.admitted[4].count == 0 and result.admitted[6].count == 0
    bypass = {"Effect": "Deny", "Action": "*", "Resource": "*",
              "Condition": {**_IP, "Null": {"aws:SourceIp": "false"}}}  # fmt: skip
    result, _ = coverage(_role([bypass]), Settings())
    assert result.vpc_escape is not None


def test_unions_of_cidrs_are_judged_per_family() -> None:
    halves = [parse_cidr(c).network for c in ("0.0.0.0/1", "128.0.0.0/1", "2000::/3", "2001:db8::/32")]
    networks = [n for n in halves if n is not None]
    assert public_breadth(4, networks).everything
    assert public_breadth(6, networks).everything
    one = [n for n in (parse_cidr("128.0.0.0/1").network,) if n is not None]
    assert not public_breadth(4, one).everything and public_breadth(4, one).broader_than(8)
    eight = [n for n in (parse_cidr("52.0.0.0/8").network,) if n is not None]
    assert not public_breadth(4, eight).broader_than(8)


def test_unresolved_deny_values_are_doubts_named_with_their_document() -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"NotIpAddress": {"aws:SourceIp": Unknown("parameter VendorCidrs")}}}  # fmt: skip
    result, _ = coverage(_role([statement]), Settings())
    assert result.doubt is not None and result.doubt.document is not None
    assert result.doubt.document.label == "p0"
    assert str(result.doubt.doubt.reason) == "parameter VendorCidrs"
    assert result.admitted[4].count == 0 and result.maybe_admitted[4].everything


def test_a_role_every_request_of_which_is_denied_is_not_blamed_on_its_source_ip_deny() -> None:
    # Found by tests/test_properties.py: an unconditional Deny of everything makes the role unusable
    # from anywhere; the source-IP Deny beside it lists public addresses and is not what blocks it.
    from iam_saas_lint.api import lint_role

    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
             "Condition": {"StringEquals": {"sts:ExternalId": "7f3c9a2e41b84d0c9e6a"}}}]}  # fmt: skip
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    ip_deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
               "Condition": {"NotIpAddress": {"aws:SourceIp": ["3.233.144.0/20"]}}}]}  # fmt: skip
    private = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
               "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}}]}  # fmt: skip
    assert [f.rule for f in lint_role(trust, [everything, ip_deny])] == []
    assert [(f.rule, f.severity.value) for f in lint_role(trust, [private])] == [("ISL006", "warning")]


def test_the_widest_source_ip_range_setting() -> None:
    from iam_saas_lint.config import ConfigError, config_from_table

    assert config_from_table({}).settings.widest_source_ip_range == (8, 32)
    assert config_from_table({"widest-source-ip-range": {"ipv4": 16}}).settings.widest_source_ip_range == (16, 32)
    for bad in ({"ipv4": 33}, {"ipv6": "32"}, {"ipv5": 8}, ["8"]):
        with pytest.raises(ConfigError, match="widest-source-ip-range"):
            config_from_table({"widest-source-ip-range": bad})
