"""Which combinations of a template's conditions can occur, for enumerating ``Fn::If`` branches.

Conditions are not evaluated from parameter defaults: every branch a deployment could take is
tried. What is enumerated is the *inputs* of the conditions, so that dependent conditions stay
consistent (``NotA`` is never true together with ``A``): each ``Fn::Equals`` of a parameter with a
literal is one choice of that parameter (one of the literals compared with, or something else,
within ``AllowedValues``), and any other comparison is a free boolean. An input that
``Fn::FindInMap`` looks up by (``map_keys``) is enumerated over the map's keys as well.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

from ...records import dataclass, field
from .map_keys import KeyedInput, shown_input
from .template import Template

#: Role variants per role; conditions beyond what fits are left unknown.
MAX_VARIANTS = 16
#: Combinations of condition inputs tried before falling back to independent conditions.
MAX_INPUTS = 4096
_OTHER = "\0other"

Assignment = tuple[tuple[str, bool], ...]
#: What an input is in one combination: a literal, the keys of a map that look up the same entries,
#: or any other value (``_OTHER``).
_Option = str | frozenset[str]
#: One variant before it is shown: the conditions' values and the option of each keyed input.
_Choice = tuple[Assignment, tuple[tuple[str, object], ...]]


@dataclass(frozen=True)
class ParameterValues:
    """The values a parameter that conditions compare can have in one variant."""

    literals: frozenset[str]
    #: Or any value other than those the conditions compare it with.
    other: bool
    compared: frozenset[str]
    #: For an input maps are looked up by: the keys of those maps (``map_keys``).
    map_keys: frozenset[str] = frozenset()

    def allows(self, value: str) -> bool:
        return value in self.literals or (self.other and value not in self.compared)


@dataclass(frozen=True)
class Variant:
    assignment: Assignment
    parameters: Mapping[str, ParameterValues] = field(default_factory=dict)
    #: The map keys chosen for the inputs maps are looked up by, as shown: (``map Region``, ``eu-west-1``).
    keys: tuple[tuple[str, str], ...] = ()


_Atom = tuple[Literal["const"], bool] | tuple[Literal["choice"], str, str] | tuple[Literal["free"], str]


def if_conditions(raw: object) -> list[str]:
    """Names of the conditions that ``Fn::If`` tests anywhere in ``raw``, in order of appearance."""
    found: dict[str, None] = {}
    stack: list[object] = [raw]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            branch = value.get("Fn::If")
            if len(value) == 1 and isinstance(branch, list) and branch and isinstance(branch[0], str):
                found.setdefault(branch[0])
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return list(found)


def _key(raw: object) -> str:
    return json.dumps(raw, sort_keys=True, default=str)


class ConditionModel:
    def __init__(self, template: Template) -> None:
        self.template = template

    # -- reading condition expressions -----------------------------------------------------------
    def _operand(self, raw: object) -> tuple[str, str]:
        if isinstance(raw, bool):
            return "literal", str(raw).lower()
        if isinstance(raw, (str, int, float)):
            return "literal", str(raw)
        if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Ref"), str):
            name = raw["Ref"]
            if name in self.template.parameters or name.startswith("AWS::"):
                return "input", name
        return "opaque", _key(raw)

    def _equals(self, arg: object) -> _Atom:
        if not (isinstance(arg, list) and len(arg) == 2):
            return ("free", _key(arg))
        (left_kind, left), (right_kind, right) = self._operand(arg[0]), self._operand(arg[1])
        if left_kind == right_kind == "literal":
            return ("const", left == right)
        if left_kind == right_kind == "input" and left == right:
            return ("const", True)
        if {left_kind, right_kind} == {"input", "literal"}:
            name, literal = (left, right) if left_kind == "input" else (right, left)
            return ("choice", name, literal)
        return ("free", _key(arg))

    def _atoms(self, expression: object, seen: set[str]) -> Iterator[_Atom]:
        stack: list[object] = [expression]
        while stack:
            value = stack.pop()
            if not isinstance(value, dict) or len(value) != 1:
                if not isinstance(value, bool):
                    yield ("free", _key(value))
                continue
            ((key, arg),) = value.items()
            if key == "Fn::Equals":
                yield self._equals(arg)
            elif key in ("Fn::And", "Fn::Or", "Fn::Not") and isinstance(arg, list):
                stack.extend(arg)
            elif key == "Condition" and isinstance(arg, str):
                if arg not in seen and arg in self.template.conditions:
                    seen.add(arg)
                    stack.append(self.template.conditions[arg])
            else:
                yield ("free", _key(value))

    def evaluate(
        self, expression: object, inputs: Mapping[str, object], depth: int = 0, memo: dict[str, bool] | None = None
    ) -> bool:
        if depth > 200:  # never guess a branch: the template is reported as unreadable (ISL000)
            raise RecursionError("conditions nested too deeply")
        memo = {} if memo is None else memo
        if isinstance(expression, bool):
            return expression
        if isinstance(expression, str) and expression.lower() in ("true", "false"):
            return expression.lower() == "true"
        if not isinstance(expression, dict) or len(expression) != 1:
            return bool(inputs.get(_key(expression), False))
        ((key, arg),) = expression.items()
        if key == "Fn::Equals":
            atom = self._equals(arg)
            if atom[0] == "const":
                return atom[1]
            if atom[0] == "choice":
                chosen = inputs.get(atom[1])
                return chosen == atom[2] or (isinstance(chosen, frozenset) and chosen == {atom[2]})
            return bool(inputs.get(atom[1], False))
        if key in ("Fn::And", "Fn::Or", "Fn::Not") and isinstance(arg, list):
            values = [self.evaluate(item, inputs, depth + 1, memo) for item in arg]
            if key == "Fn::And":
                return all(values)
            if key == "Fn::Or":
                return any(values)
            return not values[0] if values else False
        if key == "Condition" and isinstance(arg, str):
            return self.condition(arg, inputs, depth + 1, memo)
        return bool(inputs.get(_key(expression), False))

    def condition(
        self, name: str, inputs: Mapping[str, object], depth: int = 0, memo: dict[str, bool] | None = None
    ) -> bool:
        """A named condition's value; ``memo`` keeps shared sub-conditions from being evaluated twice."""
        memo = {} if memo is None else memo
        if name not in memo:
            memo[name] = False  # a condition that refers to itself is false
            memo[name] = self.evaluate(self.template.conditions.get(name), inputs, depth, memo)
        return memo[name]

    # -- enumerating -----------------------------------------------------------------------------
    def _choices(self, name: str, literals: set[str]) -> list[object]:
        spec = self.template.parameters.get(name, {})
        allowed = spec.get("AllowedValues")
        literals = {value for value in literals if _admits(spec, value)}
        options: list[object] = list(sorted(literals))
        if isinstance(allowed, list) and allowed:
            allowed_text = {str(v).lower() if isinstance(v, bool) else str(v) for v in allowed}
            options = [v for v in sorted(literals) if v in allowed_text]
            if allowed_text - literals:
                options.append(_OTHER)
            return options
        return [*options, _OTHER]

    def _keyed_choices(self, name: str, keyed: KeyedInput, literals: set[str]) -> list[object]:
        """The options of an input maps are looked up by: its groups of keys (split where a condition
        compares it with one of them), the other literals compared, and another value where one
        can be deployed (a lookup with a ``DefaultValue``, or a condition that compares it)."""
        spec = self.template.parameters.get(name, {})
        allowed = spec.get("AllowedValues")
        allowed_text = (
            {str(v).lower() if isinstance(v, bool) else str(v) for v in allowed} if isinstance(allowed, list) else None
        )

        def possible(value: str) -> bool:
            return _admits(spec, value) and (allowed_text is None or value in allowed_text)

        options: list[frozenset[str]] = []
        for group in keyed.groups:
            kept = {key for key in group if possible(key)}
            split = {key for key in kept if key in literals}
            options.extend(frozenset({key}) for key in sorted(split))
            if kept - split:
                options.append(frozenset(kept - split))
        named = set().union(*options) if options else set()
        options.extend(frozenset({value}) for value in sorted(literals - named) if possible(value))
        result: list[object] = [*sorted(options, key=lambda keys: tuple(sorted(keys)))]
        beyond = allowed_text is None or bool(allowed_text - named - literals)
        if (beyond and keyed.misses) or not result:  # without a DefaultValue, another value fails to deploy
            result.append(_OTHER)
        return result

    def _inputs(
        self, names: Sequence[str], keyed: Mapping[str, KeyedInput]
    ) -> tuple[list[dict[str, object]], dict[str, set[str]]] | None:
        """Every combination of the inputs of ``names`` and of the ``keyed`` inputs, and the values
        each parameter is compared with; ``None`` when there are too many combinations."""
        literals: dict[str, set[str]] = {}
        free: dict[str, None] = {}
        seen = set(names)
        for name in names:
            for atom in self._atoms(self.template.conditions.get(name), seen):
                if atom[0] == "choice":
                    literals.setdefault(atom[1], set()).add(atom[2])
                elif atom[0] == "free":
                    free.setdefault(atom[1])
        axes: list[tuple[str, list[object]]] = [
            (n, self._keyed_choices(n, keyed[n], v) if n in keyed else self._choices(n, v))
            for n, v in sorted(literals.items())
        ]
        axes.extend((n, self._keyed_choices(n, keyed[n], set())) for n in keyed if n not in literals)
        for name, entry in keyed.items():
            literals.setdefault(name, set()).update(*entry.groups)
        axes.extend((key, [True, False]) for key in free)
        size = 1
        for _, options in axes:
            size *= max(len(options), 1)
        if size > MAX_INPUTS:
            return None
        keys = [key for key, _ in axes]
        combinations = [dict(zip(keys, c, strict=True)) for c in itertools.product(*(o for _, o in axes))]
        return combinations, literals

    def variants(
        self, names: Sequence[str], required: Sequence[str] = (), keyed: Mapping[str, KeyedInput] | None = None
    ) -> list[Variant]:
        """The assignments of ``names`` (and choices of map keys for the ``keyed`` inputs) that can
        occur while every ``required`` condition holds.

        At most ``MAX_VARIANTS``: names beyond what fits are dropped from the end, then keyed
        inputs (their ``Fn::If`` and lookups stay unknown). Each variant also says which values the
        compared parameters can have in it, so that a ``Ref`` agrees with the branch taken."""
        names = [n for n in dict.fromkeys(names) if n in self.template.conditions]
        required = [n for n in required if n in self.template.conditions]
        keyed = dict(keyed or {})
        found = self._inputs([*names, *required], keyed)
        if found is None:  # too many inputs: treat the conditions as independent, try no map key
            names = names[: MAX_VARIANTS.bit_length() - 1]
            unknown_keys = {
                name: ParameterValues(entry.keys, entry.misses, frozenset(), entry.keys)
                for name, entry in keyed.items()
            }
            return [
                Variant(tuple(zip(names, values, strict=True)), unknown_keys)
                for values in itertools.product((True, False), repeat=len(names))
            ]
        combinations, literals = found
        inputs_tried = list(keyed)
        chosen: dict[_Choice, dict[str, set[object]]] = {}
        for inputs in combinations:
            memo: dict[str, bool] = {}
            if all(self.condition(name, inputs, memo=memo) for name in required):
                assignment = tuple((name, self.condition(name, inputs, memo=memo)) for name in names)
                picked = tuple((name, inputs[name]) for name in inputs_tried)
                values = chosen.setdefault((assignment, picked), {})
                for parameter in literals:
                    option = inputs[parameter]
                    values.setdefault(parameter, set()).update(option if isinstance(option, frozenset) else {option})
        while len(chosen) > MAX_VARIANTS and (names or inputs_tried):
            if names:
                names = names[:-1]
            else:
                inputs_tried = inputs_tried[:-1]
            merged: dict[_Choice, dict[str, set[object]]] = {}
            for (assignment, picked), values in chosen.items():
                target = merged.setdefault((assignment[: len(names)], picked[: len(inputs_tried)]), {})
                for parameter, options in values.items():
                    target.setdefault(parameter, set()).update(options)
            chosen = merged
        return [
            Variant(
                assignment,
                {
                    parameter: ParameterValues(
                        frozenset(v for v in values if isinstance(v, str) and v != _OTHER),
                        _OTHER in values,
                        frozenset(literals[parameter]),
                        keyed[parameter].keys if parameter in keyed else frozenset(),
                    )
                    for parameter, values in seen.items()
                },
                tuple((shown_input(name), _shown_option(option)) for name, option in picked),
            )
            for (assignment, picked), seen in chosen.items()
        ]


def _shown_option(option: object) -> str:
    if isinstance(option, frozenset):
        return "|".join(sorted(option))
    return "another value" if option == _OTHER else str(option)


def _admits(spec: Mapping[str, object], value: str) -> bool:
    """Whether a parameter's ``MinLength``, ``MaxLength`` and ``AllowedPattern`` let it be ``value``
    (a comparison with a value it can never have is a branch no deployment takes)."""
    low, high, pattern = spec.get("MinLength"), spec.get("MaxLength"), spec.get("AllowedPattern")
    if isinstance(low, (int, str)) and str(low).isascii() and str(low).isdecimal() and len(value) < int(low):
        return False
    if isinstance(high, (int, str)) and str(high).isascii() and str(high).isdecimal() and len(value) > int(high):
        return False
    if isinstance(pattern, str) and len(pattern) <= 1_000:
        try:
            return re.fullmatch(pattern, value) is not None
        except re.error:
            return True  # a Java pattern Python cannot read: no pruning
    return True
