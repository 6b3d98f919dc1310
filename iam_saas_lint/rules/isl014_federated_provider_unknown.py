"""## What it does
Reports a `Federated` OIDC principal whose issuer is neither in the linter's issuer registry nor
declared as yours in the configuration (`own-identity-providers`), so the claims its trust
policy must pin cannot be judged. Off by default: enable it with `--select ISL014`.

## Why is this bad?
Whether a web-identity trust is safe depends on who else gets tokens from the same issuer. For
your own identity provider (a self-managed GitLab, your company's IdP) that is only you; for a
hosted service it may be every one of its customers. The linter can only tell for issuers it knows.

## Example
```json
{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.example-ci.com"}}
```

## Use instead
Declare the issuer when it is yours:
```toml
[tool.iam-saas-lint]
own-identity-providers = ["oidc.example-ci.com"]
```
and pin the claims its documentation names for a shared one.

## References
- Creating OIDC identity providers: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
- Condition keys for web identity federation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation
from .federated import federated_grants


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, trust, grant in federated_grants(inventory, context):
        if grant.host is None or grant.issuer is not None or grant.own:
            continue
        yield Violation(
            f" trusts the identity provider {grant.host}, which is neither in the issuer registry "
            "nor in own-identity-providers: its claims cannot be judged",
            trust.anchor.child(*grant.principal.path),
            role,
            trust,
            grant.host,
        )


RULE = Rule(
    "ISL014",
    "federated-provider-unknown",
    Severity.WARNING,
    check,
    __doc__ or "",
    enabled_by_default=False,
    hint="declare the issuer in own-identity-providers if it is yours, or pin the claims its documentation names",
    security_severity="4.0",
)
