"""## What it does
Reports a source-IP Deny, attached to a role a third party can assume, that leaves a hole:
`Action` or `Resource` not `*` (or `NotAction`, `NotResource`), `IpAddress` instead of
`NotIpAddress`, an extra ANDed condition that narrows it (`Bool aws:ViaAWSService false`, from
AWS's older example, and other conditions that hold for every request of the role's session are
accepted), a `/0` or `::/0` range, or a malformed CIDR. Every Deny of the role is evaluated together over actions,
resources and addresses, so Denies that cover everything only together (`Action s3:*` plus
`NotAction s3:*`) pass. The allow-list is judged by its union per address family: admitting every
public IPv4 or IPv6 address is like `/0`, and a union broader than `widest-source-ip-range`
(default a /8 and a /32) is broader than any vendor's egress. A Deny that lets no request from
the internet through (`NotIpAddress aws:VpcSourceIp`, only private ranges) is a warning: the
role is unusable from the internet.

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
from ..model.document import Inventory, PolicyDocument, Role
from ..model.source_ip import IpDeny
from ..model.source_ip_verdict import SourceIpVerdict
from .base import Context, Rule, Unverifiable, Violation
from .roles import third_party_roles, vendor_cidrs


def _usable_cidrs(deny: IpDeny) -> list[str]:
    """The deny's public, well-formed ranges: what a corrected Deny can keep."""
    kept = []
    for text in deny.cidrs:
        parsed = parse_cidr(text)
        if parsed.span is not None and not parsed.problem and not is_non_public(parsed.span):
            kept.append(text)
    return kept


def _ip_condition(deny: IpDeny) -> tuple[tuple[str | int, ...], str]:
    """Where the Deny compares the caller's address, and why no internet request gets through it."""
    for entry in deny.statement.conditions:
        if entry.key_lower == "aws:vpcsourceip":
            return (
                entry.path,
                "aws:VpcSourceIp is absent from every request over the internet, so NotIpAddress on it is true",
            )
    for entry in deny.statement.conditions:
        if entry.key_lower == "aws:sourceip":
            return entry.path, "the allow-list admits no public address: private ranges never appear as aws:SourceIp"
    return deny.statement.path + ("Condition",), "no public address is admitted"


def _unusable(role: Role, candidates: tuple[tuple[PolicyDocument, IpDeny], ...]) -> Iterator[Violation]:
    """Points at the Deny that shuts the internet out: one on aws:VpcSourceIp or with only private ranges."""
    chosen = candidates[0]
    for document, deny in candidates:
        keys = {entry.key_lower for entry in deny.statement.conditions}
        private_only = deny.cidrs and not _usable_cidrs(deny)
        if "aws:vpcsourceip" in keys or private_only:
            chosen = (document, deny)
            break
    document, deny = chosen
    path, why = _ip_condition(deny)
    yield Violation(
        f": the source-IP Deny in {document.label} denies every request from the internet "
        f"({why}): the role is unusable from the internet",
        document.anchor.child(*path),
        role,
        document,
        "unusable",
        Severity.WARNING,
    )


def _doubt(role: Role, trust: PolicyDocument, verdict: SourceIpVerdict) -> Iterator[Violation]:
    """Whether the Denies stop every request from outside depends on an unresolved value."""
    found = verdict.doubt
    if verdict.state != "doubt" or found is None:
        return
    document = found.document
    label = document.label if document is not None else "a permission policy"
    yield Unverifiable(
        f": cannot tell whether the source-IP Deny in {label} is effective: {found.doubt.reason}",
        document.anchor.child(*found.doubt.path) if document is not None else trust.anchor,
        role,
        document or trust,
        label,
    )


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, trust in third_party_roles(inventory, context):
        verdict = context.source_ip(role)
        yield from _doubt(role, trust, verdict)
        if verdict.state not in ("unusable", "hole"):
            continue
        candidates = context.deny(role).candidates  # each Deny alone: asked for only here
        if verdict.state == "unusable" and candidates:
            yield from _unusable(role, candidates)
        if verdict.state != "hole" or not candidates:
            continue
        with_holes = [(document, deny) for document, deny in candidates if deny.holes]
        for document, deny in with_holes:
            reasons = "; ".join(hole.reason for hole in deny.holes)
            cidrs = vendor_cidrs(role, context) or _usable_cidrs(deny)
            yield Violation(
                f": the source-IP Deny in {document.label} leaves a hole: {reasons}",
                document.anchor.child(*deny.holes[0].path),
                role,
                document,
                document.label,
                fix=source_ip_deny(cidrs),
            )
        if not with_holes:
            # each Deny is sound alone, but together they admit too much (their allow-lists' union)
            document, deny = candidates[0]
            yield Violation(
                f": the source-IP Denies leave a hole: {'; '.join(verdict.reasons)}",
                document.anchor.child(*_ip_condition(deny)[0]),
                role,
                document,
                "together",
                fix=source_ip_deny(vendor_cidrs(role, context) or _usable_cidrs(deny)),
            )


RULE = Rule(
    "ISL006",
    "ineffective-source-ip-deny",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="make the Deny cover Action * and Resource *, with only NotIpAddress aws:SourceIp and public vendor CIDRs",
    security_severity="7.5",
    needs_permission_policies=True,
    fix_kind="statement",
    may_be_unverifiable=True,
)
