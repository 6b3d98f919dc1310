"""Template directives in heredocs and quoted strings: their bounds, unresolved parts and sensitive values.

What each directive form evaluates to is checked against Terraform itself in test_terraform_oracle.py;
where findings land inside a heredoc, in the template_directives fixture (test_terraform_hcl.py).
"""

from __future__ import annotations

from pathlib import Path

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.findings import Finding

TRUST = """
resource "aws_iam_role" "vendor" {
  name               = "vendor"
  assume_role_policy = <<-EOT
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
      "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
      "Condition": {"StringEquals": {"sts:ExternalId": "k7Qm2xVb9Lp4"}}}]}
  EOT
"""

# Every pair (i, j) but the first writes a comma, then the same vendor range. Each pass of a loop's
# body counts: OUTER + OUTER x 100 iterations.
LOOP_DENY = """
  inline_policy {
    name   = "deny"
    policy = <<-EOT
      {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": [
          %{~ for i in range(OUTER) ~}
          %{~ for j in range(100) }%{ if i + j > 0 },%{ endif }"44.192.28.0/24"%{ endfor ~}
          %{~ endfor ~}
         ]}}}
      ]}
    EOT
  }
}
"""


def _lint(folder: Path, text: str) -> list[Finding]:
    (folder / "main.tf").write_text(text)
    result = run([str(folder)], Config())
    assert not result.internal_error, result.tracebacks
    return result.findings


def test_template_loops_of_10000_iterations_are_rendered_and_more_make_the_policy_unknown(tmp_path: Path) -> None:
    (tmp_path / "bound").mkdir()
    (tmp_path / "past").mkdir()
    assert _lint(tmp_path / "bound", TRUST + LOOP_DENY.replace("OUTER", "99")) == []  # 9,999 iterations
    past = _lint(tmp_path / "past", TRUST + LOOP_DENY.replace("OUTER", "100"))  # 10,100
    assert [(f.rule, f.line, f.column) for f in past] == [("ISL009", 12, 5)]
    assert "template loops render more than 10,000 iterations" in past[0].message


def test_a_condition_on_an_unset_variable_makes_the_deny_unknown_not_absent(tmp_path: Path) -> None:
    module = (
        'variable "deny_enabled" {\n  type = bool\n}\n'
        + TRUST
        + """
  inline_policy {
    name   = "deny"
    policy = <<-EOT
      {"Version": "2012-10-17", "Statement": [
        %{~ if var.deny_enabled ~}
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["44.192.28.0/24"]}}}
        %{~ endif ~}
      ]}
    EOT
  }
}
"""
    )
    findings = _lint(tmp_path, module)
    assert [(f.rule, f.line, f.column) for f in findings] == [("ISL009", 15, 5)]
    assert "the condition of %{if var.deny_enabled} is not resolved" in findings[0].message


def test_a_sensitive_value_a_directive_template_writes_stays_sensitive(tmp_path: Path) -> None:
    module = """
variable "external_id" {
  type      = string
  default   = "changeme"
  sensitive = true
}

resource "aws_iam_role" "vendor" {
  name               = "vendor"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Sid": "DatadogAssumeRole",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "%{ if var.external_id != "" }${var.external_id}%{ endif }"}}
      }]
    }
  EOT
}
"""
    findings = [f for f in _lint(tmp_path, module) if f.rule == "ISL003"]
    assert [(f.line, f.column) for f in findings] == [(18, 40)]
    assert "(a sensitive value)" in findings[0].message and "changeme" not in findings[0].message
