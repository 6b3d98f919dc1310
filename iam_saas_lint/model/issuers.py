"""Which OIDC issuer a ``Federated`` principal names: the shipped issuer registry (``data/issuers.json``).

An issuer is *shared* when one token service signs tokens for every customer (GitHub Actions,
gitlab.com, HCP Terraform): a trust policy must then pin the claim that names the customer's own
scope. It is *per-customer* when the issuer URL itself names the customer (a CircleCI organization,
an EKS cluster); some of those still need a claim pinned (an EKS service account).
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Literal

from ..patterns import lazy_compile
from ..records import dataclass

Tenancy = Literal["shared", "per-customer"]
_WILDCARD = lazy_compile(r"[*?]")
#: ``${AWS::Region}`` left in a host by a template stands for one label.
_PLACEHOLDER = lazy_compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class SubjectShape:
    """How an owner-scoped subject value starts (``owner``) and where its repository is (``repository``);
    each is a regex with one named group, which must hold no wildcard for the scope to be pinned."""

    owner: re.Pattern[str]
    repository: re.Pattern[str] | None


@dataclass(frozen=True)
class SubjectClaim:
    claim: str
    #: What the owner part of the value is ("repository owner (user or organization)").
    scope: str
    shapes: tuple[SubjectShape, ...]
    #: A per-customer issuer whose URL already names the customer needs no subject pin.
    required: bool
    #: The issuer lets each customer choose how the subject is built (GitHub's custom subject templates),
    #: so an exact value that does not start with an owner shape may be produced by anyone.
    customizable: bool
    #: A pinned value to suggest, with ``{owner}`` and ``{repository}`` placeholders.
    suggest: str
    example: str


@dataclass(frozen=True)
class AudienceClaim:
    claim: str
    #: Other claims that pin the audience as well (Google's ``oaud``).
    also: tuple[str, ...]
    #: The audience names the customer's own app or pool, and must be pinned.
    shared: bool
    what: str
    value: str


@dataclass(frozen=True)
class Issuer:
    id: str
    name: str
    hosts: tuple[str, ...]
    tenancy: Tenancy
    #: Who can assume a role whose claims are not pinned ("every workflow of every repository on GitHub").
    exposure: str
    subject: SubjectClaim | None
    audience: AudienceClaim | None
    docs: tuple[str, ...]
    #: IAM knows the provider by name: the principal is the bare host, not an ``oidc-provider/`` ARN.
    builtin: bool = False

    def matches(self, host: str) -> bool:
        return any(_host_pattern(pattern).fullmatch(host) for pattern in self.hosts)

    @property
    def example_host(self) -> str:
        return self.hosts[0].replace("*", "EXAMPLE")


@lru_cache(maxsize=64)
def _host_pattern(pattern: str) -> re.Pattern[str]:
    # "*" in a registry host stands for one label or path segment, never for a "/" or ":".
    return re.compile("".join("[^/:]+" if c == "*" else re.escape(c) for c in pattern), re.IGNORECASE)


def normalise_host(text: str) -> str:
    """An issuer as IAM keys it: no scheme, no trailing slash (compare it case-insensitively)."""
    host = text.strip()
    for scheme in ("https://", "http://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme) :]
    return host.rstrip("/")


def _subject(raw: object) -> SubjectClaim | None:
    if not isinstance(raw, dict):
        return None
    shapes = tuple(
        SubjectShape(re.compile(s["owner"]), re.compile(s["repository"]) if s.get("repository") else None)
        for s in raw["shapes"]
    )
    return SubjectClaim(
        raw["claim"],
        raw["scope"],
        shapes,
        bool(raw.get("required", True)),
        bool(raw.get("customizable", False)),
        raw["suggest"],
        raw["example"],
    )


def _audience(raw: object) -> AudienceClaim | None:
    if not isinstance(raw, dict):
        return None
    return AudienceClaim(
        raw["claim"], tuple(raw.get("also", ())), bool(raw["shared"]), raw.get("what", "audience"), raw["value"]
    )


@lru_cache(maxsize=1)
def builtin_issuers() -> tuple[Issuer, ...]:
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "issuers.json")
    with open(path, encoding="utf-8") as handle:
        entries = json.loads(handle.read())["issuers"]
    return tuple(
        Issuer(
            e["id"],
            e["name"],
            tuple(e["hosts"]),
            e["tenancy"],
            e["exposure"],
            _subject(e.get("subject")),
            _audience(e.get("audience")),
            tuple(e["docs"]),
            bool(e.get("builtin", False)),
        )
        for e in entries
    )


@lru_cache(maxsize=256)
def issuer_for(host: str) -> Issuer | None:
    normalised = _PLACEHOLDER.sub("placeholder", normalise_host(host))
    return next((issuer for issuer in builtin_issuers() if issuer.matches(normalised)), None)


def find_issuer(name: str) -> Issuer | None:
    """By id or name, loosely (``github-actions``, ``GitHub Actions``, ``githubactions``)."""
    wanted = _key(name)
    return next((i for i in builtin_issuers() if wanted in (_key(i.id), _key(i.name))), None)


def _key(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def is_own_provider(host: str, patterns: tuple[str, ...]) -> bool:
    """Whether a host is one of the configured ``own-identity-providers`` (globs, ``*`` within a label)."""
    normalised = normalise_host(host)
    return any(_host_pattern(normalise_host(p)).fullmatch(normalised) for p in patterns)


def has_wildcard(text: str) -> bool:
    return _WILDCARD.search(text) is not None
