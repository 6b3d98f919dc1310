"""What a rule is, and what it hands back."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Literal

from ..findings import RuleInfo, Severity
from ..fixes import Fix
from ..model.document import Inventory, PolicyDocument, Role, Suppression
from ..model.federation import WebIdentityGrant, web_identity_grants
from ..model.settings import Settings
from ..model.source_ip import DenyVerdict, IpDeny, deny_verdict, ip_denies
from ..model.source_ip_verdict import SourceIpVerdict, judge_source_ip
from ..model.trust import TrustAnalysis, analyze_trust
from ..model.trust_verdict import TrustVerdict, judge_trust
from ..model.values import Anchor, At
from ..records import dataclass, field, replace


@dataclass(frozen=True)
class Violation:
    """What a rule found. The engine turns it into a finding: it finds the line, names the subject,
    identifies the policy element and renders the fix in the syntax of ``document``."""

    #: What is wrong. About a role, it follows the role's label (``role "X"``) and starts with a
    #: space (``" can be assumed by …"``) or a colon (``": external id …"``).
    text: str
    anchor: Anchor
    role: Role | None = None
    #: The document the finding is in: its statement's identity keeps baselines stable, and its
    #: syntax is the fix's.
    document: PolicyDocument | None = None
    #: The principal, condition, value or policy the finding concerns, as written.
    concerns: str = ""
    #: Overrides the rule's default severity for this one violation.
    severity: Severity | None = None
    #: What to paste; the engine renders it in the syntax of ``document``.
    fix: Fix | None = None


@dataclass(frozen=True)
class Unverifiable(Violation):
    """A verdict the rule could not reach because a value is unknown (never a pass): reported
    under the unverifiable rule, whether or not the rule that met it is selected."""


@dataclass(frozen=True)
class SuppressionUse:
    """A suppression after matching: whether it covered a finding, and whether the rules it names
    ran (an unused suppression of a rule that did not run says nothing)."""

    suppression: Suppression
    used: bool
    checked: bool


def suppression_violation(suppression: Suppression, what: str) -> Violation:
    """``suppression of ISL005 <what>``, at the suppression."""
    listed = ", ".join(suppression.rules) or "no rule"
    concerns = f"{listed} on {suppression.role}" if suppression.role else listed
    anchor = Anchor(suppression.file, (), At(suppression.span))
    return Violation(f"suppression of {listed} {what}", anchor, concerns=concerns)


@dataclass
class Context:
    settings: Settings
    #: Keyed by ``id(role)``; the role is kept beside its analysis so that the id cannot be reused.
    _trust: dict[int, tuple[Role, TrustAnalysis]] = field(default_factory=dict)
    #: Keyed by ``id(document)``, the same way: one policy may be attached to many roles and variants.
    _denies: dict[int, tuple[PolicyDocument, list[IpDeny]]] = field(default_factory=dict)
    _federation: dict[int, tuple[PolicyDocument, tuple[WebIdentityGrant, ...]]] = field(default_factory=dict)
    _verdicts: dict[int, tuple[Role, TrustVerdict]] = field(default_factory=dict)
    _source_ip: dict[int, tuple[Role, SourceIpVerdict]] = field(default_factory=dict)

    def settings_for(self, role: Role) -> Settings:
        """The settings, with the accounts the input itself says are the role's own."""
        settings = self.settings
        if role.own_accounts - settings.own_accounts:
            settings = replace(settings, own_accounts=settings.own_accounts | role.own_accounts)
        return settings

    def trust_verdict(self, role: Role) -> TrustVerdict:
        """Who can assume the role and how, by the evaluator; computed once and shared by the rules."""
        entry = self._verdicts.get(id(role))
        if entry is not None and entry[0] is role:
            return entry[1]
        verdict = judge_trust(role.trust.data if role.trust is not None else None, self.settings_for(role))
        self._verdicts[id(role)] = (role, verdict)
        return verdict

    def source_ip(self, role: Role) -> SourceIpVerdict:
        """Whether the role's Denies stop every request from outside the allow-list, by the evaluator."""
        entry = self._source_ip.get(id(role))
        if entry is not None and entry[0] is role:
            return entry[1]
        verdict = judge_source_ip(role, self.settings_for(role), self._ip_denies)
        self._source_ip[id(role)] = (role, verdict)
        return verdict

    def trust(self, role: Role) -> TrustAnalysis:
        """The trust analysis of a role, computed once and shared by the rules."""
        entry = self._trust.get(id(role))
        if entry is not None and entry[0] is role:
            return entry[1]
        data = role.trust.data if role.trust is not None else None
        analysis = analyze_trust(data, self.settings_for(role))
        self._trust[id(role)] = (role, analysis)
        return analysis

    def federation(self, trust: PolicyDocument) -> tuple[WebIdentityGrant, ...]:
        """The web-identity grants of a trust policy, computed once and shared by ISL009 and ISL012-ISL014."""
        entry = self._federation.get(id(trust))
        if entry is not None and entry[0] is trust:
            return entry[1]
        grants = web_identity_grants(trust.data, self.settings)
        self._federation[id(trust)] = (trust, grants)
        return grants

    def deny(self, role: Role) -> DenyVerdict:
        """The source-IP Deny verdict of a role; each document is analysed once and shared by the rules."""
        return deny_verdict(role, self._ip_denies)

    def _ip_denies(self, document: PolicyDocument) -> list[IpDeny]:
        entry = self._denies.get(id(document))
        if entry is not None and entry[0] is document:
            return entry[1]
        found = ip_denies(document.data, self.settings)
        self._denies[id(document)] = (document, found)
        return found


