"""Role variants: one role built once per combination of the conditions (``Fn::If``) it depends on.

Each variant is named ``Role [if A=true, B=false]``. A finding that several variants share is
reported once, naming only the conditions it depends on: the set of variants where it holds is
reduced by dropping every condition whose value does not matter (all of them when it holds in
every variant), and the finding is repeated only for the distinct choices that remain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from .findings import Finding
from .model.document import Role, variant_name

Choice = tuple[tuple[str, str], ...]
_PLACEHOLDER = "\0role\0"


def _reduce(held: set[Choice], universe: set[Choice]) -> list[Choice]:
    """The fewest partial choices that describe ``held`` within ``universe``.

    A condition is dropped when ``held`` is closed under changing it: for every variant that
    differs from a held one only in that condition, the finding holds too."""
    position = 0
    while universe and position < len(next(iter(universe))):

        def without(choice: Choice, at: int = position) -> Choice:
            return choice[:at] + choice[at + 1 :]

        rest = {without(choice) for choice in held}
        if all(choice in held for choice in universe if without(choice) in rest):
            held, universe = rest, {without(choice) for choice in universe}
        else:
            position += 1
    return sorted(held)


def merge_variant_findings(findings: list[Finding], roles: Sequence[Role]) -> list[Finding]:
    """Report each finding that role variants share once, naming the conditions it depends on."""
    variants = {role.name: role for role in roles if role.variant}
    if not variants:
        return findings
    universes: dict[tuple[str, str], set[Choice]] = defaultdict(set)
    base_of: dict[str, tuple[str, str]] = {}
    for role in variants.values():
        base = role.name[: -len(variant_name("", role.variant))]
        group = (role.anchor.file, base)
        universes[group].add(role.variant)
        base_of[role.name] = group
    merged: dict[tuple[tuple[str, str], Finding], tuple[set[Choice], str]] = {}
    result: list[Finding] = []
    for finding in findings:
        variant = variants.get(finding.role or "")
        if variant is None:
            result.append(finding)
            continue
        # Variants may number statements differently (an Fn::If around one): the place in the
        # file, not the JSON path, tells whether two findings are the same.
        generic = replace(
            finding, role=_PLACEHOLDER, message=finding.message.replace(variant.name, _PLACEHOLDER), json_path=""
        )
        held, json_path = merged.setdefault((base_of[variant.name], generic), (set(), finding.json_path))
        held.add(variant.variant)
        merged[(base_of[variant.name], generic)] = (held, min(json_path, finding.json_path))
    for (group, generic), (held, json_path) in merged.items():
        base = group[1]
        for choice in _reduce(held, universes[group]):
            name = variant_name(base, choice)
            message = generic.message.replace(_PLACEHOLDER, name)
            result.append(replace(generic, role=name, message=message, json_path=json_path))
    return result
