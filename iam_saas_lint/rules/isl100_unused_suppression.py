"""## What it does
Reports a suppression that no longer matches any finding: an `# iam-saas-lint: ignore[...]`
comment, or an `ignore` entry in a CloudFormation resource's `Metadata`.

## Why is this bad?
Suppressions outlive the problems they hid. A stale one hides the next real problem on that line
or role without anyone deciding to accept it.

## Example
```yaml
# iam-saas-lint: ignore[ISL005] vendor Deny is attached by the org SCP
AssumeRolePolicyDocument:   # ... and the role now has its own Deny
```

## Use instead
Remove the comment once the finding it was written for is gone.

## References
- Policy evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..findings import Severity
from .base import Rule, SuppressionUse, Violation, suppression_violation


def check_suppressions(uses: Sequence[SuppressionUse]) -> Iterator[Violation]:
    for use in uses:
        if not use.used and use.checked:
            yield suppression_violation(use.suppression, "matches no finding")


RULE = Rule(
    "ISL100",
    "unused-suppression",
    Severity.WARNING,
    None,
    __doc__ or "",
    hint="remove the suppression",
    security_severity="2.0",
    check_suppressions=check_suppressions,
)