Check = Callable[[Inventory, Context], Iterable[Violation]]
SuppressionCheck = Callable[[Sequence[SuppressionUse]], Iterable[Violation]]
FixKind = Literal["condition", "statement"]
DEFAULT_TAGS = ("security", "iam")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    #: The default severity; a violation may override it.
    severity: Severity
    #: ``None`` for rules about suppressions, which the engine reports after matching them.
    check: Check | None
    doc: str
    enabled_by_default: bool = True
    #: One line on how to fix it, shown under each finding.
    hint: str = ""
    #: GitHub code scanning's 0.0–10.0 scale.
    security_severity: str = "5.0"
    tags: tuple[str, ...] = DEFAULT_TAGS
    #: Its verdict depends on the role's permission policies, so a trust policy alone cannot be judged.
    needs_permission_policies: bool = False
    #: What its fix adds (a condition on the statement, or a new statement); ``None``: no fix.
    fix_kind: FixKind | None = None
    #: May meet unknown values: the engine runs it for its ``Unverifiable`` violations when only
    #: the unverifiable rule is selected.
    may_be_unverifiable: bool = False
    #: For rules about suppressions: asked once matching is done.
    check_suppressions: SuppressionCheck | None = None
    #: (a fragment of the message, the hint for that cause), tried in order before ``hint``.
    hints_by_cause: tuple[tuple[str, str], ...] = ()

    def hint_for(self, message: str) -> str:
        """The fix line for a finding with ``message``: the first cause it names, else ``hint``."""
        return self.info.hint_for(message)

    @property
    def info(self) -> RuleInfo:
        """What formatters receive about the rule."""
        return RuleInfo(
            id=self.id,
            name=self.name,
            severity=self.severity,
            enabled_by_default=self.enabled_by_default,
            summary=self.summary,
            description=" ".join(doc_sections(self.doc).get("What it does", "").split()),
            why=self.why,
            hint=self.hint,
            hints_by_cause=self.hints_by_cause,
            doc=self.doc,
            tags=self.tags,
            security_severity=self.security_severity,
        )

    @property
    def summary(self) -> str:
        """The first sentence of the *What it does* section."""
        return _section_sentence(self.doc, "What it does")

    @property
    def why(self) -> str:
        """The first sentence of the *Why is this bad?* section."""
        return _section_sentence(self.doc, "Why is this bad?")


@lru_cache(maxsize=64)
def _section_sentence(doc: str, section: str) -> str:
    return _first_sentence(doc_sections(doc).get(section, ""))


def _first_sentence(text: str) -> str:
    return " ".join(text.split()).split(". ")[0].rstrip(".") + ("." if text.strip() else "")


DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its ``## Section`` parts."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in doc.splitlines():
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return sections
