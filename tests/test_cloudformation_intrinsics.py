"""Resolving intrinsic functions, enumerating conditions and merging role variants."""

from __future__ import annotations

import time
from typing import Any

import pytest

from iam_saas_lint.findings import Finding, Severity, Subject
from iam_saas_lint.model.document import Role
from iam_saas_lint.model.values import OWN_ACCOUNT, Anchor, NoLocator, Unknown
from iam_saas_lint.sources.cloudformation.conditions import MAX_VARIANTS, ConditionModel
from iam_saas_lint.sources.cloudformation.intrinsic_values import NO_VALUE
from iam_saas_lint.sources.cloudformation.intrinsics import Resolver
from iam_saas_lint.sources.cloudformation.template import Template, is_serverless, is_template
from iam_saas_lint.variants import merge_variant_findings

TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Account": {"Type": "String", "Default": "123456789012"},
        "Accounts": {"Type": "CommaDelimitedList", "Default": "111111111111, 222222222222"},
        "NoDefault": {"Type": "String"},
        "Secret": {"Type": "String", "NoEcho": "true", "Default": "x"},
        "FromSsm": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/vendor/id"},
        "Site": {"Type": "String", "Default": "eu"},
    },
    "Mappings": {"Sites": {"eu": {"Account": "333333333333"}, "us": {"Account": "444444444444"}}},
    "Conditions": {"On": {"Fn::Equals": [{"Ref": "Site"}, "eu"]}},
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "vendor"}},
        "Unnamed": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
    },
}


def resolve(raw: object, branches: dict[str, bool] | None = None) -> object:
    return Resolver(Template("t.yaml", NoLocator(), TEMPLATE), branches).value(raw, ())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"Ref": "Account"}, "123456789012"),
        ({"Ref": "Accounts"}, ["111111111111", "222222222222"]),
        ({"Ref": "AWS::AccountId"}, OWN_ACCOUNT),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Fn::Sub": "arn:${AWS::Partition}:iam::${Account}:root"}, "arn:aws:iam::123456789012:root"),
        ({"Fn::Sub": ["arn:aws:iam::${A}:root", {"A": {"Ref": "Account"}}]}, "arn:aws:iam::123456789012:root"),
        ({"Fn::Sub": "${!Literal}-${aws:username}"}, "${Literal}-${aws:username}"),
        ({"Fn::Join": [":", ["a", {"Ref": "Account"}, "b"]]}, "a:123456789012:b"),
        ({"Fn::Join": [",", {"Ref": "Accounts"}]}, "111111111111,222222222222"),
        ({"Fn::Select": [1, {"Ref": "Accounts"}]}, "222222222222"),
        ({"Fn::Select": ["0", {"Fn::Split": ["/", "a/b"]}]}, "a"),
        ({"Fn::FindInMap": ["Sites", {"Ref": "Site"}, "Account"]}, "333333333333"),
        ({"Fn::FindInMap": ["Sites", "mars", "Account", {"DefaultValue": "none"}]}, "none"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, f"arn:aws:iam::{OWN_ACCOUNT}:role/vendor"),
        ({"Fn::GetAtt": "Unnamed.Arn"}, f"arn:aws:iam::{OWN_ACCOUNT}:role/Unnamed"),
        ({"Ref": "Role"}, "vendor"),
        ({"Fn::If": ["On", "yes", "no"]}, "yes"),
        (["a", {"Ref": "AWS::NoValue"}, "b"], ["a", "b"]),
        ({"k": {"Ref": "AWS::NoValue"}, "j": 1}, {"j": 1}),
        ({"Fn::If": ["On", {"Ref": "AWS::NoValue"}, 1]}, NO_VALUE),
    ],
)
def test_resolved(raw: object, expected: object) -> None:
    assert resolve(raw, {"On": True}) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"Ref": "NoDefault"}, "parameter NoDefault has no Default"),
        ({"Ref": "Secret"}, "NoEcho"),
        ({"Ref": "FromSsm"}, "Systems Manager"),
        ({"Ref": "Bucket"}, "known only after deployment"),
        ({"Ref": "Nowhere"}, "does not define"),
        ({"Ref": "AWS::Region"}, "deployment region"),
        ({"Fn::GetAtt": ["Bucket", "Arn"]}, "known only after deployment"),
        ({"Fn::ImportValue": "shared-id"}, "another stack"),
        ({"Fn::Sub": "id-${NoDefault}"}, "'id-${NoDefault}', where parameter NoDefault has no Default"),
        ("{{resolve:ssm:/vendor/external-id}}", "dynamic reference"),
        ({"Fn::If": ["On", 1, 2]}, "Fn::If on condition On"),
        ({"Fn::If": ["Missing", 1, 2]}, "does not define"),
        ({"Fn::FindInMap": ["Sites", {"Ref": "AWS::Region"}, "Account"]}, "depends on AWS::Region"),
        ({"Fn::Base64": "x"}, "Fn::Base64"),
        # an index in other than ASCII digits: unknown (whether CloudFormation reads it is not known), not
        # item 1 because int() reads "\u0661"
        ({"Fn::Select": ["\u0661", {"Ref": "Accounts"}]}, "whose index cannot be told"),
    ],
)
def test_unresolvable_values_are_unknown_and_say_why(raw: object, says: str) -> None:
    value = resolve(raw)
    assert isinstance(value, Unknown)
    assert says in value.description


