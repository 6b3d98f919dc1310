"""Evaluating HCL expressions statically over the python-hcl2 tree: literals, templates,
collections, operators, ``for`` expressions, function calls and heredocs.

Each result comes with ``Places``: where the parts of the value are written, so that findings
inside ``jsonencode`` bodies land on the line of the offending principal or statement. References
(``var.*``, ``local.*``, resources) are resolved by the subclass, ``evaluate.Evaluator``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from ...model.document import Problem
from ...model.values import Span, Unknown
from ..text.jsonfile import bounded_int
from .limits import Budget
from .module import Node, span_of
from .scope import BadJsonText, Scope, iterate, mount, shift
from .templates import Piece, TemplateError, parse_json, position, render, scan
from .values import JsonText, Places, ResourceAttr, as_text, first_unknown

Result = tuple[object, Places]
#: Reads a file named by file() or templatefile(): (path shown in findings, text), or why not.
FileReader = Callable[[str], "tuple[str, str] | Unknown"]


@dataclass
class _Cached:
    result: Result
    files: frozenset[str]


class Expressions:
    def __init__(self, read_file: FileReader) -> None:
        self.read_file = read_file
        self.problems: list[Problem] = []
        self._cache: dict[tuple[object, ...], _Cached] = {}
        self._active: set[tuple[object, ...]] = set()
        self._recorders: list[set[str]] = []
        self._snippets: dict[str, Node | None] = {}
        #: Steps taken and sizes of the values built (see ``limits``).
        self.budget = Budget()

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
        self.budget.check(result[0], _where(span))
        self._cache[key] = _Cached(result, frozenset(files))
        self.touch(*files)
        return result

    # -- expressions -------------------------------------------------------------------------

    @staticmethod
    def _span(node: Node, scope: Scope) -> Span:
        span = span_of(node, scope.file)
        if scope.origin is None:
            return span
        line, column = scope.origin

        def move(at_line: int, at_column: int) -> tuple[int, int]:
            # an interpolation is parsed as "x = <text>": its first line starts at column 5
            if at_line == 1:
                return line, column + at_column - 5
            return line + at_line - 1, at_column

        start, end = move(span.line, span.column), move(span.end_line, span.end_column)
        return Span(start[0], start[1], end[0], end[1], span.file)

    def expr(self, node: Node, scope: Scope) -> Result:
        self.budget.steps += 1
        if self.budget.steps > self.budget.max_steps:
            self.budget.step(_where(self._span(node, scope)))
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            return Unknown(f"{type(node).__name__} expressions are not evaluated"), {(): self._span(node, scope)}
        result: Result = method(node, scope)
        return result

    def value(self, node: Node, scope: Scope) -> object:
        return self.expr(node, scope)[0]

    def _ExprTermRule(self, node: Node, scope: Scope) -> Result:
        if not node.parentheses:
            return self._traversal(node, scope)
        return self.expr(node.expression, scope)

    def _StringRule(self, node: Node, scope: Scope) -> Result:
        span = self._span(node, scope)
        parts: list[str] = []
        length = 0
        for part in node.string_parts:
            content = part.content
            kind = type(content).__name__
            if kind == "InterpolationRule":
                rendered = as_text(self.value(content.expression, scope))
                if isinstance(rendered, Unknown):
                    return rendered, {(): span}
                length += len(rendered)
                self.budget.check_length(length, _where(span))
                parts.append(rendered)
            elif hasattr(content, "value") and hasattr(content, "lark_name"):
                token = content.lark_name()
                text = str(content.value)
                if token == "STRING_CHARS":
                    from hcl2.utils import process_escape_sequences

                    parts.append(process_escape_sequences(text))
                else:  # $${ and %%{ stand for ${ and %{
                    parts.append(text[1:])
            else:
                return Unknown("template directives (%{…}) are not evaluated"), {(): span}
        return "".join(parts), {(): span}

    def _IntLitRule(self, node: Node, scope: Scope) -> Result:
        return bounded_int(str(node.token.value)), {(): self._span(node, scope)}

    def _FloatLitRule(self, node: Node, scope: Scope) -> Result:
        return float(node.token.value), {(): self._span(node, scope)}

    def _LiteralValueRule(self, node: Node, scope: Scope) -> Result:
        literal = {"true": True, "false": False, "null": None}.get(str(node.token.value))
        return literal, {(): self._span(node, scope)}

    def _IdentifierRule(self, node: Node, scope: Scope) -> Result:
        return self._traversal(node, scope)

    _GetAttrExprTermRule = _IdentifierRule
    _IndexExprTermRule = _IdentifierRule
    _AttrSplatExprTermRule = _IdentifierRule
    _FullSplatExprTermRule = _IdentifierRule

    def _TupleRule(self, node: Node, scope: Scope) -> Result:
        values: list[object] = []
        places: Places = {(): self._span(node, scope)}
        for index, element in enumerate(node.elements):
            value, inner = self.expr(element, scope)
            values.append(value)
            self._mount(places, (index,), inner)
        self.budget.check(values, _where(places[()]))
        return values, places

    def _mount(self, places: Places, prefix: tuple[str | int, ...], inner: Places) -> None:
        """Where the parts of an element are written; only the element itself past a value's size limit."""
        if len(places) + len(inner) > self.budget.max_value:
            if () in inner:
                places[prefix] = inner[()]
            return
        mount(places, prefix, inner)

    def _object_key(self, key: Node, scope: Scope) -> object:
        if type(key).__name__ == "ObjectElemKeyExpressionRule":
            value = self.value(key.expression, scope)
        else:
            inner = key.value
            if type(inner).__name__ == "IdentifierRule":
                return str(inner.token.value)
            value = self.value(inner, scope)
        text = as_text(value)
        return text if isinstance(text, str) else Unknown(f"an object key that is not resolved ({text})")

    def _ObjectRule(self, node: Node, scope: Scope) -> Result:
        values: dict[object, object] = {}
        places: Places = {(): self._span(node, scope)}
        for element in node.elements:
            key = self._object_key(element.key, scope)
            value, inner = self.expr(element.expression, scope)
            values[key] = value
            if isinstance(key, str):
                self._mount(places, (key,), inner)
                places[(key,)] = self._span(element, scope)
        self.budget.check(values, _where(places[()]))
        return values, places

    def _ConditionalRule(self, node: Node, scope: Scope) -> Result:
        condition = self.value(node.condition, scope)
        if condition is True:
            return self.expr(node.if_true, scope)
        if condition is False:
            return self.expr(node.if_false, scope)
        if_true, if_false = self.expr(node.if_true, scope), self.expr(node.if_false, scope)
        if first_unknown(if_true[0]) is None and if_true[0] == if_false[0]:
            return if_true
        why = condition if isinstance(condition, Unknown) else Unknown(f"a {type(condition).__name__} condition")
        return Unknown(f"the value depends on a condition that is not resolved ({why})"), {(): self._span(node, scope)}

    def _UnaryOpRule(self, node: Node, scope: Scope) -> Result:
        value = self.value(node.expr_term, scope)
        span = self._span(node, scope)
        operator = node.operator.strip()
        if operator == "!" and isinstance(value, bool):
            return not value, {(): span}
        if operator == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value, {(): span}
        return _unknown_operand(value, operator), {(): span}

    def _BinaryOpRule(self, node: Node, scope: Scope) -> Result:
        operator = str(node.binary_term.binary_operator.token.value).strip()
        left = self.value(node.expr_term, scope)
        span = self._span(node, scope)
        if operator in ("&&", "||"):
            if left is (operator == "||"):
                return left, {(): span}
            right = self.value(node.binary_term.expr_term, scope)
            if isinstance(left, bool) and isinstance(right, bool):
                return (left and right) if operator == "&&" else (left or right), {(): span}
            if right is (operator == "||"):
                return right, {(): span}
            return _unknown_operand(left if not isinstance(left, bool) else right, operator), {(): span}
        right = self.value(node.binary_term.expr_term, scope)
        return binary(operator, left, right), {(): span}

    def _ForTupleExprRule(self, node: Node, scope: Scope) -> Result:
        span = self._span(node, scope)
        items = self._for_items(node.for_intro, scope)
        if isinstance(items, Unknown):
            return items, {(): span}
        values: list[object] = []
        for item_scope in items:
            keep = self._for_condition(node.condition, item_scope)
            if isinstance(keep, Unknown):
                return keep, {(): span}
            if keep:
                values.append(self.value(node.value_expr, item_scope))
        self.budget.check(values, _where(span))
        return values, {(): span}

    def _ForObjectExprRule(self, node: Node, scope: Scope) -> Result:
        span = self._span(node, scope)
        items = self._for_items(node.for_intro, scope)
        if isinstance(items, Unknown):
            return items, {(): span}
        values: dict[object, object] = {}
        for item_scope in items:
            keep = self._for_condition(node.condition, item_scope)
            if isinstance(keep, Unknown):
                return keep, {(): span}
            if not keep:
                continue
            key = as_text(self.value(node.key_expr, item_scope))
            if isinstance(key, Unknown):
                return key, {(): span}
            value = self.value(node.value_expr, item_scope)
            if node.ellipsis is not None:
                group = values.setdefault(key, [])
                assert isinstance(group, list)
                group.append(value)
            else:
                values[key] = value
        self.budget.check(values, _where(span))
        return values, {(): span}

    def _for_items(self, intro: Node, scope: Scope) -> list[Scope] | Unknown:
        collection = self.value(intro.iterable, scope)
        pairs = iterate(collection)
        if isinstance(pairs, Unknown):
            return Unknown(f"a for expression over an unresolved collection ({pairs})")
        first = str(intro.first_iterator.token.value)
        second = intro.second_iterator
        scopes = []
        for key, value in pairs:
            if second is not None:
                scopes.append(scope.with_names(**{first: key, str(second.token.value): value}))
            else:
                scopes.append(scope.with_names(**{first: value}))
        return scopes

    def _for_condition(self, condition: Node | None, scope: Scope) -> bool | Unknown:
        if condition is None:
            return True
        value = self.value(condition.condition_expr, scope)
        if isinstance(value, bool):
            return value
        return Unknown(f"a for expression's condition is not resolved ({_describe(value)})")

    def _FunctionCallRule(self, node: Node, scope: Scope) -> Result:
        from .functions import call

        names = [str(identifier.token.value) for identifier in node.identifiers]
        arguments = node.arguments
        args = [self.expr(argument, scope) for argument in (arguments.arguments if arguments else [])]
        span = self._span(node, scope)
        if arguments is not None and arguments.has_ellipsis and args:
            expanded = args[-1][0]
            if not isinstance(expanded, list):
                return Unknown("an expanded argument (...) that is not a list"), {(): span}
            args = args[:-1] + [(item, {}) for item in expanded]
        where = _where(span)
        self.budget.check([value for value, _ in args], where)  # what a function makes is about this big
        result = call(self, "::".join(names), args, span)
        self.budget.check(result[0], where)
        return result

    # -- heredocs and templates ----------------------------------------------------------------

    def _HeredocTemplateRule(self, node: Node, scope: Scope) -> Result:
        raw = str(node.heredoc.value)
        span = self._span(node, scope)
        first_newline = raw.find("\n")
        stripped = raw.rstrip("\r\n")
        closing = stripped.rfind("\n") + 1
        body = raw[first_newline + 1 : closing] if closing > first_newline else ""
        value = self.template(body, scope, span.line + 1, 0, raw.startswith("<<-"))
        return value, {(): span}

    _HeredocTrimTemplateRule = _HeredocTemplateRule

    def template(self, text: str, scope: Scope, first_line: int, first_column: int, dedent: bool = False) -> object:
        """A template's value: ``JsonText`` when it holds JSON, else its text (or ``Unknown``)."""
        file = scope.file
        pieces = scan(text)
        if isinstance(pieces, TemplateError):
            line, column = position(text, pieces.offset)
            return BadJsonText(
                Unknown(pieces.message),
                pieces.message,
                shift(Span(line, column, line, column), file, first_line, first_column),
            )

        def origin(piece: Piece) -> tuple[int, int]:
            line, column = position(text, piece.text_start)
            moved = shift(Span(line, column, line, column), file, first_line, first_column)
            return moved.line, moved.column

        def evaluate(piece: Piece) -> object:
            return self.interpolation(piece, scope, origin(piece))

        found = parse_json(text, pieces, evaluate, lambda span: shift(span, file, first_line, first_column))
        if isinstance(found, TemplateError):
            line, column = position(text, found.offset)
            rendered = self._render(text, pieces, [evaluate(p) for p in pieces], file, first_line)
            return BadJsonText(
                rendered, found.message, shift(Span(line, column, line, column), file, first_line, first_column)
            )
        if found is not None:
            for duplicate in found.duplicates:
                where = found.places.get(duplicate) or shift(Span(1, 1, 1, 1), file, first_line, first_column)
                self.problems.append(
                    Problem(
                        where.file or file,
                        f"duplicate key {duplicate[-1]!r} in a JSON policy: parsers disagree on which copy wins",
                        where,
                    )
                )
            return JsonText(found.data, found.places)
        if dedent:
            text = textwrap.dedent(text)
            pieces = scan(text)
            assert not isinstance(pieces, TemplateError)
        return self._render(text, pieces, [self.interpolation(p, scope, None) for p in pieces], file, first_line)

    def _render(self, text: str, pieces: list[Piece], values: list[object], file: str, line: int) -> str | Unknown:
        length = len(text) + sum(len(value) for value in values if isinstance(value, str))
        self.budget.check_length(length, f"{file}:{line}")
        return render(text, pieces, values)

    def interpolation(self, piece: Piece, scope: Scope, origin: tuple[int, int] | None) -> object:
        if piece.kind != "interpolation":
            return None
        node = self._snippet(piece.text)
        if node is None:
            return Unknown(f"the interpolation ${{{piece.text[:40]}}} does not parse")
        return self.value(node, replace(scope, origin=origin))

    def _snippet(self, text: str) -> Node | None:
        if text not in self._snippets:
            from .hcl import ParseError, parse_hcl

            tree = parse_hcl(f"x = {text}\n")
            node = None
            if not isinstance(tree, ParseError):
                for child in tree.body.children:
                    if type(child).__name__ == "AttributeRule":
                        node = child.expression
            self._snippets[text] = node
        return self._snippets[text]

    def _traversal(self, node: Node, scope: Scope) -> Result:
        raise NotImplementedError


