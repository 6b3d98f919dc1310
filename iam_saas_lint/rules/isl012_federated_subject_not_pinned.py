"""## What it does
Reports an Allow of `sts:AssumeRoleWithWebIdentity` to an OIDC identity provider whose issuer is
shared between customers (GitHub Actions, gitlab.com, HCP Terraform, Buildkite, env0) without a
condition that pins the token's subject to your own scope: for GitHub `…:sub` = `repo:OWNER/…`,
for GitLab `project_path:GROUP/…`, for HCP Terraform and Buildkite `organization:ORG:…`. For an EKS
cluster's issuer the subject must name a service account (`system:serviceaccount:NS:SA`).
Wildcards that cross the owner (`repo:*`, `*`), `…IfExists`, `ForAllValues:`, `Null` and negated
operators do not pin. A `StringLike` that pins the owner but leaves the repository open passes,
or is a warning with `federated-subject-scope = "repository"`.

## Why is this bad?
Every customer of the service gets tokens from the same issuer, signed with the same key. An
external id does not apply to web identity: the subject claim is the only thing that tells your
workflows from anyone else's. A trust policy for `token.actions.githubusercontent.com` that checks
only `aud` lets every workflow of every repository on GitHub assume the role.

## Example
```json
{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}
```

## Use instead
```json
{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
               "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"}}}
```

## References
- Creating a role for web identity or OIDC federation: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
- Condition keys for web identity federation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
- GitHub: configuring OpenID Connect in AWS: https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws
- The issuers and the subject shapes the linter knows: `iam-saas-lint vendors` (iam_saas_lint/data/issuers.json)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Severity
from ..model.document import Inventory
from .base import Context, Rule, Violation
from .federated import claim_anchor, federated_grants, subject_fix, unknown_claim, unknown_provider


def check(inventory: Inventory, context: Context) -> Iterator[Violation]:
    repository_scope = context.settings.federated_subject_scope == "repository"
    for role, trust, grant in federated_grants(inventory, context):
        subject, issuer, host = grant.subject, grant.issuer, grant.host
        yield from unknown_provider(role, trust, grant)
        if host is not None and issuer is not None and issuer.subject is not None:
            yield from unknown_claim(role, trust, grant, subject, issuer.subject.claim)
        if subject is None or issuer is None or issuer.subject is None or host is None:
            continue
        if subject.state in ("pinned", "unknown") or (subject.state == "owner" and not repository_scope):
            continue
        key = f"{grant.key_prefix or host}:{issuer.subject.claim}"
        who = f" trusts {issuer.name} ({host})"
        if subject.state == "missing":
            message = f"{who} without a condition on {key}: {issuer.exposure} can assume it"
        elif subject.state == "weak":
            message = f"{who}, but {key} is not pinned ({subject.reason}): {issuer.exposure} can assume it"
        else:
            message = f"{who}: {subject.reason}, so every repository of that owner can assume it"
        yield Violation(
            message,
            claim_anchor(trust, grant, subject),
            role,
            trust,
            key,
            severity=Severity.WARNING if subject.state == "owner" else None,
            fix=subject_fix(issuer, grant.key_prefix or host),
        )


RULE = Rule(
    "ISL012",
    "federated-subject-not-pinned",
    Severity.ERROR,
    check,
    __doc__ or "",
    hint="pin the token's subject claim to your own owner (StringEquals, or StringLike with the owner spelled out)",
    security_severity="8.6",
    fix_kind="condition",
    may_be_unverifiable=True,
)
