"""Evaluating expressions statically over ``syntax`` nodes: literals, templates, collections,
operators, ``for`` expressions, function calls and heredocs.

Each result comes with ``Places``: where the parts of the value are written, so that findings
inside ``jsonencode`` bodies land on the line of the offending principal or statement. References
(``var.*``, ``local.*``, resources) are resolved by the subclass, ``evaluate.Evaluator``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ...model.document import Problem
from ...model.values import Span, Unknown
from ...records import dataclass
from .functions import FileReader, call
from .limits import Budget
from .operators import binary, describe, unknown_operand
from .scope import Scope, iterate, mount
from .syntax import (
    Binary,
    Call,
    Conditional,
    Directive,
    Expr,
    ForExpr,
    Interpolation,
    Literal,
    Name,
    ObjectExpr,
    Parens,
    Template,
    TemplateText,
    Traversal,
    TupleExpr,
    Unary,
    Unsupported,
)
from .template_eval import TemplateEvaluation
from .values import Places, Result, as_text, first_unknown


@dataclass
class _Cached:
    result: Result
    files: frozenset[str]


class Expressions(TemplateEvaluation):
    def __init__(self, read_file: FileReader) -> None:
        self.read_file = read_file
        self.problems: list[Problem] = []
        self._cache: dict[tuple[object, ...], _Cached] = {}
        self._active: set[tuple[object, ...]] = set()
        self._recorders: list[set[str]] = []
        self.file_values: dict[tuple[str, str], object] = {}
        #: Steps taken and sizes of the values built (see ``limits``).
        self.budget = Budget()
        super().__init__()

    # -- bookkeeping -------------------------------------------------------------------------

    def touch(self, *files: str) -> None:
        for recorder in self._recorders:
            recorder.update(files)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Collect the files whose declarations the evaluations inside the block read."""
        files: set[str] = set()
        self._recorders.append(files)
        try:
            yield files
        finally:
            self._recorders.pop()

    def cached(self, key: tuple[object, ...], compute: Callable[[], Result], what: str, span: Span) -> Result:
        found = self._cache.get(key)
        if found is not None:
            self.touch(*found.files)
            return found.result
        if key in self._active:
            return Unknown(f"{what} refers to itself"), {(): span}
        self._active.add(key)
        try:
            with self.recording() as files:
                result = compute()
        finally:
            self._active.discard(key)
        self.budget.check(result[0], where(span))
        self._cache[key] = _Cached(result, frozenset(files))
        self.touch(*files)
        return result

    # -- expressions -------------------------------------------------------------------------

    def expr(self, node: Expr, scope: Scope) -> Result:
        self.budget.steps += 1
        if self.budget.steps > self.budget.max_steps:
            self.budget.step(where(node.span))
        method = _METHODS.get(type(node))
        if method is None:
            return Unknown(f"{type(node).__name__} expressions are not evaluated"), {(): node.span}
        return method(self, node, scope)

    def value(self, node: Expr, scope: Scope) -> object:
        return self.expr(node, scope)[0]

    def _literal(self, node: Literal, scope: Scope) -> Result:
        return node.value, {(): node.span}

    def _unsupported(self, node: Unsupported, scope: Scope) -> Result:
        return Unknown(node.description), {(): node.span}

    def _parens(self, node: Parens, scope: Scope) -> Result:
        return self.expr(node.expr, scope)

    def _name(self, node: Name, scope: Scope) -> Result:
        return self.traversal(Traversal(node, (), node.span), scope)

    def _traversal(self, node: Traversal, scope: Scope) -> Result:
        return self.traversal(node, scope)

    def _template(self, node: Template, scope: Scope) -> Result:
        if len(node.parts) == 1 and isinstance(node.parts[0], Interpolation):
            return self.expr(node.parts[0].expr, scope)  # "${x}" is the value of x
        parts: list[str] = []
        length = 0
        for part in node.parts:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Directive):
                return Unknown("template directives (%{…}) are not evaluated"), {(): node.span}
            else:
                rendered = as_text(self.value(part.expr, scope))
                if isinstance(rendered, Unknown):
                    return rendered, {(): node.span}
                length += len(rendered)
                self.budget.check_length(length, where(node.span))
                parts.append(rendered)
        return "".join(parts), {(): node.span}

    def _template_text(self, node: TemplateText, scope: Scope) -> Result:
        value = self.template(node.text, scope, node.placer, node.dedent, node.quoted)
        return value, {(): node.span}

    def _tuple(self, node: TupleExpr, scope: Scope) -> Result:
        values: list[object] = []
        places: Places = {(): node.span}
        for index, element in enumerate(node.elements):
            value, inner = self.expr(element, scope)
            values.append(value)
            self._mount(places, (index,), inner)
        self.budget.check(values, where(node.span))
        return values, places

    def _mount(self, places: Places, prefix: tuple[str | int, ...], inner: Places) -> None:
        """Where the parts of an element are written; only the element itself past a value's size limit."""
        if len(places) + len(inner) > self.budget.max_value:
            if () in inner:
                places[prefix] = inner[()]
            return
        mount(places, prefix, inner)

    def _object_key(self, key: Expr, scope: Scope) -> object:
        if isinstance(key, Name):
            return key.name
        text = as_text(self.value(key, scope))
        return text if isinstance(text, str) else Unknown(f"an object key that is not resolved ({text})")

    def _object(self, node: ObjectExpr, scope: Scope) -> Result:
        values: dict[object, object] = {}
        places: Places = {(): node.span}
        for item in node.items:
            key = self._object_key(item.key, scope)
            value, inner = self.expr(item.value, scope)
            values[key] = value
            if isinstance(key, str):
                self._mount(places, (key,), inner)
                places[(key,)] = item.span
        self.budget.check(values, where(node.span))
        return values, places

    def _conditional(self, node: Conditional, scope: Scope) -> Result:
        condition = self.value(node.condition, scope)
        if condition is True:
            return self.expr(node.if_true, scope)
        if condition is False:
            return self.expr(node.if_false, scope)
        if_true, if_false = self.expr(node.if_true, scope), self.expr(node.if_false, scope)
        if first_unknown(if_true[0]) is None and if_true[0] == if_false[0]:
            return if_true
        why = condition if isinstance(condition, Unknown) else Unknown(f"a {type(condition).__name__} condition")
        return Unknown(f"the value depends on a condition that is not resolved ({why})"), {(): node.span}

    def _unary(self, node: Unary, scope: Scope) -> Result:
        value = self.value(node.operand, scope)
        if node.operator == "!" and isinstance(value, bool):
            return not value, {(): node.span}
        if node.operator == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value, {(): node.span}
        return unknown_operand(value, node.operator), {(): node.span}

    def _binary(self, node: Binary, scope: Scope) -> Result:
        operator, span = node.operator, node.span
        left = self.value(node.left, scope)
        if operator in ("&&", "||"):
            if left is (operator == "||"):
                return left, {(): span}
            right = self.value(node.right, scope)
            if isinstance(left, bool) and isinstance(right, bool):
                return (left and right) if operator == "&&" else (left or right), {(): span}
            if right is (operator == "||"):
                return right, {(): span}
            return unknown_operand(left if not isinstance(left, bool) else right, operator), {(): span}
        return binary(operator, left, self.value(node.right, scope)), {(): span}

    def _for(self, node: ForExpr, scope: Scope) -> Result:
        span = node.span
        collection = self.value(node.collection, scope)
        pairs = iterate(collection)
        if isinstance(pairs, Unknown):
            return Unknown(f"a for expression over an unresolved collection ({pairs})"), {(): span}
        values: list[object] | dict[object, object] = [] if node.key is None else {}
        for key, item in pairs:
            names = {node.value_var: item} if node.key_var is None else {node.key_var: key, node.value_var: item}
            item_scope = scope.with_names(**names)
            keep = True if node.condition is None else self.value(node.condition, item_scope)
            if not isinstance(keep, bool):
                why = f"a for expression's condition is not resolved ({describe(keep)})"
                return Unknown(why), {(): span}
            if not keep:
                continue
            if isinstance(values, list):
                values.append(self.value(node.value, item_scope))
                continue
            assert node.key is not None
            name = as_text(self.value(node.key, item_scope))
            if isinstance(name, Unknown):
                return name, {(): span}
            value = self.value(node.value, item_scope)
            if node.grouping:
                group = values.setdefault(name, [])
                assert isinstance(group, list)
                group.append(value)
            else:
                values[name] = value
        self.budget.check(values, where(span))
        return values, {(): span}

    def _call(self, node: Call, scope: Scope) -> Result:
        args = [self.expr(argument, scope) for argument in node.args]
        span = node.span
        if node.expand_final and args:
            expanded = args[-1][0]
            if not isinstance(expanded, list):
                return Unknown("an expanded argument (...) that is not a list"), {(): span}
            args = args[:-1] + [(item, {}) for item in expanded]
        at = where(span)
        self.budget.check([value for value, _ in args], at)  # what a function makes is about this big
        result = call(self, node.name, args, span)
        self.budget.check(result[0], at)
        return result

    def traversal(self, node: Traversal, scope: Scope) -> Result:
        raise NotImplementedError


def where(span: Span) -> str:
    return f"{span.file}:{span.line}" if span.file else f"line {span.line}"


_METHODS: dict[type, Callable[[Expressions, object, Scope], Result]] = {
    Literal: Expressions._literal,  # type: ignore[dict-item]
    Unsupported: Expressions._unsupported,  # type: ignore[dict-item]
    Parens: Expressions._parens,  # type: ignore[dict-item]
    Name: Expressions._name,  # type: ignore[dict-item]
    Traversal: Expressions._traversal,  # type: ignore[dict-item]
    Template: Expressions._template,  # type: ignore[dict-item]
    TemplateText: Expressions._template_text,  # type: ignore[dict-item]
    TupleExpr: Expressions._tuple,  # type: ignore[dict-item]
    ObjectExpr: Expressions._object,  # type: ignore[dict-item]
    Conditional: Expressions._conditional,  # type: ignore[dict-item]
    Unary: Expressions._unary,  # type: ignore[dict-item]
    Binary: Expressions._binary,  # type: ignore[dict-item]
    ForExpr: Expressions._for,  # type: ignore[dict-item]
    Call: Expressions._call,  # type: ignore[dict-item]
}
