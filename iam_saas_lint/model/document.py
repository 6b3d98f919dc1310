"""Policy documents, roles and the inventory that readers build and rules inspect."""

from __future__ import annotations

from typing import Literal

from ..patterns import lazy_compile
from ..records import dataclass, field
from .values import Anchor, JsonPath, Span, Unknown

DocumentKind = Literal["trust", "permissions", "boundary", "resource"]
#: How the document is written in its file; fix suggestions are rendered in the same syntax.
Syntax = Literal["json", "cloudformation-yaml", "cloudformation-json", "terraform-jsonencode", "terraform-document"]


@dataclass(frozen=True)
class PolicyDocument:
    """One IAM policy document as data (dicts, lists, strings and ``Unknown``)."""

    data: object
    kind: DocumentKind
    label: str
    anchor: Anchor
    syntax: Syntax = "json"

    def element(self, path: JsonPath) -> str:
        """The identity of what ``path`` (inside this document) points into: the document's label,
        and the statement's ``Sid`` or a hash of its content; never its index, so that reordering
        statements keeps it."""
        statement = _statement_at(self.data, path)
        if statement is None:
            return self.label
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            return f"{self.label}#sid:{sid}"
        from ..digest import sha256_hex  # here: a run without findings does not need it

        items = statement.items()
        # text keys alone (the usual statement) sort by themselves: keys are unique, values never compared
        plain = all(type(key) is str for key in statement)
        content = repr(sorted(items) if plain else sorted(items, key=_key_order))
        return f"{self.label}#sha:{sha256_hex(content.encode('utf-8', 'surrogatepass'))[:16]}"


def _key_order(item: tuple[object, object]) -> tuple[bool, str]:
    """Text keys in their order; a key that is not text (a Terraform object key that could not be
    resolved) after them."""
    key = item[0]
    return (False, key) if isinstance(key, str) else (True, repr(key))


def _statement_at(data: object, path: JsonPath) -> dict[str, object] | None:
    if not path or path[0] != "Statement" or not isinstance(data, dict):
        return None
    statements = data.get("Statement")
    if isinstance(statements, dict):
        return statements
    if isinstance(statements, list) and len(path) > 1 and isinstance(path[1], int):
        found = statements[path[1]] if 0 <= path[1] < len(statements) else None
        return found if isinstance(found, dict) else None
    return None


@dataclass(frozen=True)
class UnresolvedPolicy:
    """A policy attached to a role whose document is not in the scanned tree."""

    label: str
    reason: Unknown
    anchor: Anchor


_AWS_MANAGED_POLICY = lazy_compile(r"^arn:aws[a-z-]*:iam::aws:policy/")


def is_aws_managed_policy(arn: str) -> bool:
    """``arn:aws:iam::aws:policy/…`` (in any partition): a policy AWS writes and maintains.

    It cannot hold your vendor's Deny or external id, so a role's verdicts never wait on it: readers
    leave such attachments out of the role. Any other policy attached by an ARN whose document the
    input does not hold is an ``UnresolvedPolicy`` (unknown, never a pass). Every reader asks here."""
    return _AWS_MANAGED_POLICY.match(arn) is not None


@dataclass(frozen=True)
class Role:
    #: As findings name the role: ``VendorRole (vendor-role)``, ``aws_iam_role.vendor["backup"]``.
    name: str
    anchor: Anchor
    trust: PolicyDocument | None
    policies: tuple[PolicyDocument, ...] = ()
    unresolved_policies: tuple[UnresolvedPolicy, ...] = ()
    #: Files whose content takes part in this role's verdict.
    files: frozenset[str] = frozenset()
    #: Accounts the input itself says are the role's own (an export's account, for example).
    own_accounts: frozenset[str] = frozenset()
    #: For one of several variants of a role (``Fn::If`` branches): the choice it was built for,
    #: as (condition, value) pairs in the same order in every variant.
    variant: tuple[tuple[str, str], ...] = ()
    #: The name every instance and variant shares (logical id, address without instance keys);
    #: empty when it is ``name``.
    logical: str = ""
    #: The ``for_each``/``count``/module instance key, as written in the address (``["backup"]``).
    instance: str = ""
    #: Policies attached to it that the configuration itself removes again (not in ``policies``).
    detached: tuple[DetachedPolicy, ...] = ()
    #: Where values read at a place of the role's documents were written (a Terraform module's
    #: variable set by its caller): a finding at that place names it.
    origins: tuple[ValueOrigin, ...] = ()


