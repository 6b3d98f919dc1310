"""CloudFormation deployed by a Terraform module (``aws_cloudformation_stack``/``_stack_set`` in HCL):
each way of writing ``template_body``, with exact rule ids and positions."""

from __future__ import annotations

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run

F = "fixtures/terraform/cloudformation_stacks/"


def test_each_template_body_is_read_with_the_parameters_terraform_passes(in_repo: str) -> None:
    result = run([F], Config())
    assert not result.internal_error, result.tracebacks
    found = [(f.rule, f.path.removeprefix(F), f.line, f.column, f.role) for f in result.findings]
    assert found == [
        # heredoc: positions inside it; the account comes from the variable Terraform passes
        ("ISL005", "main.tf", 25, 11, "aws_cloudformation_stack.heredoc/VendorRole"),
        ("ISL001", "main.tf", 29, 17, "aws_cloudformation_stack.heredoc/VendorRole"),
        # jsonencode: the /0 in the HCL that builds the StackSet's template
        ("ISL006", "main.tf", 74, 48, "aws_cloudformation_stack_set.members/MemberRole"),
        # templatefile: the substituted text is not in any file as written: the attribute
        ("ISL001", "main.tf", 87, 3, "aws_cloudformation_stack.templated/TemplatedRole"),
        ("ISL005", "main.tf", 87, 3, "aws_cloudformation_stack.templated/TemplatedRole"),
        # template_url: unknown, and handed the vendor's account
        ("ISL009", "main.tf", 93, 3, "aws_cloudformation_stack.remote"),
        ("ISL009", "main.tf", 93, 3, "aws_cloudformation_stack.remote"),
        # a heredoc with unresolved names: the rest is read, positions inside it
        ("ISL005", "main.tf", 109, 7, "aws_cloudformation_stack_set.holes/HoleRole"),
        # ... and where the names left as written are no YAML: plain words, positions at the attribute
        ("ISL001", "main.tf", 121, 3, "aws_cloudformation_stack_set.flow/FlowRole"),
        ("ISL005", "main.tf", 121, 3, "aws_cloudformation_stack_set.flow/FlowRole"),
        # file() of a JSON template: in that file, with the account the module passes
        ("ISL005", "templates/vendor-role.json", 7, 9, "aws_cloudformation_stack.from_json/JsonRole"),
        ("ISL001", "templates/vendor-role.json", 12, 15, "aws_cloudformation_stack.from_json/JsonRole"),
        # file(): in the template's own file, with the placeholder external id the module passes
        ("ISL003", "templates/vendor-role.yaml", 16, 30, "aws_cloudformation_stack.from_file/VendorRole"),
    ]
    assert "Datadog (464622532012)" in result.findings[1].message
    assert "Datadog (464622532012)" in result.findings[7].message
    assert "var.trusted is not declared in the module" in result.findings[8].message
    assert "https://example-bucket.s3.amazonaws.com/vendor-role.yaml" in result.findings[5].message
    assert sorted(note for note in result.notes if "read as part of" in note) == [
        f"{F}templates/vendor-role.{ending}: read as part of {F}main.tf, which deploys it, not on its own"
        for ending in ("json", "yaml")
    ]


def test_a_template_read_by_file_is_judged_alone_when_its_module_is_not_scanned(in_repo: str) -> None:
    # alone, its parameters have no value: the external id is pinned to one (enforced), its deny holds
    result = run([F + "templates/vendor-role.yaml"], Config())
    assert (result.findings, result.roles, result.notes) == ([], 1, [])