def test_a_principal_keeps_a_known_account_with_an_unknown_role_name() -> None:
    resolver = Resolver(Template("t.yaml", NoLocator(), TEMPLATE))
    document = {"Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/${NoDefault}"}}}
    resolved, _ = resolver.document(document, ())
    assert resolved == {"Principal": {"AWS": f"arn:aws:iam::{OWN_ACCOUNT}:role/${{NoDefault}}"}}
    outside, _ = resolver.document({"Resource": document["Principal"]["AWS"]}, ())
    assert isinstance(outside, dict) and isinstance(outside["Resource"], Unknown)


def test_document_paths_map_into_fn_if_branches_and_past_removed_statements() -> None:
    resolver = Resolver(Template("t.yaml", NoLocator(), TEMPLATE), {"On": False})
    raw = {"Statement": [{"Fn::If": ["On", {"Effect": "Allow"}, {"Ref": "AWS::NoValue"}]}, {"Effect": "Deny"}]}
    resolved, paths = resolver.document(raw, ("Doc",))
    assert resolved == {"Statement": [{"Effect": "Deny"}]}
    assert paths[("Statement", 0, "Effect")] == ("Doc", "Statement", 1, "Effect")


def test_text_documents_keep_unresolved_parts_as_unknown_values() -> None:
    resolver = Resolver(Template("t.yaml", NoLocator(), TEMPLATE))
    raw = {"Fn::Sub": '{"Statement": [{"Principal": {"AWS": "${Account}"}, "Condition": {"s": "${NoDefault}"}}]}'}
    data = resolver.text_document(raw, ())
    assert isinstance(data, dict)
    statement = data["Statement"][0]
    assert statement["Principal"] == {"AWS": "123456789012"}
    assert isinstance(statement["Condition"]["s"], Unknown)


CONDITIONS: dict[str, Any] = {
    "Parameters": {
        "Env": {"Type": "String", "AllowedValues": ["prod", "dev"]},
        "Mode": {"Type": "String", "Default": "a"},
    },
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
        "ModeA": {"Fn::Equals": ["a", {"Ref": "Mode"}]},
        "ModeB": {"Fn::Equals": [{"Ref": "Mode"}, "b"]},
        "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "ModeA"}]},
        "Always": {"Fn::Equals": ["x", "x"]},
    },
}


def variants(names: list[str], required: tuple[str, ...] = ()) -> list[dict[str, bool]]:
    model = ConditionModel(Template("t.yaml", NoLocator(), CONDITIONS))
    return [dict(v.assignment) for v in model.variants(names, required)]


def test_dependent_conditions_are_never_contradictory() -> None:
    assert variants(["IsProd", "IsDev"]) == [{"IsProd": True, "IsDev": False}, {"IsProd": False, "IsDev": True}]


def test_comparisons_of_one_parameter_are_exclusive() -> None:
    found = variants(["ModeA", "ModeB"])
    assert {"ModeA": True, "ModeB": True} not in found
    assert len(found) == 3


def test_required_conditions_restrict_the_variants() -> None:
    assert variants(["ModeA"], ("Both",)) == [{"ModeA": True}]
    assert variants(["Always"]) == [{"Always": True}]


def test_variants_are_bounded() -> None:
    many = {f"C{i}": {"Fn::Equals": [{"Ref": f"P{i}"}, "x"]} for i in range(8)}
    template = Template("t.yaml", NoLocator(), {"Parameters": {}, "Conditions": many})
    found = ConditionModel(template).variants(list(many))
    assert len(found) <= MAX_VARIANTS
    assert len(found[0].assignment) == 4