@dataclass(frozen=True)
class ValueOrigin:
    """``var.vendor`` read at ``span`` (with its file) holds the caller's argument ``written``."""

    span: Span
    written: str

    def within(self, file: str, start: tuple[int, int], end: tuple[int, int]) -> bool:
        here = (self.span.line, self.span.column)
        return self.span.file == file and start <= here <= end


def unreadable_template_role(
    name: str, what: str, anchor: Anchor, where: Anchor, reason: Unknown, files: frozenset[str]
) -> Role:
    """What a template the linter cannot read (a nested stack on S3, a body known only after
    apply) may hold when it is handed IAM parameters: a role whose trust and policies are unknown."""
    return Role(
        name=name,
        anchor=anchor,
        trust=PolicyDocument(reason, "trust", what, where),  # the model decides what it may allow
        unresolved_policies=(UnresolvedPolicy(f"the policies of {what}", reason, where),),
        files=files,
    )


@dataclass(frozen=True)
class DetachedPolicy:
    """A policy the configuration attaches to a role and also removes on apply: an owner of the
    role's policies (Terraform's exclusive attachments) does not list it. It does not count."""

    label: str
    #: What attaches it (a resource address), and why it goes.
    source: str
    reason: str
    #: Where the attachment that loses is written.
    anchor: Anchor


@dataclass(frozen=True)
class AccessKey:
    """Long-term credentials declared in infrastructure code."""

    user: str
    anchor: Anchor


@dataclass(frozen=True)
class Problem:
    """A file or document that could not be read (reported as ISL000)."""

    file: str
    message: str
    span: Span
    #: True when the problem is in the tool rather than in the file.
    internal: bool = False


@dataclass(frozen=True)
class Suppression:
    """``# iam-saas-lint: ignore[ISL005] reason`` in a YAML or HCL comment, or a CloudFormation
    resource's ``Metadata``. A comment covers findings on its line and the next; a resource's
    ``Metadata`` covers findings about the resource: its role's, and those located inside it
    (never by line, which in a minified template would reach the resources beside it)."""

    rules: tuple[str, ...]
    reason: str
    file: str
    span: Span
    scope: Literal["line", "role"] = "line"
    role: str | None = None
    #: For a resource's ``Metadata``: the resource's JSON path (``$.Resources.VendorRole``).
    resource_path: str | None = None


@dataclass
class Inventory:
    roles: list[Role] = field(default_factory=list)
    #: Documents that belong to no role (standalone policy files).
    documents: list[PolicyDocument] = field(default_factory=list)
    access_keys: list[AccessKey] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    #: What the reader chose not to read, or read differently, and why (printed with ``--verbose``).
    notes: list[str] = field(default_factory=list)
    #: Other files read as part of this one (a nested stack's template read through its parent):
    #: the run does not report them on their own as well.
    included: list[str] = field(default_factory=list)

    def extend(self, other: Inventory) -> None:
        self.roles.extend(other.roles)
        self.documents.extend(other.documents)
        self.access_keys.extend(other.access_keys)
        self.problems.extend(other.problems)
        self.suppressions.extend(other.suppressions)
        self.notes.extend(other.notes)
        self.included.extend(other.included)

    def all_documents(self) -> list[PolicyDocument]:
        seen: set[int] = set()
        result: list[PolicyDocument] = []
        for role in self.roles:
            for document in (role.trust, *role.policies):
                if document is not None and id(document) not in seen:
                    seen.add(id(document))
                    result.append(document)
        for document in self.documents:
            if id(document) not in seen:
                seen.add(id(document))
                result.append(document)
        return result
