"""Bounds on evaluating a module, so that a hostile one cannot make the linter hang or eat memory.

HCL lets values refer to each other: ``a1 = [local.a0, local.a0]``, ``a2 = [local.a1, local.a1]`` …
forty lines double a value forty times, and ``"${local.s}${local.s}"`` does the same to text. The
evaluator shares such values instead of copying them, but anything that walks them (JSON text,
the rules) would meet 2⁴⁰ elements. So every value the evaluator builds is measured as it would be
written out (a shared part counts each time it is used; text counts one per 64 characters), and
the evaluation as a whole may take a bounded number of steps. Going past either stops the module
with ``EvaluationLimit``: an ISL000 finding for the module, never a partial verdict.
"""

from __future__ import annotations

from collections.abc import Iterable

from .values import JsonText

#: Elements of one value, written out. A policy of 10,000 statements has about 60,000.
MAX_VALUE = 100_000
#: Expressions evaluated for one module (each ``for`` iteration, each instance of ``count``): about
#: a second's work. The busiest module of the corpus takes 3,500 and its largest value has 744 elements.
MAX_STEPS = 200_000
_CHARACTERS_PER_ELEMENT = 64


class EvaluationLimit(Exception):
    """The module needs more evaluation than a real one does: it is not read."""


class Budget:
    def __init__(self, max_steps: int = MAX_STEPS, max_value: int = MAX_VALUE) -> None:
        self.steps = 0
        self.max_steps = max_steps
        self.max_value = max_value
        #: Sizes of the containers measured so far, by ``id`` (the object is kept, so the id stays its own).
        self._sizes: dict[int, tuple[object, int]] = {}

    def step(self, where: str) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise EvaluationLimit(
                f"evaluating the module takes more than {self.max_steps:,} steps (at {where}): not read"
            )

    def check(self, value: object, where: str) -> None:
        if _small_and_flat(value):
            return  # most values: a few scalars, far under any limit (and not worth remembering)
        if self.size(value) > self.max_value:
            raise EvaluationLimit(f"a value of more than {self.max_value:,} elements (at {where}): not read")

    def check_length(self, length: int, where: str) -> None:
        if length // _CHARACTERS_PER_ELEMENT > self.max_value:
            raise EvaluationLimit(
                f"a text of more than {self.max_value * _CHARACTERS_PER_ELEMENT:,} characters (at {where}): not read"
            )

    def _known(self, value: object) -> int | None:
        if isinstance(value, str):
            return 1 + len(value) // _CHARACTERS_PER_ELEMENT
        if not isinstance(value, (list, dict, JsonText)):
            return 1
        found = self._sizes.get(id(value))
        return found[1] if found is not None and found[0] is value else None

    @staticmethod
    def _children(value: object) -> list[object]:
        if isinstance(value, JsonText):
            return [value.data]
        if isinstance(value, dict):
            return list(value.values())
        assert isinstance(value, list)
        return value

    def size(self, value: object) -> int:
        """Elements of ``value`` written out (at most ``max_value + 1``: counting stops there)."""
        known = self._known(value)
        if known is not None:
            return known
        cap = self.max_value + 1
        open_items: set[int] = set()
        stack: list[tuple[object, bool]] = [(value, False)]
        while stack:  # depth first; a container is measured once all its children are
            item, children_done = stack.pop()
            if self._known(item) is not None:
                continue
            if not children_done:
                open_items.add(id(item))
                stack.append((item, True))
                stack.extend(
                    (child, False)
                    for child in self._children(item)
                    if self._known(child) is None and id(child) not in open_items
                )
                continue
            total = 1
            for child in self._children(item):
                total += self._known(child) or 1
                if total >= cap:
                    total = cap
                    break
            self._sizes[id(item)] = (item, total)
            open_items.discard(id(item))
        return self._sizes[id(value)][1]


def _small_and_flat(value: object) -> bool:
    if isinstance(value, dict):
        children: object = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return isinstance(value, (bool, int, float)) or value is None
    assert isinstance(children, Iterable)
    return len(value) <= 64 and not any(
        isinstance(child, (dict, list, JsonText)) or (isinstance(child, str) and len(child) > 4096)
        for child in children
    )
