"""The evaluator on documents holding unresolved values, as the IaC readers produce them."""

from __future__ import annotations

from iam_saas_lint.model.settings import Settings
from iam_saas_lint.model.source_ip import ip_denies
from iam_saas_lint.model.trust import analyze_trust
from iam_saas_lint.model.values import OWN_ACCOUNT, Unknown

PARAM = Unknown("parameter ExternalId has no Default")


def _trust(condition: object, principal: object = "arn:aws:iam::464622532012:root") -> dict[str, object]:
    statement: dict[str, object] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _state(condition: object) -> str:
    (grant,) = analyze_trust(_trust(condition), Settings()).grants
    return grant.external_id


def test_string_equals_pinned_to_an_unresolved_parameter_is_enforced() -> None:
    assert _state({"StringEquals": {"sts:ExternalId": PARAM}}) == "enforced"
    assert _state({"StringEquals": {"sts:ExternalId": [PARAM]}}) == "enforced"


def test_string_like_with_an_unresolved_value_is_unknown() -> None:
    assert _state({"StringLike": {"sts:ExternalId": PARAM}}) == "unknown"


def test_an_unresolved_operator_block_or_condition_is_unknown_not_missing() -> None:
    assert _state({"StringEquals": PARAM}) == "unknown"
    assert _state(PARAM) == "unknown"
    assert _state({"StringEquals": {"aws:PrincipalTag/x": "y"}, PARAM: {"sts:ExternalId": "abc123"}}) == "unknown"


def test_own_account_token_and_unresolved_principals() -> None:
    assert analyze_trust(_trust(None, f"arn:aws:iam::{OWN_ACCOUNT}:root"), Settings()).grants == ()
    (grant,) = analyze_trust(_trust(None, PARAM), Settings()).grants
    assert "treated as third-party" in grant.who()
    assert analyze_trust(_trust(None, PARAM), Settings(unresolved_principals="own")).grants == ()


def test_unresolved_ip_list_is_unknown_not_effective() -> None:
    deny = {
        "Statement": {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": Unknown("parameter VendorCidrs has no Default")}},
        }
    }
    (found,) = ip_denies(deny)
    assert not found.effective
    assert found.holes == ()
    assert [str(u) for u, _ in found.unknowns] == ["parameter VendorCidrs has no Default"]


def test_an_unresolved_document_or_statement_is_never_a_pass() -> None:
    from iam_saas_lint.config import Config
    from iam_saas_lint.engine import check_inventory
    from iam_saas_lint.model.document import Inventory, PolicyDocument, Role
    from iam_saas_lint.model.values import Anchor, NoLocator

    def role(trust: object, policies: tuple[object, ...] = ()) -> list[str]:
        anchor = Anchor("main.tf", (), NoLocator())
        documents = tuple(PolicyDocument(p, "permissions", "policy", anchor) for p in policies)
        inventory = Inventory(roles=[Role("r", anchor, PolicyDocument(trust, "trust", "trust", anchor), documents)])
        return sorted(f.rule for f in check_inventory(inventory, Config()))

    unknown = Unknown("var.trust has no default")
    assert role(unknown) == ["ISL005", "ISL009"]
    assert role({"Version": "2012-10-17", "Statement": unknown}) == ["ISL005", "ISL009"]
    known = {"Effect": "Allow", "Principal": {"AWS": "464622532012"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "9f1c2a7e4b8d"}}}  # fmt: skip
    assert role({"Version": "2012-10-17", "Statement": [known, unknown]}) == ["ISL005", "ISL009"]
    deny = {"Version": "2012-10-17", "Statement": [unknown]}
    assert role({"Version": "2012-10-17", "Statement": [known]}, (deny,)) == ["ISL009"]
