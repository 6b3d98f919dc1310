"""## What it does
Reports a role that a third party can assume and that has no explicit Deny among its permission
policies (inline, attached or permissions boundary) denying every action when `aws:SourceIp` is
outside the vendor's addresses.

## Why is this bad?
If the vendor's credentials or infrastructure are compromised, the attacker can use your role
from anywhere. A Deny on `NotIpAddress aws:SourceIp` makes stolen sessions useless outside the
vendor's network. An Allow with `IpAddress` does not do this (another Allow still applies), and an
IP condition in the trust policy only gates `sts:AssumeRole`: the session it issues works from any
address for up to twelve hours.

## Example
A role trusting `arn:aws:iam::464622532012:root` with an external id, and only this policy:
```json
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": ["cloudwatch:Get*", "cloudwatch:List*"], "Resource": "*"}]}
```

## Use instead
Attach a Deny as well:
```json
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]}
```

## References
- Deny access based on the source IP: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html
- Policy evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..fixes import source_ip_deny
from ..model.document import Inventory
from ..model.source_ip import ip_allows
from .base import Context, Rule, Unverifiable, Violation
from .roles import third_party_roles, vendor_cidrs


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, trust in third_party_roles(inventory, context):
        verdict = context.source_ip(role)
        if verdict.state in ("hole", "doubt"):
            for policy in verdict.unresolved:
                yield Unverifiable(
                    f": cannot tell whether a source-IP Deny is attached: {policy.label} cannot "
                    f"be resolved ({policy.reason})",
                    policy.anchor,
                    role,
                    concerns=policy.label,
                )
        if verdict.state != "hole" or verdict.unresolved or context.deny(role).candidates:
            continue
        notes = []
        if context.trust(role).ip_conditions:
            notes.append(
                "the aws:SourceIp condition in the trust policy only gates AssumeRole; "
                "the session works from anywhere once issued"
            )
        if any(ip_allows(document.data) for document in role.policies):
            notes.append("an Allow with IpAddress does not deny other addresses")
        why = f" ({'; '.join(notes)})" if notes else ""
        who = context.trust_verdict(role).who
        yield Violation(
            f" trusts {who} but no permission policy denies all actions from outside "
            f"the vendor's addresses (Deny * with NotIpAddress aws:SourceIp){why}",
            trust.anchor,
            role,
            trust,
            fix=source_ip_deny(vendor_cidrs(role, context)),
        )


RULE = Rule(
    "ISL005",
    "missing-source-ip-deny",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="attach a Deny on Action * and Resource * with NotIpAddress aws:SourceIp listing the vendor's ranges",
    security_severity="7.5",
    needs_permission_policies=True,
    fix_kind="statement",
    may_be_unverifiable=True,
)
