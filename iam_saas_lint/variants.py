"""Role variants: one role built once per combination of the conditions (``Fn::If``) it depends on.

A finding that several variants share is reported once, naming only the conditions it depends on:
the set of variants where it holds is reduced by dropping every condition whose value does not
matter (all of them when it holds in every variant), and the finding is repeated only for the
distinct choices that remain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .findings import Finding, Variant
from .model.document import Role
from .records import replace


def _reduce(held: set[Variant], universe: set[Variant]) -> list[Variant]:
    """The fewest partial choices that describe ``held`` within ``universe``.

    A condition is dropped when ``held`` is closed under changing it: for every variant that
    differs from a held one only in that condition, the finding holds too."""
    position = 0
    while universe and position < len(next(iter(universe))):

        def without(choice: Variant, at: int = position) -> Variant:
            return choice[:at] + choice[at + 1 :]

        rest = {without(choice) for choice in held}
        if all(choice in held for choice in universe if without(choice) in rest):
            held, universe = rest, {without(choice) for choice in universe}
        else:
            position += 1
    return sorted(held)


def merge_variant_findings(findings: list[Finding], roles: Sequence[Role]) -> list[Finding]:
    """Report each finding that role variants share once, naming the conditions it depends on."""
    universes: dict[tuple[str, str], set[Variant]] = defaultdict(set)
    for role in roles:
        if role.variant:
            universes[(role.anchor.file, role.name)].add(role.variant)
    if not universes:
        return findings
    groups = {(role.name, role.variant): (role.anchor.file, role.name) for role in roles if role.variant}
    merged: dict[tuple[tuple[str, str], Finding], tuple[set[Variant], str, str]] = {}
    result: list[Finding] = []
    for finding in findings:
        subject = finding.subject
        group = groups.get((subject.role or "", subject.variant)) if subject.variant else None
        if group is None:
            result.append(finding)
            continue
        # Variants may number statements differently (an Fn::If around one) and resolve them to
        # different content: the place in the file tells whether two findings are the same.
        generic = replace(finding, subject=replace(subject, variant=(), element=""), json_path="")
        held, json_path, element = merged.get((group, generic), (set(), finding.json_path, subject.element))
        held.add(subject.variant)
        merged[(group, generic)] = (held, min(json_path, finding.json_path), min(element, subject.element))
    for (group, generic), (held, json_path, element) in merged.items():
        for choice in _reduce(held, universes[group]):
            subject = replace(generic.subject, variant=choice, element=element)
            result.append(replace(generic, subject=subject, json_path=json_path))
    return result