def _describe(value: object) -> str:
    return str(value) if isinstance(value, Unknown) else f"a {type(value).__name__}"


def _unknown_operand(value: object, operator: str) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Unknown(f"the operator {operator} on {_describe(value)}")


def _where(span: Span) -> str:
    return f"{span.file}:{span.line}" if span.file else f"line {span.line}"


#: Terraform's numbers have 512 bits of precision; larger results are not computed.
_MAX_NUMBER = 2**512


def binary(operator: str, left: object, right: object) -> object:
    result = _binary(operator, left, right)
    if isinstance(result, int) and not isinstance(result, bool) and abs(result) > _MAX_NUMBER:
        return Unknown(f"a number too large to compute (the operator {operator})")
    return result


def _binary(operator: str, left: object, right: object) -> object:
    for side in (left, right):
        unknown = first_unknown(side)
        if unknown is not None:
            return unknown
    left, right = _plainish(left), _plainish(right)
    if operator == "==":
        return (left == right and type(left) is type(right)) or _numbers_equal(left, right)
    if operator == "!=":
        return not ((left == right and type(left) is type(right)) or _numbers_equal(left, right))
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
    if not numbers:
        return Unknown(f"the operator {operator} on non-numbers")
    assert isinstance(left, (int, float)) and isinstance(right, (int, float))
    if operator in ("<", ">", "<=", ">="):
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[operator]
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator == "/" and right:
        return left / right
    if operator == "%" and right:
        return left % right
    return Unknown(f"the operator {operator}")


def _numbers_equal(left: object, right: object) -> bool:
    numeric = (int, float)
    return (
        isinstance(left, numeric)
        and isinstance(right, numeric)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
        and left == right
    )


def _plainish(value: object) -> object:
    if isinstance(value, (ResourceAttr, JsonText)):
        return value.text()
    return value
