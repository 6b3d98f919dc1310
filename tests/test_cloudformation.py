"""The CloudFormation family end to end: fixtures in, exact rule ids and positions out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.discovery import discover
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding
from iam_saas_lint.sources.text.paths import display_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cloudformation"


def lint(name: str) -> list[Finding]:
    result = run([str(FIXTURES / name)], Config())
    assert not result.internal_error, [f.message for f in result.findings]
    return [f for f in result.findings if Path(f.path).resolve() == (FIXTURES / name).resolve()]


def places(name: str) -> list[tuple[str, int, int]]:
    return sorted((f.rule, f.line, f.column) for f in lint(name))


EXPECTED = {
    # Short tags, Version: 2012-10-17 unquoted, !Sub/!Join principals from a parameter default,
    # !GetAtt of a role of the template (own account), an AWS-managed policy.
    "short-tags.yaml": [("ISL001", 43, 13), ("ISL005", 39, 7)],
    # Fn::If on the external id condition; the Deny policy exists only under AddIpDeny.
    "if-condition.yaml": [("ISL001", 21, 13), ("ISL005", 17, 7)],
    # Fn::If around a statement (positions inside the branch), around managed policy links and
    # around a condition value; dependent conditions (IsDev is not IsProd).
    "if-statements.yaml": [("ISL001", 25, 15), ("ISL003", 32, 75), ("ISL006", 53, 30)],
    # AWS::IAM::Policy attached by RoleName, AWS::IAM::RolePolicy by Ref.
    "separate-policy.yaml": [("ISL006", 52, 17)],
    # ManagedPolicyArns: Ref to a template policy, an ARN outside the template, AWS-managed only.
    "managed-policy.json": [("ISL002", 50, 44), ("ISL005", 62, 9), ("ISL009", 55, 11)],
    # The permissions boundary's Deny counts, linked by Ref or by its ARN.
    "boundary.yaml": [],
    # CDK: Fn::Join principals over AWS::Partition, own account from AWS::AccountId, the role's
    # policy in a separate AWS::IAM::Policy.
    "cdk.out/VendorStack.template.json": [("ISL001", 98, 8), ("ISL005", 93, 5), ("ISL006", 70, 10)],
    "sam-function.yaml": [("ISL001", 20, 13), ("ISL006", 36, 19)],
    "serverless.yml": [("ISL005", 19, 9)],
    # Policies written as JSON text: a YAML block, a one-line string, a !Sub block.
    "json-string-documents.yaml": [("ISL001", 16, 15), ("ISL005", 27, 7), ("ISL006", 23, 150)],
    # An escaped JSON string in a JSON template; a string that is no JSON document.
    "json-string-documents.json": [("ISL000", 10, 13), ("ISL002", 6, 235), ("ISL005", 6, 9)],
    "access-key.yaml": [("ISL007", 9, 3)],
    # CommaDelimitedList default, a placeholder external id, NoEcho, FindInMap by a parameter (each
    # key tried: the two sites trust different accounts, so NoEchoRole is reported once per site).
    "parameters.yaml": [("ISL003", 30, 30), ("ISL005", 23, 7), ("ISL005", 34, 7), ("ISL005", 34, 7)],
    # The TemplateBody of a StackSet is a template of its own, positioned inside the block.
    "stackset.yaml": [("ISL001", 29, 21), ("ISL005", 25, 15)],
    # Fn::ForEach over a CommaDelimitedList default makes one role per item (positions inside the
    # loop's fragment); Fn::FindInMap's DefaultValue and Fn::ToJsonString are evaluated.
    "foreach-roles.yaml": [("ISL003", 31, 21)],
    # A trust in SAM's Globals reaches every function's role, at the Globals line; a function's
    # own statements are appended to the global ones (SAM's list merge).
    # Conditions that switch whole policies are tried first: with five trust toggles besides, the
    # deny policy's own condition is still enumerated and the verdict exact.
    "many-conditions.yaml": [("ISL005", 23, 7)],
    # Past the variants tried, a deny policy's own condition, or the branch of its Roles, is not
    # assumed to hold: ISL009 at each, never a pass.
    "many-policy-conditions.yaml": [("ISL009", 56, 3), ("ISL009", 66, 3)],
    # Fn::FindInMap by AWS::Region and by a parameter: each key tried, the bad ones named.
    "map-keys.yaml": [("ISL003", 44, 30), ("ISL004", 25, 25)],
    # A StackSet body built with !Sub (positions inside the block); its parameter passes the parent's
    # own role (!GetAtt), one of your accounts, so only the vendor's statement is reported.
    "stackset-organization.yaml": [("ISL001", 52, 21), ("ISL005", 45, 15)],
    # Roles named by the same expression as RoleName; a managed policy linked by the ARN its name and
    # Path make; a generated name never matches a literal ARN (ISL009, not a pass).
    "linking-by-name.yaml": [("ISL009", 75, 11)],
    # A Condition given twice inside a policy written as JSON text is ISL000, as in a file.
    "json-string-duplicate-keys.yaml": [("ISL000", 15, 13), ("ISL002", 15, 42)],
    # ${self:…} naming an object (a whole statement) or a list (the CIDRs) substitutes the value;
    # an unresolved variable inside a CIDR list is unknown, not an invalid CIDR.
    "serverless-objects/serverless.yml": [("ISL001", 19, 15), ("ISL009", 51, 23)],
    # A branch that compares a parameter with a value its MinLength/AllowedPattern excludes is pruned.
    "impossible-branch.yaml": [],
    "sam-globals.yaml": [("ISL001", 11, 11), ("ISL001", 11, 11), ("ISL005", 7, 5), ("ISL005", 25, 7)],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rule_ids_and_positions(name: str) -> None:
    assert places(name) == sorted(EXPECTED[name])


def messages(name: str) -> dict[tuple[str, int], str]:
    return {(f.rule, f.line): f.message for f in lint(name)}


def test_a_finding_that_holds_in_one_branch_names_the_condition() -> None:
    found = messages("if-condition.yaml")
    assert found[("ISL001", 21)].startswith('role "VendorRole [if UseExternalId=false]" can be assumed by account')
    assert found[("ISL005", 17)].startswith('role "VendorRole [if AddIpDeny=false]" trusts account 111122223333')
    # With the external id in place, StringEquals pins it to the parameter: enforced, whatever its
    # value (the rule for ISL009: not raised when the outcome does not depend on the value).
    assert ("ISL009", 27) not in found


def test_a_finding_shared_by_every_variant_names_no_condition() -> None:
    found = {f.rule: f for f in lint("if-statements.yaml")}
    assert found["ISL001"].role == "VendorRole [if LegacyVendor=true]"
    assert found["ISL003"].role == "VendorRole [if IsDev=true]"
    assert found["ISL006"].role == "VendorRole [if IsDev=true]"
    assert len(lint("if-statements.yaml")) == 3


def test_a_map_lookup_names_the_keys_whose_entry_is_bad() -> None:
    found = {f.rule: f for f in lint("map-keys.yaml")}
    assert found["ISL004"].role == "RegionalRole [map Region=eu-west-1]"
    # dev and staging look up the same entry: tried once, named together; prod (the Default) is clean.
    assert found["ISL003"].role == "EnvironmentRole [map Environment=dev|staging]"
    sites = sorted(f.role or "" for f in lint("parameters.yaml") if f.line == 34)
    assert sites == ["NoEchoRole [map Sites=eu]", "NoEchoRole [map Sites=us]"]


def test_a_policy_switched_by_a_condition_not_tried_is_unknown_not_assumed() -> None:
    found = messages("many-policy-conditions.yaml")
    assert "IpDeny exists only if condition DenyOn holds, one condition too many to try" in found[("ISL009", 56)]
    assert "whether LegacyIpDeny names this role: Fn::If on condition IsLegacy" in found[("ISL009", 66)]


def test_role_names_carry_the_literal_role_name() -> None:
    roles = {f.role for f in lint("serverless.yml")} | {f.role for f in lint("stackset.yaml")}
    assert roles == {"VendorAccessRole (vendor-sync-dev)", "MemberRoles/MemberRole"}
    assert lint("access-key.yaml")[0].message.startswith('long-term access key for user "VendorUser (vendor-reader)"')


def test_unresolved_attached_policy_is_named() -> None:
    found = messages("managed-policy.json")[("ISL009", 55)]
    assert "managed policy arn:aws:iam::${AWS::AccountId}:policy/central-ip-deny" in found


def test_json_path_points_into_the_template() -> None:
    (finding,) = [f for f in lint("short-tags.yaml") if f.rule == "ISL001"]
    assert finding.json_path == "$.Resources.AuditRole.Properties.AssumeRolePolicyDocument.Statement[0].Principal"
    assert (finding.end_line, finding.end_column) == (43, 91)


def test_cdk_out_is_read_through_its_manifest() -> None:
    found = discover([str(FIXTURES)])
    names = {os.path.relpath(os.path.abspath(f), FIXTURES) for f in found.files}
    assert os.path.join("cdk.out", "VendorStack.template.json") in names
    assert not {os.path.join("cdk.out", "manifest.json"), os.path.join("cdk.out", "tree.json")} & names


def test_cdk_manifest_and_tree_are_skipped_silently() -> None:
    for name in ("cdk.out/manifest.json", "cdk.out/tree.json"):
        result = run([str(FIXTURES / name)], Config())
        assert [f for f in result.findings if f.path.endswith(name)] == []


def test_whole_fixture_folder_reads_without_internal_errors() -> None:
    result = run([str(FIXTURES)], Config())
    assert not result.internal_error
    assert not any("internal error" in f.message for f in result.findings)


def test_nested_stacks_are_read_with_the_parameters_the_parent_passes() -> None:
    result = run([str(FIXTURES / "nested" / "parent.yaml")], Config())
    found = sorted((Path(f.path).name, f.rule, f.line, f.column, f.role or "") for f in result.findings)
    assert found == [
        ("parent.yaml", "ISL009", 19, 7, "LogArchive"),
        ("parent.yaml", "ISL009", 19, 7, "LogArchive"),
        ("vendor-role.yaml", "ISL001", 16, 13, "DatadogIntegration/VendorRole [if HasExternalId=false]"),
    ]
    vendor = next(f for f in result.findings if f.rule == "ISL001")
    assert "Datadog (464622532012)" in vendor.message
    assert sorted(f.message.split(": ", 1)[1][:30] for f in result.findings if f.rule == "ISL009") == [
        "cannot tell whether a source-I",
        "cannot tell whether the extern",
    ]


def test_cdk_nested_stack_is_read_from_its_asset_beside_the_parent(tmp_path: Path) -> None:
    import json

    child = {
        "Resources": {
            "VendorRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": {"Ref": "referencetoVendorAccount"}},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                },
            }
        },
        "Parameters": {"referencetoVendorAccount": {"Type": "String"}},
    }
    parent = {
        "Resources": {
            "VendorNestedStack": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": {"Fn::Join": ["", ["https://s3.", {"Ref": "AWS::URLSuffix"}, "/cdk-assets/x.json"]]},
                    "Parameters": {"referencetoVendorAccount": "arn:aws:iam::464622532012:root"},
                },
                "Metadata": {"aws:asset:path": "AppVendorNested.nested.template.json"},
            }
        }
    }
    (tmp_path / "AppVendorNested.nested.template.json").write_text(json.dumps(child, indent=1))
    (tmp_path / "App.template.json").write_text(json.dumps(parent, indent=1))
    result = run([str(tmp_path / "App.template.json")], Config())
    found = sorted((f.rule, f.role) for f in result.findings)
    assert found == [
        ("ISL001", "VendorNestedStack/VendorRole"),
        ("ISL005", "VendorNestedStack/VendorRole"),
    ]
    assert all(f.path.endswith("AppVendorNested.nested.template.json") for f in result.findings)


def test_a_nested_child_scanned_with_its_parent_is_judged_only_as_the_parent_deploys_it() -> None:
    folder = run([str(FIXTURES / "nested")], Config())
    parent = run([str(FIXTURES / "nested" / "parent.yaml")], Config())
    shown = sorted((Path(f.path).name, f.rule, f.line, f.column, f.role or "") for f in folder.findings)
    assert shown == sorted((Path(f.path).name, f.rule, f.line, f.column, f.role or "") for f in parent.findings)
    assert ("vendor-role.yaml", "ISL001", 16, 13, "DatadogIntegration/VendorRole [if HasExternalId=false]") in shown
    child, parent_file = (
        display_path(str(FIXTURES / "nested" / p)) for p in ("stacks/vendor-role.yaml", "parent.yaml")
    )
    assert f"{child}: read as part of {parent_file}, which deploys it, not on its own" in folder.notes
    # Alone, the child is judged with the parameters it could be given: its own finding.
    alone = run([child], Config())
    assert [(f.rule, f.line, f.role) for f in alone.findings] == [("ISL001", 16, "VendorRole [if HasExternalId=false]")]


def test_a_nested_stack_on_s3_passed_nothing_iam_shaped_is_a_verbose_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from iam_saas_lint.cli import main

    parent = display_path(str(FIXTURES / "nested" / "parent.yaml"))
    assert main(["--verbose", "--no-cache", "--format", "concise", parent]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"iam-saas-lint: {parent}:25: nested stack Dashboards: its template is at "
        "https://example-bucket.s3.amazonaws.com/dashboards.yaml, which a file reader cannot see; "
        "it is passed no IAM parameters, so not judged"
    ]
    assert main(["--no-cache", "--format", "concise", parent]) == 1
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_loops_and_to_json_string_spelled_with_escapes_are_still_expanded(tmp_path: Path, syntax: str) -> None:
    """A reader skips looking for ``Fn::ForEach::…`` and ``Fn::ToJsonString`` keys when the text cannot
    hold them; written with escapes (YAML ``\\x``, JSON ``\\u``) they are still there."""
    from iam_saas_lint.sources.text.yaml_positions import load_yaml

    text = (FIXTURES / "foreach-roles.yaml").read_text()
    if syntax == "json":
        (document,) = load_yaml(text)
        text = json.dumps(document.data, indent=2)
        escapes = {"Fn::ForEach::": "Fn::\\u0046orEach::", "Fn::ToJsonString": "Fn::ToJson\\u0053tring"}
    else:
        escapes = {"Fn::ForEach::": "Fn::For\\x45ach::", "Fn::ToJsonString": "Fn::ToJson\\x53tring"}
        for key in ("Fn::ForEach::EnvConditions", "Fn::ForEach::VendorRoles", "Fn::ToJsonString"):
            text = text.replace(f"{key}:", f'"{key}":')
    plain, escaped = tmp_path / f"plain.{syntax}", tmp_path / f"escaped.{syntax}"
    plain.write_text(text)
    for written, escape in escapes.items():
        text = text.replace(written, escape)
    assert "ForEach" not in text and "ToJsonString" not in text
    escaped.write_text(text)

    def found(path: Path) -> list[tuple[str, str, int, int]]:
        result = run([str(path)], Config())
        assert not result.internal_error
        return sorted((f.rule, f.message, f.line, f.column) for f in result.findings)

    expected = [("ISL003", 31, 21)] if syntax == "yaml" else [("ISL003", 53, 23)]
    assert [(rule, line, column) for rule, _, line, column in found(plain)] == expected
    assert found(escaped) == found(plain)