def test_a_branch_fixes_the_parameter_it_compares() -> None:
    model = ConditionModel(Template("t.yaml", NoLocator(), CONDITIONS))
    (prod, _dev) = model.variants(["IsProd"])
    resolver = Resolver(Template("t.yaml", NoLocator(), CONDITIONS), dict(prod.assignment), prod.parameters)
    assert resolver.value({"Ref": "Env"}, ()) == "prod"
    (_mode_a, mode_other) = model.variants(["ModeA"])
    assert dict(mode_other.assignment) == {"ModeA": False}
    other = Resolver(Template("t.yaml", NoLocator(), CONDITIONS), {}, mode_other.parameters).value({"Ref": "Mode"}, ())
    assert isinstance(other, Unknown) and "not its Default 'a'" in other.description


def finding(role: Role, line: int = 3) -> Finding:
    subject = Subject(role.name, role.name, variant=role.variant)
    return Finding("ISL001", "missing-external-id", Severity.ERROR, "f.yaml", line, 1, 1, 1, subject=subject, text=" x")


def role(base: str, **choice: bool) -> Role:
    variant = tuple((k, "true" if v else "false") for k, v in choice.items())
    return Role(base, Anchor("f.yaml", ("Resources", base), NoLocator()), None, variant=variant)


def test_merging_names_only_the_conditions_a_finding_depends_on() -> None:
    roles = [role("R", A=a, B=b) for a in (True, False) for b in (True, False)]
    everywhere = [finding(r) for r in roles]
    assert [(f.role, f.message) for f in merge_variant_findings(everywhere, roles)] == [("R", 'role "R" x')]
    when_a_false = [finding(r, line=4) for r in roles if ("A", "false") in r.variant]
    assert [f.role for f in merge_variant_findings(when_a_false, roles)] == ["R [if A=false]"]
    one = [finding(roles[3], line=5)]
    assert [f.role for f in merge_variant_findings(one, roles)] == ["R [if A=false, B=false]"]


def test_recognising_templates() -> None:
    assert is_template({"AWSTemplateFormatVersion": "2010-09-09"})
    assert is_template({"Resources": {"X": {"Type": "Custom::Thing"}}})
    assert not is_template({"Resources": {"X": {"Type": "Thing"}}})
    assert not is_template({"jobs": {}})
    service = {
        "service": "s",
        "provider": {"name": "aws"},
        "resources": {"Resources": {"R": {"Type": "AWS::IAM::Role"}}},
    }
    assert is_serverless(service, "any-name.yml")
    assert is_serverless({"resources": service["resources"]}, "serverless.yml")
    assert not is_serverless({"resources": service["resources"]}, "other.yml")


def test_shared_sub_conditions_are_evaluated_once() -> None:
    chain: dict[str, Any] = {"C0": {"Fn::Equals": [{"Ref": "P"}, "x"]}}
    for i in range(1, 60):
        chain[f"C{i}"] = {"Fn::And": [{"Condition": f"C{i - 1}"}, {"Condition": f"C{i - 1}"}]}
    model = ConditionModel(Template("t.yaml", NoLocator(), {"Parameters": {"P": {}}, "Conditions": chain}))
    started = time.process_time()
    found = model.variants(["C59", "C0"])
    assert time.process_time() - started < 1.0
    assert len(found) == 2


def test_texts_are_not_multiplied_without_bound() -> None:
    template = {"Parameters": {"Big": {"Type": "String", "Default": "x" * 100_000}}}
    resolver = Resolver(Template("t.yaml", NoLocator(), template))
    value = resolver.value({"Fn::Sub": "${Big}" * 20}, ())
    assert isinstance(value, Unknown) and "not built" in value.description


def test_length_and_to_json_string_are_evaluated() -> None:
    template = Template(
        "t.yaml",
        NoLocator(),
        {"Parameters": {"Ips": {"Type": "CommaDelimitedList", "Default": "a,b,c"}}, "Resources": {}},
    )
    resolver = Resolver(template)
    assert resolver.value({"Fn::Length": {"Ref": "Ips"}}, ()) == 3
    assert resolver.value({"Fn::ToJsonString": {"k": [{"Ref": "Ips"}]}}, ()) == '{"k":[["a","b","c"]]}'
    unknown = resolver.value({"Fn::ToJsonString": {"k": {"Ref": "AWS::StackName"}}}, ())
    assert isinstance(unknown, Unknown) and "stack name" in str(unknown)


