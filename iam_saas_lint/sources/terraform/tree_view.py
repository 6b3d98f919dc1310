"""A module tree seen as one module by the role graph: every instance's declarations, each
evaluated by the evaluator of the module instance it belongs to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ...model.document import Problem
from ...model.values import Span, Unknown
from .evaluate import Evaluator
from .module import Declaration
from .scope import Instance, Scope
from .syntax import Block, Body, Expr
from .values import Result


class TreeView:
    """``Declarations`` and ``GraphEvaluator`` over several module instances."""

    def __init__(self, evaluators: Sequence[Evaluator]) -> None:
        self.evaluators = list(evaluators)
        self._owners: dict[int, tuple[Declaration, Evaluator]] = {}

    @property
    def problems(self) -> list[Problem]:
        return self.evaluators[0].problems  # the tree's evaluators share one list

    def by_type(self, mode: str, type_name: str) -> list[Declaration]:
        found = []
        for evaluator in self.evaluators:
            for declaration in evaluator.module.by_type(mode, type_name):
                owned = evaluator.own(declaration)
                self._owners[id(owned)] = (owned, evaluator)
                found.append(owned)
        return found

    def providers(self, name: str) -> list[Block]:
        return self.evaluators[0].module.providers(name)

    def owner(self, declaration: Declaration) -> Evaluator:
        found = self._owners.get(id(declaration))
        return found[1] if found is not None and found[0] is declaration else self.evaluators[0]

    def _of(self, scope: Scope) -> Evaluator:
        return self.owner(scope.instance.declaration) if scope.instance is not None else self.evaluators[0]

    def instances(self, declaration: Declaration) -> list[Instance]:
        return self.owner(declaration).instances(declaration)

    def argument(self, instance: Instance, name: str) -> object:
        return self.owner(instance.declaration).argument(instance, name)

    def argument_result(self, instance: Instance, name: str, span: Span) -> Result:
        return self.owner(instance.declaration).argument_result(instance, name, span)

    def value(self, node: Expr, scope: Scope) -> object:
        return self._of(scope).value(node, scope)

    def nested(self, body: Body, kind: str, scope: Scope) -> list[tuple[Block, Body, Scope] | tuple[Block, Unknown]]:
        return self._of(scope).nested(body, kind, scope)

    def touch(self, *files: str) -> None:
        self.evaluators[0].touch(*files)  # the tree's evaluators share one list of recorders

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        with self.evaluators[0].recording() as files:
            yield files
