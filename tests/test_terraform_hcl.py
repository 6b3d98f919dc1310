"""Terraform modules: each construct of the issue, with exact rule ids and positions."""

from __future__ import annotations

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding

F = "fixtures/terraform/"

EXPECTED: dict[str, list[tuple[str, str, int, int]]] = {
    # the second statement (line 60) lets the vendor in without the external id of the first
    "jsonencode": [
        ("ISL005", "jsonencode/main.tf", 51, 3),
        ("ISL001", "jsonencode/main.tf", 62, 9),
    ],
    # <<EOF with an external id and a /0 deny; <<-POLICY with StringLike "*"
    "heredoc": [
        ("ISL005", "heredoc/main.tf", 24, 3),
        ("ISL002", "heredoc/main.tf", 32, 40),
        ("ISL006", "heredoc/main.tf", 50, 42),
    ],
    # the override document replaces the Sid "Vendor" statement, dropping its condition block
    "policy_document": [
        ("ISL001", "policy_document/main.tf", 30, 5),
        ("ISL005", "policy_document/main.tf", 39, 3),
        ("ISL006", "policy_document/main.tf", 60, 5),
    ],
    # role, trust document, policies and attachments in four files
    "split_files": [
        ("ISL006", "split_files/policy.tf", 20, 7),
    ],
    "caller_identity": [
        ("ISL005", "caller_identity/main.tf", 22, 3),
        ("ISL001", "caller_identity/main.tf", 26, 7),
    ],
    # terraform.tfvars fixes the account and the placeholder external id; wide.auto.tfvars adds a /0
    "tfvars": [
        ("ISL006", "tfvars/main.tf", 37, 38),
    ],
    "for_each": [
        ("ISL001", "for_each/main.tf", 23, 9),
    ],
    # file() of a JSON policy (also linted as a JSON file) and a file() outside the scanned tree
    "file_policy": [
        ("ISL009", "file_policy/main.tf", 33, 3),
        ("ISL006", "file_policy/policies/deny.json", 9, 26),
    ],
    "access_key": [
        ("ISL007", "access_key/main.tf", 5, 1),
        ("ISL007", "access_key/main.tf", 9, 1),
    ],
    "broken": [
        ("ISL000", "broken/main.tf", 10, 3),
    ],
    # AWS-managed ARNs are left out; a boundary with the deny counts; an outside ARN is unresolved
    "managed_boundary": [
        ("ISL009", "managed_boundary/main.tf", 36, 5),
    ],
    # the dynamic condition is empty by default; the dynamic statement's for_each is unknown
    "dynamic": [
        ("ISL001", "dynamic/main.tf", 15, 5),
        ("ISL009", "dynamic/main.tf", 30, 3),
        ("ISL005", "dynamic/main.tf", 45, 3),
    ],
    # override.tf replaces one role's inline_policy blocks (its deny is gone) and another's trust;
    # vendor_override.tf.json replaces a variable's default and a local, and overrides nothing once
    "overrides": [
        ("ISL005", "overrides/main.tf", 4, 3),
        ("ISL003", "overrides/main.tf", 42, 38),
        ("ISL003", "overrides/main.tf", 42, 38),
        ("ISL006", "overrides/main.tf", 51, 38),
        ("ISL006", "overrides/main.tf", 51, 38),
        ("ISL001", "overrides/override.tf", 18, 7),
        ("ISL000", "overrides/vendor_override.tf.json", 4, 35),
    ],
    # two copies of a vendor module in one folder: ISL000 for each duplicate, and each role is still
    # judged with its own file's attachments (the payer copy has no deny)
    "duplicates": [
        ("ISL005", "duplicates/payer__main.tf", 5, 3),
        ("ISL000", "duplicates/resource__main.tf", 1, 1),
        ("ISL000", "duplicates/resource__main.tf", 14, 1),
    ],
    # a deny switched off by a variable's default is no deny; tfvars and a local switch others on; a
    # for_each nobody gave may make no deny (ISL009 at it); roles counted 0 or over an empty map are
    # not judged; a role whose count is unknown is judged as the instance of unknown index
    "counts": [
        ("ISL005", "counts/main.tf", 47, 3),
        ("ISL009", "counts/main.tf", 87, 3),
        ("ISL001", "counts/main.tf", 113, 3),
        ("ISL005", "counts/main.tf", 113, 3),
    ],
    # policies the configuration attaches and removes again: ISL015 on the attachment that loses
    # (and ISL005 on the role it leaves without a deny); an owner's list nobody gave is ISL009
    "exclusive_owners": [
        ("ISL005", "exclusive_owners/main.tf", 31, 3),
        ("ISL015", "exclusive_owners/main.tf", 38, 1),
        ("ISL005", "exclusive_owners/main.tf", 47, 3),
        ("ISL015", "exclusive_owners/main.tf", 51, 1),
        ("ISL005", "exclusive_owners/main.tf", 65, 3),
        ("ISL015", "exclusive_owners/main.tf", 74, 1),
        ("ISL009", "exclusive_owners/main.tf", 89, 1),
    ],
    # literal ARNs match the module's policy by account, path and name: another path is another
    # policy; an account the module does not claim is unknown, or another's with allowed_account_ids
    "arn_matching": [
        ("ISL009", "arn_matching/main.tf", 42, 26),
        ("ISL009", "arn_matching/main.tf", 49, 26),
    ],
    "arn_matching_provider": [
        ("ISL009", "arn_matching_provider/main.tf", 50, 3),
    ],
    # a sensitive placeholder is ISL003 (never printed); formatlist principals; a template loop over a
    # list with a /0; a dynamic statement over an unresolved list with a literal Allow beside a deny is
    # no ISL009; a chained for_each gives each role its own deny (staging's is /0). Both holes are
    # placed where the template's loop writes the list (template_loop's, then chained["staging"]'s)
    "evaluation": [
        ("ISL006", "evaluation/deny.json.tftpl", 7, 36),
        ("ISL006", "evaluation/deny.json.tftpl", 7, 36),
        ("ISL003", "evaluation/main.tf", 31, 38),
        ("ISL001", "evaluation/main.tf", 47, 7),
    ],
    # template directives in a heredoc, an indented (<<-) heredoc, quoted strings and strings of the
    # JSON syntax are carried out, and what they write is placed at its own line: the external id
    # condition written only when one is given (none is), a deny whose loop writes a /0, a quoted
    # string that picks the placeholder; the snowflake role, correctly filled, has no finding
    "template_directives": [
        ("ISL001", "template_directives/main.tf", 31, 7),
        ("ISL006", "template_directives/main.tf", 54, 13),
        ("ISL003", "template_directives/main.tf", 113, 11),
        ("ISL001", "template_directives/vendor.tf.json", 9, 176),
        ("ISL001", "template_directives/vendor.tf.json", 9, 176),
    ],
    # aws_iam_role_policies_exclusive keeps only "read-only", which the module does not define, and
    # removes the deny (ISL015 where it is attached)
    "exclusive": [
        ("ISL015", "exclusive/main.tf", 14, 1),
        ("ISL009", "exclusive/main.tf", 29, 1),
    ],
}


