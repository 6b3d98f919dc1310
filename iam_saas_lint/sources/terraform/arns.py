"""IAM ARNs written out in a module, matched against the roles and policies it declares.

A policy's ARN is ``arn:<partition>:iam::<account>:policy<path><name>``: a literal ARN names a
policy of the module only if its account is the module's own, its path the policy's ``path``
(``/`` by default) and its name the policy's ``name``. The module's own account is the one
``data.aws_caller_identity`` reads, or the ``allowed_account_ids`` of its ``aws`` providers; where
the module does not tell, an ARN of another account that otherwise matches is unknown.
"""

from __future__ import annotations

from ...model.values import OWN_ACCOUNT, Unknown
from ...patterns import lazy_compile
from ...records import dataclass

_IAM_ARN = lazy_compile(r"^arn:[^:]*:iam::([^:]*):(policy|role)(/(?:[^/]*/)*)([^/]+)$")


@dataclass(frozen=True)
class IamArn:
    account: str
    kind: str  # "policy" | "role"
    path: str  # "/" or "/a/b/"
    name: str


def parse_iam_arn(text: str) -> IamArn | None:
    found = _IAM_ARN.match(text)
    if found is None:
        return None
    account, kind, path, name = found.groups()
    return IamArn(account, kind, path, name)


def matches(arn: IamArn, name: object, path: object, own_accounts: frozenset[str] | None) -> bool | Unknown:
    """Whether ``arn`` names the declared role or policy of ``name`` and ``path`` (as evaluated)."""
    declared_path = path if isinstance(path, str) else "/" if path is None else None
    if not isinstance(name, str) or declared_path is None:
        what = name if isinstance(name, Unknown) else path if isinstance(path, Unknown) else None
        return Unknown(f"whether {arn_text(arn)} names it is not resolved ({what or 'its name or path'})")
    if name != arn.name or declared_path != arn.path:
        return False
    if arn.account == OWN_ACCOUNT or (own_accounts is not None and arn.account in own_accounts):
        return True
    if own_accounts is not None:
        return False
    return Unknown(
        f"{arn_text(arn)} names account {arn.account}, and the module does not say which account it deploys "
        "into (data.aws_caller_identity or the provider's allowed_account_ids)"
    )


def arn_text(arn: IamArn) -> str:
    account = "(own account)" if arn.account == OWN_ACCOUNT else arn.account
    return f"arn:…:iam::{account}:{arn.kind}{arn.path}{arn.name}"
