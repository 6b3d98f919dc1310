"""## What it does
For a role trusting a vendor whose published egress ranges are configured
(`[tool.iam-saas-lint.vendors.NAME] source-ips = [...]`), compares the source-IP Deny's
allow-list with those ranges. Addresses the Deny admits outside the vendor's ranges are an
error; vendor ranges the Deny leaves out are a warning (the vendor's calls from there will fail).

## Why is this bad?
Addresses beyond the vendor's ranges let stolen credentials work from places the vendor does not
use. The Deny is only as tight as its allow-list. A range copied from another vendor, a typo, or
a range left over from an old egress setup lets stolen credentials work from addresses the
vendor does not use. A missing vendor range breaks the integration in ways that are hard to
trace.

## Example
With `source-ips = ["203.0.113.0/24"]` configured for Datadog:
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]}}}
```

## Use instead
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}
```

## References
- Deny access based on the source IP: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.cidrs import IPNetwork, parse_cidr, subtract
from ..model.document import Inventory
from ..model.vendors import registry
from .base import Context, Rule, Violation
from .roles import third_party_roles


def _networks(cidrs: tuple[str, ...]) -> list[IPNetwork]:
    return [n for n in (parse_cidr(c).network for c in cidrs) if n is not None]


def _shown(networks: list[IPNetwork]) -> str:
    return ", ".join(str(n) for n in networks)


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    vendors = registry(context.settings.vendors)
    if not vendors.any_source_ips:
        return  # no vendor's ranges are configured: nothing to compare (and no trust policy to analyse)
    for role, _ in third_party_roles(inventory, context):
        trusted = {
            vendor.name: vendor
            for grant in context.trust(role).grants
            for verdict in grant.third_parties
            if verdict.account and (vendor := vendors.by_account(verdict.account)) and vendor.source_ips is not None
        }
        if not trusted:
            continue
        published = _networks(tuple(ip for v in trusted.values() for ip in v.source_ips or ()))
        names = " and ".join(sorted(trusted))
        for document, deny in context.deny(role).candidates:
            if deny.holes or deny.unknowns:
                continue  # ISL006 and ISL009 speak for these
            allowed = _networks(deny.cidrs)
            path = deny.statement.path + ("Condition",)
            extra = subtract(allowed, published)
            if extra:
                yield Violation(
                    f": the source-IP Deny in {document.label} admits {_shown(extra)}, "
                    f"outside {names}'s published ranges",
                    document.anchor.child(*path),
                    role,
                    document,
                    f"admits {_shown(extra)}",
                )
            missing = subtract(published, allowed)
            if missing:
                yield Violation(
                    f": the source-IP Deny in {document.label} leaves out {names}'s "
                    f"{_shown(missing)}: the vendor's calls from there will fail",
                    document.anchor.child(*path),
                    role,
                    document,
                    f"leaves out {_shown(missing)}",
                    Severity.WARNING,
                )


RULE = Rule(
    "ISL011",
    "vendor-ip-mismatch",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="list exactly the vendor's published ranges in the Deny",
    security_severity="6.0",
    needs_permission_policies=True,
)