def _lint(path: str) -> list[Finding]:
    result = run([path], Config())
    assert not result.internal_error, result.tracebacks
    return result.findings


def _rows(findings: list[Finding]) -> list[tuple[str, str, int, int]]:
    return [(f.rule, f.path.removeprefix(F), f.line, f.column) for f in findings]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(in_repo: str, name: str) -> None:
    assert _rows(_lint(F + name)) == EXPECTED[name]


def _messages(path: str, rule: str) -> list[str]:
    return [f.message for f in _lint(path) if f.rule == rule]


def test_for_each_instance_is_named(in_repo: str) -> None:
    findings = _lint(F + "for_each")
    assert [f.role for f in findings] == ['aws_iam_role.vendor["monitoring"]']
    assert 'role "aws_iam_role.vendor["monitoring"]"' in findings[0].message


def test_external_id_pinned_to_a_variable_without_default_is_enforced(in_repo: str) -> None:
    # split_files pins sts:ExternalId to var.external_id (no default): no ISL001/ISL009 about it
    assert [f.rule for f in _lint(F + "split_files")] == ["ISL006"]


def test_tfvars_override_the_defaults(in_repo: str) -> None:
    findings = _lint(F + "tfvars")
    assert not any(f.rule == "ISL003" for f in findings)  # the default "changeme" is overridden
    assert "'10.0.0.0/0' is /0" in findings[0].message


def test_access_key_names_the_user(in_repo: str) -> None:
    assert _messages(F + "access_key", "ISL007") == [
        'long-term access key for user "vendor-sync": give a vendor a role with an external id instead',
        'long-term access key for user "ci-deployer": give a vendor a role with an external id instead',
    ]


def test_broken_hcl_message(in_repo: str) -> None:
    assert _messages(F + "broken", "ISL000") == ["invalid HCL: missing ']'"]


def test_unresolved_file_says_why(in_repo: str) -> None:
    (message,) = _messages(F + "file_policy", "ISL009")
    assert "is outside the scanned tree and is not read" in message


def test_changed_file_brings_its_module(in_repo: str) -> None:
    """pre-commit names changed files: the module is read whole, findings are for their roles."""
    findings = _lint(F + "split_files/attachments.tf")
    assert _rows(findings) == [("ISL006", "split_files/policy.tf", 20, 7)]
    assert _lint(F + "jsonencode/main.tf") == _lint(F + "jsonencode")


def test_a_heredoc_marker_with_trailing_blanks_does_not_swallow_later_blocks(in_repo: str) -> None:
    """python-hcl2 alone would run the first heredoc on to the second ``POLICY`` and never see
    ``aws_iam_role.second`` (found by comparing its parse with tree-sitter-hcl's on the corpus)."""
    found = sorted((f.rule, f.line, f.column, f.role) for f in _lint(F + "heredoc_trailing_blanks"))
    assert found == [
        ("ISL001", 12, 3, "aws_iam_role.second"),
        ("ISL005", 2, 3, "aws_iam_role.first"),
        ("ISL005", 10, 3, "aws_iam_role.second"),
    ]
