"""## What it does
Reports a source-IP Deny, attached to a role a third party can assume, that leaves a hole:
`Action` or `Resource` not `*` (or `NotAction`, `NotResource`), `IpAddress` instead of
`NotIpAddress`, an extra ANDed condition that narrows it (`Bool aws:ViaAWSService false`, from
AWS's older example, is accepted), a `/0` or `::/0` range, only private, loopback, link-local or
CGNAT ranges, or a malformed CIDR.

## Why is this bad?
Each hole lets a stolen vendor session work from somewhere else. The Deny is what makes a stolen
vendor session useless elsewhere. Each of these leaves a way around it: the actions or resources
it does not cover, the addresses it admits, or the requests its extra condition exempts (`Null
aws:SourceIp false` exempts every request through a VPC endpoint). Private ranges never appear
as `aws:SourceIp` for calls over the internet, so such a list denies nothing useful.

## Example
```json
{"Effect": "Deny", "Action": "s3:*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": ["0.0.0.0/0"]}}}
```

## Use instead
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.7"]}}}
```

## References
- Deny access based on the source IP: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html
- Global condition keys, aws:SourceIp: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..fixes import source_ip_deny
from ..model.cidrs import is_non_public, parse_cidr
from ..model.document import Inventory
from ..model.source_ip import IpDeny
from .base import Context, Rule, Violation
from .roles import role_label, third_party_roles, vendor_cidrs


def _usable_cidrs(deny: IpDeny) -> list[str]:
    """The deny's public, well-formed ranges: what a corrected Deny can keep."""
    kept = []
    for text in deny.cidrs:
        parsed = parse_cidr(text)
        if parsed.network is not None and not parsed.problem and not is_non_public(parsed.network):
            kept.append(text)
    return kept


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, _, analysis in third_party_roles(inventory, context):
        verdict = context.deny(role)
        if verdict.effective:
            continue
        for document, deny in verdict.candidates:
            if not deny.holes:
                continue
            reasons = "; ".join(hole.reason for hole in deny.holes)
            cidrs = vendor_cidrs(analysis, context) or _usable_cidrs(deny)
            yield Violation(
                f"{role_label(role)}: the source-IP Deny in {document.label} leaves a hole: {reasons}",
                document.anchor.child(*deny.holes[0].path),
                role.name,
                fix=source_ip_deny(cidrs),
                syntax=document.syntax,
            )


RULE = Rule(
    "ISL006",
    "ineffective-source-ip-deny",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="make the Deny cover Action * and Resource *, with only NotIpAddress aws:SourceIp and public vendor CIDRs",
    security_severity="7.5",
)
