"""## What it does
Reports a verdict that depends on a value the linter could not resolve: an external id condition
whose operator or value is unknown, a source-IP Deny whose address list or action is unknown, a
policy attached to a vendor role that is not in the scanned tree, or a web-identity trust whose
provider or subject pattern is unresolved. It names the value. It is not
raised when the outcome does not depend on the value: `StringEquals sts:ExternalId` pinned to a
parameter enforces an external id whatever the parameter holds.

## Why is this bad?
A security check that passes what it could not read gives false assurance. This finding says
exactly what to make visible (a parameter default, the policy file) so the check can decide.

## Example
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": {"Ref": "VendorCidrs"}}}}
```
with a `VendorCidrs` parameter that has no `Default`.

## Use instead
Give the parameter a default with the vendor's published ranges, or keep the list in the
template:
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}
```

## References
- Deny access based on the source IP: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-ip.html
"""

from __future__ import annotations

from ..findings import Severity
from .base import Rule

# No check of its own: every rule reports the verdicts it cannot reach as ``Unverifiable``
# violations under this rule (ISL001 for who can assume a role and with which external id, ISL005
# and ISL006 for the source-IP Deny, ISL012 and ISL013 for web-identity claims).
RULE = Rule(
    "ISL009",
    "unverifiable",
    Severity.WARNING,
    None,
    __doc__ or "",
    hint="make the value visible to the linter (a parameter default, the policy file) so it can decide",
    security_severity="3.0",
)