KEYED: dict[str, Any] = {
    "Parameters": {
        "Stage": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "prod"},
        "Tier": {"Type": "String", "MinLength": 3, "Default": "gold"},
        "Number": {"Type": "String"},
        **{f"P{i}": {"Type": "String"} for i in range(5)},
    },
    "Mappings": {
        "ByStage": {"dev": {"Id": "a"}, "qa": {"Id": "b"}, "prod": {"Id": "c"}},
        "ByTier": {"xx": {"Id": "a"}, "gold": {"Id": "b"}, "iron": {"Id": "b"}},
        "ByRegion": {"us-east-1": {"Id": "a"}, "eu-west-1": {"Id": "b"}},
        "ByNumber": {f"k{i}": {"Id": str(i)} for i in range(20)},
    },
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        **{f"C{i}": {"Fn::Equals": [{"Ref": f"P{i}"}, "x"]} for i in range(5)},
    },
}


def lookups(raw: object, names: tuple[str, ...] = ()) -> list[tuple[dict[str, object], object]]:
    """Each variant of ``raw`` (its conditions and map keys) with what ``raw`` resolves to in it."""
    from iam_saas_lint.sources.cloudformation.map_keys import keyed_inputs

    template = Template("t.yaml", NoLocator(), KEYED)
    found = []
    for variant in ConditionModel(template).variants(list(names), (), keyed_inputs(template, raw)):
        value = Resolver(template, dict(variant.assignment), variant.parameters).value(raw, ())
        found.append(({**dict(variant.assignment), **dict(variant.keys)}, value))
    return found


def test_a_map_looked_up_by_a_parameter_is_tried_for_each_key_it_may_have() -> None:
    # qa is no allowed value; the Default (prod) is one choice among the others, not assumed.
    assert lookups({"Fn::FindInMap": ["ByStage", {"Ref": "Stage"}, "Id"]}) == [
        ({"map Stage": "dev"}, "a"),
        ({"map Stage": "prod"}, "c"),
    ]
    # xx is shorter than MinLength; gold and iron look up the same entry: one choice, no variant
    # to tell apart, so the lookup is known without one.
    assert lookups({"Fn::FindInMap": ["ByTier", {"Ref": "Tier"}, "Id"]}) == [({"map Tier": "gold|iron"}, "b")]


def test_a_lookup_with_a_default_value_may_miss_every_key() -> None:
    raw = {"Fn::FindInMap": ["ByRegion", {"Ref": "AWS::Region"}, "Id", {"DefaultValue": "z"}]}
    assert lookups(raw) == [
        ({"map Region": "eu-west-1"}, "b"),
        ({"map Region": "us-east-1"}, "a"),
        ({"map Region": "another value"}, "z"),
    ]
    # the region a variant chose is the region everywhere in it
    region = {"Fn::Join": ["/", [raw, {"Ref": "AWS::Region"}]]}
    assert [value for _, value in lookups(region)][:2] == ["b/eu-west-1", "a/us-east-1"]


def test_a_condition_on_the_looked_up_parameter_agrees_with_the_key_chosen() -> None:
    raw = [{"Fn::If": ["IsProd", "on", "off"]}, {"Fn::FindInMap": ["ByStage", {"Ref": "Stage"}, "Id"]}]
    assert lookups(raw, ("IsProd",)) == [
        ({"IsProd": False, "map Stage": "dev"}, ["off", "a"]),
        ({"IsProd": True, "map Stage": "prod"}, ["on", "c"]),
    ]


def test_keys_past_the_variants_tried_make_the_lookup_unknown_never_a_default() -> None:
    # conditions are dropped first, then inputs: twenty different entries do not fit at all
    toggles = [{"Fn::If": [f"C{i}", "1", "0"]} for i in range(5)]
    raw = [*toggles, {"Fn::FindInMap": ["ByNumber", {"Ref": "Number"}, "Id"]}]
    found = lookups(raw, tuple(f"C{i}" for i in range(5)))
    assert len(found) == 1
    ((choice, value),) = found
    assert choice == {}
    assert isinstance(value, list) and all(isinstance(item, Unknown) for item in value)
    assert "${Number}, which may be any of several keys" in value[-1].description
    # while five toggles and two stages fit once the last two toggles are left unknown
    fewer = lookups(
        [*toggles, {"Fn::FindInMap": ["ByStage", {"Ref": "Stage"}, "Id"]}], tuple(f"C{i}" for i in range(5))
    )
    assert len(fewer) == MAX_VARIANTS
    assert {choice["map Stage"] for choice, _ in fewer} == {"dev", "prod"}
    assert all(isinstance(value[4], Unknown) and not isinstance(value[2], Unknown) for _, value in fewer)
