"""## What it does
Reports an Allow of `sts:AssumeRoleWithWebIdentity` to an identity provider whose tokens are
told apart only by their audience (Google `accounts.google.com:aud`, Amazon Cognito identity pools
`cognito-identity.amazonaws.com:aud`, Facebook and Login with Amazon `…:app_id`) without a
condition that pins the audience to your own app or pool. `StringLike` with wildcards,
`…IfExists`, `ForAllValues:`, `Null` and negated operators do not pin.

## Why is this bad?
These issuers sign tokens for every app of every customer. Without the audience pinned, a token
that any app (or any Cognito identity pool, in any account) obtained for its users can assume
your role.

## Example
```json
{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
 "Principal": {"Federated": "cognito-identity.amazonaws.com"},
 "Condition": {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}
```

## Use instead
```json
{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
 "Principal": {"Federated": "cognito-identity.amazonaws.com"},
 "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012"},
               "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}
```

## References
- Condition keys for web identity federation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
- Cognito role trust: https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation
from .federated import audience_fix, claim_anchor, federated_grants, unknown_claim


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    for role, trust, grant in federated_grants(inventory, context):
        audience, issuer, host = grant.audience, grant.issuer, grant.host
        if host is not None and issuer is not None and issuer.audience is not None:
            yield from unknown_claim(role, trust, grant, audience, issuer.audience.claim)
        if audience is None or issuer is None or issuer.audience is None or host is None:
            continue
        if audience.state in ("pinned", "owner", "unknown"):
            continue
        key = f"{grant.key_prefix or host}:{issuer.audience.claim}"
        who = f" trusts {issuer.name} ({host})"
        if audience.state == "missing":
            message = f"{who} without a condition on {key}: {issuer.exposure} can assume it"
        else:
            message = f"{who}, but {key} is not pinned ({audience.reason}): {issuer.exposure} can assume it"
        yield Violation(
            message,
            claim_anchor(trust, grant, audience),
            role,
            trust,
            key,
            fix=audience_fix(issuer, grant.key_prefix or host),
        )


RULE = Rule(
    "ISL013",
    "federated-audience-not-pinned",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="pin the audience claim to your own app or identity pool with StringEquals",
    security_severity="8.6",
    fix_kind="condition",
    may_be_unverifiable=True,
)
