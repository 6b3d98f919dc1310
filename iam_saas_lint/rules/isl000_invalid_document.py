"""## What it does
Reports a file that looks like IAM but cannot be read, and a policy document that breaks the
IAM policy grammar: a bad `Effect`, an unknown element, a wrong type, duplicate keys.

## Why is this bad?
A linter that cannot read a policy cannot vouch for it, and silence would look like a pass.
Duplicate keys are worse than untidy: JSON parsers disagree on which copy wins, so the policy
that AWS enforces may not be the one a reviewer reads.

## Example
```json
{"Version": "2012-10-17",
 "Statement": [{"Effect": "allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}]}
```

## Use instead
```json
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
                "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3d4e5"}}}]}
```

## References
- IAM JSON policy grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- Effect element: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation
from .grammar import kind_errors, schema_errors
from .rejected_forms import rejected_forms


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for document in inventory.all_documents():
        for error in [*schema_errors(document.data), *kind_errors(document), *rejected_forms(document.data)]:
            yield Violation(f"{document.label}: {error.message}", document.anchor.child(*error.path))


RULE = Rule(
    "ISL000",
    "invalid-document",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="fix the document so that it parses and follows the IAM policy grammar",
    security_severity="3.0",
)
