"""``iam-saas-lint suggest --vendor github-actions --repo OWNER/REPO``: a web-identity trust to start
from, with the subject pinned to the owner (and the audience, for issuers whose audience is yours),
and the lines ``iam-saas-lint vendors`` prints for the issuer registry."""

from __future__ import annotations

import json
import re

from .fixes import _hcl_value, _yaml
from .model.issuers import Issuer, builtin_issuers, has_wildcard
from .patterns import lazy_compile

FORMATS = ("json", "cloudformation", "terraform")
_NAME_PART = lazy_compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PLACEHOLDER_LABEL = "EXAMPLE"


class SuggestError(ValueError):
    """The arguments cannot make a trust that pins the issuer's claims."""


def split_repo(issuer: Issuer, repo: str | None) -> tuple[str, str]:
    """``OWNER/REPO`` (GitLab: ``GROUP/PROJECT``, HCP Terraform: ``ORG/WORKSPACE``…); the repository may be ``*``."""
    if issuer.subject is None:
        return "", ""
    if repo is None:
        raise SuggestError(f"{issuer.name} needs --repo OWNER/REPO: the {issuer.subject.scope} its tokens must name")
    owner, slash, repository = repo.partition("/")
    if not slash or not _NAME_PART.match(owner) or not repository:
        raise SuggestError(f"--repo {repo!r}: expected OWNER/REPO, with the owner spelled out")
    if repository != "*" and not all(_NAME_PART.match(part) for part in repository.split("/")):
        raise SuggestError(f"--repo {repo!r}: the repository is a name, or * for every repository of the owner")
    return owner, repository


def _host(issuer: Issuer) -> str:
    return issuer.hosts[0].replace("*", _PLACEHOLDER_LABEL)


def conditions(issuer: Issuer, owner: str, repository: str) -> dict[str, dict[str, object]]:
    host = _host(issuer)
    found: dict[str, dict[str, object]] = {}
    if issuer.audience is not None:
        found.setdefault("StringEquals", {})[f"{host}:{issuer.audience.claim}"] = issuer.audience.value
    if issuer.subject is not None:
        value = issuer.subject.suggest.format(owner=owner, repository=repository)
        operator = "StringLike" if has_wildcard(value) else "StringEquals"
        found.setdefault(operator, {})[f"{host}:{issuer.subject.claim}"] = value
    return found


def _principal(issuer: Issuer, account: str) -> str:
    host = _host(issuer)
    if issuer.builtin:
        return host  # accounts.google.com, cognito-identity.amazonaws.com: providers IAM knows by name
    return f"arn:aws:iam::{account}:oidc-provider/{host}"


def trust_policy(issuer: Issuer, owner: str, repository: str, account: str = "ACCOUNT_ID") -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": _principal(issuer, account)},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": conditions(issuer, owner, repository),
            }
        ],
    }


def _identifier(*parts: str) -> str:
    words = [w for part in parts for w in re.findall(r"[A-Za-z0-9]+", part)]
    return "".join(w[:1].upper() + w[1:] for w in words) or "WebIdentity"


def _snake(*parts: str) -> str:
    return "_".join(w.lower() for part in parts for w in re.findall(r"[A-Za-z0-9]+", part)) or "web_identity"


def _json(issuer: Issuer, owner: str, repository: str) -> str:
    return json.dumps({"trust.json": trust_policy(issuer, owner, repository)}, indent=2) + "\n"


def _cloudformation(issuer: Issuer, owner: str, repository: str) -> str:
    trust = trust_policy(issuer, owner, repository, "${AWS::AccountId}")
    statement = trust["Statement"][0]  # type: ignore[index]
    principal = statement["Principal"]["Federated"]
    if principal.startswith("arn:"):
        statement["Principal"]["Federated"] = {"Fn::Sub": principal.replace("arn:aws:", "arn:${AWS::Partition}:", 1)}
    name = _identifier(issuer.id, repository if repository != "*" else owner)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Role that {issuer.name} can assume for {owner}/{repository} (web identity, subject pinned)",
        "Resources": {f"{name}Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}}},
    }
    return "\n".join(_yaml(template)) + "\n"


def _terraform(issuer: Issuer, owner: str, repository: str) -> str:
    name = _snake(issuer.id, repository if repository != "*" else owner)
    principal = _principal(issuer, "__ACCOUNT__")
    identifier = json.dumps(principal).replace("__ACCOUNT__", "${data.aws_caller_identity.current.account_id}")
    blocks = []
    for test, entries in conditions(issuer, owner, repository).items():
        for variable, value in entries.items():
            blocks.append(
                "    condition {\n"
                f"      test     = {json.dumps(test)}\n"
                f"      variable = {json.dumps(variable)}\n"
                f"      values   = [{_hcl_value(value, 0)}]\n"
                "    }\n"
            )
    return (
        'data "aws_caller_identity" "current" {}\n\n'
        f'data "aws_iam_policy_document" "{name}_trust" {{\n'
        "  statement {\n"
        '    actions = ["sts:AssumeRoleWithWebIdentity"]\n'
        "    principals {\n"
        '      type        = "Federated"\n'
        f"      identifiers = [{identifier}]\n"
        "    }\n" + "".join(blocks) + "  }\n"
        "}\n\n"
        f'resource "aws_iam_role" "{name}" {{\n'
        f'  name               = "{name.replace("_", "-")}"\n'
        f"  assume_role_policy = data.aws_iam_policy_document.{name}_trust.json\n"
        "}\n"
    )


def suggest_web_identity(issuer: Issuer, output: str, repo: str | None) -> str:
    owner, repository = split_repo(issuer, repo)
    render = {"json": _json, "cloudformation": _cloudformation, "terraform": _terraform}[output]
    return render(issuer, owner, repository)


def issuer_lines() -> list[str]:
    """One line per issuer for ``iam-saas-lint vendors``."""
    lines = []
    for issuer in builtin_issuers():
        pins = []
        if issuer.subject is not None and issuer.subject.required:
            pins.append(f"{issuer.subject.claim} = {issuer.subject.example}")
        if issuer.audience is not None and issuer.audience.shared:
            pins.append(f"{issuer.audience.claim} = {issuer.audience.what}")
        need = f"pin {'; '.join(pins)}" if pins else "the issuer URL names the customer"
        lines.append(f"{issuer.id}: {issuer.name} (OIDC {', '.join(issuer.hosts)}; {issuer.tenancy}): {need}")
    return lines


def describe_issuer(issuer: Issuer) -> list[str]:
    lines = [f"{issuer.name} ({issuer.id})", f"  issuer: {', '.join(issuer.hosts)} ({issuer.tenancy})"]
    if issuer.subject is not None:
        needed = "must be pinned" if issuer.subject.required else "optional: the issuer URL names the customer"
        lines.append(f"  subject: {issuer.subject.claim}, {needed}, to the {issuer.subject.scope}")
        lines.append(f"    example: {issuer.subject.example}")
    if issuer.audience is not None:
        audience = issuer.audience
        pinned = f", must be pinned to {audience.what}" if audience.shared else f" ({audience.value})"
        lines.append(f"  audience: {audience.claim}{pinned}")
    lines.append(f"  unpinned: {issuer.exposure} can assume the role")
    lines.extend(f"  source: {link}" for link in issuer.docs)
    return lines
