"""What a module's evaluator asks of the configuration around it: the values its call passes to its
variables, and the outputs of the modules it calls (``calls.ModuleTree`` answers)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from ...model.document import Problem
from ...model.values import Span, Unknown
from .module import Declaration
from .scope import Instance, Scope
from .syntax import Block, Body, Expr, Step
from .values import Result


class ModuleContext(Protocol):
    def given(self, name: str, block: Block | None) -> Result | None:
        """``var.name`` as the call sets it (already converted to its type); ``None``: the variable's
        default applies (or, in a root module, the variables files)."""
        ...

    def typed(self, name: str, block: Block | None, result: Result) -> Result:
        """A variable's value converted to its ``type`` (``optional()`` attribute defaults)."""
        ...

    def module_reference(self, name: str, steps: list[Step], scope: Scope, span: Span) -> Result:
        """``module.name…``: the outputs of a module this one calls."""
        ...

    def may_be_absent(self) -> Unknown | None:
        """Why the module instance may not exist (its call's count or keys are unresolved), or ``None``."""
        ...

    def written(self, name: str) -> str | None:
        """Where the call sets ``var.name`` (``argument vendor of module.x at main.tf:12``); ``None``
        when the value is not the caller's (a default, a root module's variables files)."""
        ...


class Declarations(Protocol):
    """The declarations a role graph is built from: one module's, or a whole tree's."""

    def by_type(self, mode: str, type_name: str) -> list[Declaration]: ...

    def providers(self, name: str) -> list[Block]:
        """The root module's ``provider`` blocks of that name (called modules inherit them)."""
        ...


class GraphEvaluator(Protocol):
    """What the role graph asks of the evaluator (one module's, or a whole tree's)."""

    @property
    def problems(self) -> list[Problem]: ...

    def instances(self, declaration: Declaration) -> list[Instance]: ...

    def argument(self, instance: Instance, name: str) -> object: ...

    def argument_result(self, instance: Instance, name: str, span: Span) -> Result: ...

    def value(self, node: Expr, scope: Scope) -> object: ...

    def nested(
        self, body: Body, kind: str, scope: Scope
    ) -> list[tuple[Block, Body, Scope] | tuple[Block, Unknown]]: ...

    def touch(self, *files: str) -> None: ...

    def recording(self) -> AbstractContextManager[set[str]]: ...
