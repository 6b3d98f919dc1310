"""The one thing every layer above the rules hands around: a finding, what it is about, and the
rule metadata that formatters show beside it."""

from __future__ import annotations

from enum import Enum

from .records import dataclass

#: The conditions (``Fn::If``, Terraform) a finding holds under, as (condition, value) pairs.
Variant = tuple[tuple[str, str], ...]


class Severity(str, Enum):
    """How bad a finding is: ``error`` or ``warning`` (the value is what outputs print)."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Subject:
    """What a finding is about. A finding about a file or a standalone document has no role."""

    #: The role as findings name it: ``VendorRole (vendor-role)``, ``aws_iam_role.vendor["backup"]``.
    role: str | None = None
    #: Its logical name, the same in every instance: ``VendorRole``, ``aws_iam_role.vendor``.
    logical: str = ""
    #: The ``for_each``/``count``/module instance key (``["backup"]``); empty for a single instance.
    instance: str = ""
    #: The conditions under which the finding holds; empty when it holds in every variant.
    variant: Variant = ()
    #: The principal, condition, value or policy the finding concerns, as written.
    concerns: str = ""
    #: The policy element the finding is in: its document, and the statement's ``Sid`` or a hash of
    #: its content (never its index, so that reordering statements keeps it).
    element: str = ""

    @property
    def display(self) -> str | None:
        """``VendorRole [if UseExternalId=false]``, ``VendorRole [map Region=eu-west-1]``: the role
        with the conditions and map keys it is shown under."""
        if self.role is None or not self.variant:
            return self.role
        conditions = ", ".join(f"{name}={value}" for name, value in self.variant if not name.startswith("map "))
        keys = ", ".join(f"{name}={value}" for name, value in self.variant if name.startswith("map "))
        return f"{self.role} [{'; '.join(part for part in (conditions and f'if {conditions}', keys) if part)}]"

    def names(self) -> tuple[str, ...]:
        """Every name a suppression or ``ignore-roles`` entry may use for the role."""
        if self.role is None:
            return ()
        return tuple(dict.fromkeys(name for name in (self.role, self.logical, self.display) if name))


@dataclass(frozen=True)
class Finding:
    """One problem: the rule's id, name and severity, the message, where it is (1-based line and column
    of the start and end in ``path``, and the JSON path inside the document), the role it concerns
    and a snippet that fixes it in the file's syntax (empty when the rule has none)."""

    rule: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    json_path: str = "$"
    subject: Subject = Subject()
    #: What is wrong. For a finding about a role it follows the role's label (``role "X"``)
    #: and starts with a space or a colon; the message is put together late, in ``message``.
    text: str = ""
    #: A snippet to paste, in the syntax of the file (empty when the rule has none).
    fix: str = ""

    @property
    def role(self) -> str | None:
        return self.subject.display

    @property
    def message(self) -> str:
        display = self.subject.display
        return self.text if display is None else f'role "{display}"{self.text}'

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.path, self.line, self.column, self.rule, self.message, self.json_path)


@dataclass(frozen=True)
class RuleInfo:
    """What formatters show about a rule; they receive it with the findings."""

    id: str
    name: str
    severity: Severity
    enabled_by_default: bool
    #: The first sentence of *What it does*, and the whole section.
    summary: str
    description: str
    #: The first sentence of *Why is this bad?*.
    why: str
    #: One line on how to fix it.
    hint: str
    doc: str
    tags: tuple[str, ...]
    #: GitHub code scanning's 0.0–10.0 scale.
    security_severity: str
    #: (a fragment of the message, the hint for that cause), tried in order before ``hint``.
    hints_by_cause: tuple[tuple[str, str], ...] = ()

    def hint_for(self, message: str) -> str:
        """The fix line for a finding with ``message``: the first cause it names, else ``hint``."""
        return next((hint for cause, hint in self.hints_by_cause if cause in message), self.hint)


def fingerprint(finding: Finding) -> str:
    """What a finding is, for baselines and SARIF: the rule, the file, the subject and the policy
    element's identity; never the message, a line or a statement's index, so that rewording a
    message, moving code or reordering statements keeps it."""
    subject = finding.subject
    variant = ",".join(f"{name}={value}" for name, value in subject.variant)
    parts = (finding.rule, finding.path, subject.logical, subject.instance, variant, subject.concerns, subject.element)
    from .digest import sha256_hex  # here: only baselines and SARIF ask

    return sha256_hex("\x1f".join(parts).encode("utf-8", "surrogatepass"))[:40]


def sorted_unique(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)
