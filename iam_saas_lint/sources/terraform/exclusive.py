"""The AWS provider's exclusive attachments: which policies a role keeps once Terraform applies.

Some resources and arguments own a role's policies exclusively and remove, on every apply, what
they do not list:

- ``inline_policy`` blocks on ``aws_iam_role`` own its inline policies (an empty
  ``inline_policy {}`` removes them all), ``aws_iam_role_policies_exclusive`` likewise;
- ``managed_policy_arns`` on ``aws_iam_role`` owns its managed policies (even when ``[]``),
  ``aws_iam_role_policy_attachments_exclusive`` likewise;
- ``aws_iam_policy_attachment`` owns every attachment of its policy across the account: the
  policy is detached from each role it does not list.

A policy attached by another resource and not listed by an owner loses: it does not count, and
the role records it as detached with the reason, at the attachment. Where an owner's list is not
resolved, whether the policy stays is unknown.
"""

from __future__ import annotations

from ...model.document import DetachedPolicy, PolicyDocument, UnresolvedPolicy
from ...model.values import Anchor, Unknown
from ...records import dataclass, field
from .graph_documents import only_allows
from .values import ResourceAttr


@dataclass
class Attached:
    """One policy a role gets from one place of the configuration."""

    #: The policy's name (inline) or ARN value (managed) as written: a string, ``ResourceAttr`` or ``Unknown``.
    key: object
    document: PolicyDocument | UnresolvedPolicy
    #: What attaches it: a resource address, or ``inline_policy``/``managed_policy_arns of <role>``.
    source: str
    #: Where the attachment is written (what is reported when it loses).
    anchor: Anchor


@dataclass
class Owner:
    """A resource or argument that owns a role's inline or managed policies exclusively."""

    what: str
    #: The names or the attached ARNs it keeps; ``Unknown`` when the list is not resolved.
    keeps: list[Attached] | list[object] | Unknown
    #: Attachments that are the owner's own (never removed by it).
    source: str = ""
    empty_note: str = ""
    #: Why it removes what it does not keep, when not because it owns the role's policies.
    explain: str = ""


@dataclass
class Outcome:
    kept: list[Attached] = field(default_factory=list)
    detached: list[DetachedPolicy] = field(default_factory=list)


def _same_policy(one: Attached, other: Attached) -> bool:
    if one.document is other.document:
        return True
    first, second = _arn_text(one.key), _arn_text(other.key)
    return first is not None and first == second


def _arn_text(key: object) -> str | None:
    if isinstance(key, ResourceAttr):
        known = key.text()
        return known if isinstance(known, str) else None
    return key if isinstance(key, str) else None


def _listed(attached: Attached, owner: Owner, inline: bool) -> bool | Unknown:
    keeps = owner.keeps
    if isinstance(keeps, Unknown):
        return keeps
    unknown: Unknown | None = None
    for item in keeps:
        if isinstance(item, Attached):
            if _same_policy(attached, item):
                return True
            if isinstance(item.document, UnresolvedPolicy) and _arn_text(item.key) is None:
                unknown = unknown or item.document.reason
        elif isinstance(item, Unknown):
            unknown = unknown or item
        elif inline and isinstance(attached.key, str) and item == attached.key:
            return True
    if inline and isinstance(attached.key, Unknown):
        return attached.key
    return unknown if unknown is not None else False


def _name(attached: Attached, inline: bool = False) -> str:
    key = attached.key
    if isinstance(key, str) and key:
        return f"the inline policy {key}" if inline else key
    return attached.document.label


def settle(role: str, attached: list[Attached], owners: list[Owner], inline: bool) -> Outcome:
    """What stays of ``attached`` once every owner has removed what it does not list."""
    outcome = Outcome()
    for item in attached:
        verdict: bool | Unknown = True
        for owner in owners:
            if owner.source and item.source == owner.source:
                continue
            found = _listed(item, owner, inline)
            if found is False:
                name = _name(item, inline)
                listed = f"does not list {name}"
                if owner.empty_note and not owner.keeps:
                    listed += f" ({owner.empty_note})"
                kind = "inline" if inline else "managed"
                why = owner.explain or f"owns the {kind} policies of {role} and {listed}"
                reason = f"{owner.what} {why}: Terraform removes {name} ({item.source}) from {role} on apply"
                outcome.detached.append(DetachedPolicy(name, item.source, reason, item.anchor))
                verdict = False
                break
            if isinstance(found, Unknown) and verdict is True:
                verdict = Unknown(f"{owner.what} may remove {_name(item)} from {role} ({found})")
        if verdict is True:
            outcome.kept.append(item)
        elif isinstance(verdict, Unknown):
            document = item.document
            if isinstance(document, PolicyDocument) and only_allows(document):
                outcome.kept.append(item)
            else:
                unresolved = UnresolvedPolicy(document.label, verdict, item.anchor)
                outcome.kept.append(Attached(item.key, unresolved, item.source, item.anchor))
    return outcome


def policy_attachment_owners(
    role_address: str, attached: list[Attached], exclusive: list[tuple[str, list[Attached], bool | Unknown]]
) -> list[Owner]:
    """Owners from ``aws_iam_policy_attachment``: one per resource whose policy the role has but
    whose ``roles`` do not name the role (``in_roles`` False, or unknown)."""
    owners: list[Owner] = []
    for address, policies, in_roles in exclusive:
        if in_roles is True:
            continue
        if not any(_same_policy(item, policy) for item in attached for policy in policies):
            continue
        keeps: list[Attached] | Unknown = [
            item for item in attached if not any(_same_policy(item, policy) for policy in policies)
        ]
        if isinstance(in_roles, Unknown):
            keeps = in_roles
        explain = (
            f"attaches its policy exclusively across the account, and only to the roles it names, not {role_address}"
        )
        owners.append(Owner(address, keeps, address, "", explain))
    return owners
