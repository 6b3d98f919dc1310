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
from ..model.document import Inventory, Problem
from ..model.values import Anchor, At
from .base import Context, Rule, Violation
from .grammar import kind_errors, schema_errors
from .rejected_forms import rejected_forms


def problem_violation(problem: Problem) -> Violation:
    """A file that could not be read, or the tool's own failure on it."""
    return Violation(problem.message, Anchor(problem.file, (), At(problem.span)))


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for problem in inventory.problems:
        yield problem_violation(problem)
    for document in inventory.all_documents():
        for error in [*schema_errors(document.data), *kind_errors(document), *rejected_forms(document.data)]:
            yield Violation(
                f"{document.label}: {error.message}",
                document.anchor.child(*error.path),
                document=document,
                concerns="/".join(str(key) for key in error.path if not isinstance(key, int)),
            )


RULE = Rule(
    "ISL000",
    "invalid-document",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="fix the document so that it parses and follows the IAM policy grammar",
    security_severity="3.0",
    hints_by_cause=(
        ("no such file or folder", "check the path: nothing exists there (a typo, or a file not created yet)"),
        ("internal error", "report it with the output of --debug; the other files were linted"),
        ("cannot read the", "let the user who runs the linter read it, or leave it out with exclude"),
        ("(max-file-size)", "split the file, or raise max-file-size in the configuration if it must be this large"),
        ("too large for the HCL parser", "split the file, or raise max-file-size in the configuration"),
        ("not valid UTF-8", "save the file as UTF-8 text"),
        ("NUL bytes", "save the file as UTF-8 text, or leave it out with exclude if it is not a policy"),
        ("bc-python-hcl2", "pip uninstall bc-python-hcl2 and pip install python-hcl2 where the linter runs"),
        ("levels deep", "flatten the document: no IAM policy nests that deeply"),
        ("nested too deeply", "flatten the document: no IAM policy nests that deeply"),
        ("nodes", "write the YAML without aliases that expand to so many nodes"),
        ("steps", "simplify the module's expressions: a real module evaluates in far fewer steps"),
        ("elements", "simplify the module's values: a real module has no value that large"),
        ("characters (at", "simplify the module's values: a real module has no text that large"),
        ("outside the scanned tree", "keep the files the module reads inside the scanned folder"),
    ),
)
