"""## What it does
Reports a suppression that gives no reason: `# iam-saas-lint: ignore[ISL005]` with nothing after
it, or a `Metadata` ignore entry without `reason`. The suppression still applies.

## Why is this bad?
A reviewer cannot tell an accepted risk from a silenced alarm. The reason is what lets the next
person decide whether the suppression still holds.

## Example
```yaml
# iam-saas-lint: ignore[ISL005]
```

## Use instead
```yaml
# iam-saas-lint: ignore[ISL005] the Deny lives in the organization's SCP (scp/vendor-ips.json)
```

## References
- Service control policies: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..findings import Severity
from .base import Rule, SuppressionUse, Violation, suppression_violation


def check_suppressions(uses: Sequence[SuppressionUse]) -> Iterator[Violation]:
    for use in uses:
        if not use.suppression.reason:
            yield suppression_violation(use.suppression, "gives no reason")


RULE = Rule(
    "ISL101",
    "suppression-without-reason",
    Severity.WARNING,
    None,
    __doc__ or "",
    hint="say after the rule list why the finding is accepted",
    security_severity="2.0",
    check_suppressions=check_suppressions,
)
