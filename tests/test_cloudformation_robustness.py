"""Whatever a template holds, reading it and applying the rules never raises."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_saas_lint.config import Config
from iam_saas_lint.engine import check_inventory
from iam_saas_lint.model.values import NoLocator
from iam_saas_lint.sources.cloudformation.reader import read_template
from iam_saas_lint.sources.cloudformation.template import Template

NAMES = st.sampled_from(["A", "B", "Role", "Policy", "P", "AWS::AccountId", "AWS::NoValue", "AWS::Region", "C"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**12),
    st.sampled_from(["*", "sts:AssumeRole", "Allow", "Deny", "arn:aws:iam::123456789012:root", "${A}", "${!B}", ""]),
    st.text(max_size=8),
)


def intrinsic(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, NAMES),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, NAMES, children, children),
        st.builds(lambda t: {"Fn::Sub": t}, st.one_of(SCALARS, st.lists(children, max_size=3))),
        st.builds(lambda d, xs: {"Fn::Join": [d, xs]}, st.one_of(st.just(""), SCALARS), children),
        st.builds(lambda i, xs: {"Fn::Select": [i, xs]}, SCALARS, children),
        st.builds(lambda xs: {"Fn::FindInMap": xs}, st.lists(children, max_size=4)),
        st.builds(lambda a: {"Fn::GetAtt": a}, st.one_of(NAMES, st.lists(NAMES, max_size=3))),
        st.builds(lambda a: {"Fn::Split": a}, children),
        st.builds(lambda a: {"Fn::Equals": a}, children),
    )


VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "Statement",
                    "Effect",
                    "Principal",
                    "AWS",
                    "Action",
                    "Condition",
                    "StringEquals",
                    "sts:ExternalId",
                    "NotIpAddress",
                    "aws:SourceIp",
                    "Resource",
                    "PolicyDocument",
                    "PolicyName",
                    "Version",
                ]
            ),
            children,
            max_size=4,
        ),
        intrinsic(children),
    ),
    max_leaves=25,
)
TYPES = st.sampled_from(
    [
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::User",
        "AWS::IAM::AccessKey",
        "AWS::Serverless::Function",
        "AWS::CloudFormation::StackSet",
    ]
)
PROPERTIES = st.dictionaries(
    st.sampled_from(
        [
            "AssumeRolePolicyDocument",
            "Policies",
            "ManagedPolicyArns",
            "PermissionsBoundary",
            "Roles",
            "RoleName",
            "PolicyDocument",
            "UserName",
            "TemplateBody",
            "Role",
            "Parameters",
        ]
    ),
    VALUES,
    max_size=5,
)
RESOURCE = st.fixed_dictionaries(
    {"Type": TYPES, "Properties": st.one_of(PROPERTIES, VALUES)},
    optional={"Condition": NAMES},
)
TEMPLATE = st.fixed_dictionaries(
    {
        "Resources": st.dictionaries(NAMES, RESOURCE, min_size=1, max_size=4),
        "Parameters": st.dictionaries(NAMES, st.dictionaries(st.sampled_from(["Type", "Default", "NoEcho"]), VALUES)),
        "Conditions": st.dictionaries(NAMES, VALUES, max_size=3),
        "Mappings": st.dictionaries(NAMES, VALUES, max_size=2),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEMPLATE)
def test_any_template_reads_and_lints_without_raising(data: dict[str, Any]) -> None:
    inventory = read_template(Template("t.yaml", NoLocator(), data))
    findings = check_inventory(inventory, Config())
    assert not any("internal error" in f.message for f in findings)
