"""Static evaluation of HCL expressions over the python-hcl2 tree.

What a reviewer can resolve by reading the module is resolved: literals, string templates,
``var.*`` (tfvars, then the default), ``local.*``, ``count``/``for_each`` instances, the
caller-identity account and the partition, references to resources and policy documents, and
the common functions. Everything else becomes ``Unknown`` with the reason, never a guess.

Each result comes with ``Places``: where the parts of the value are written, so that findings
inside ``jsonencode`` bodies land on the line of the offending principal or statement.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from ...model.document import Problem
from ...model.values import OWN_ACCOUNT, JsonPath, Span, Unknown
from .module import Block, Body, Declaration, Module, Node, span_of
from .templates import Piece, TemplateError, parse_json, position, render, scan
from .values import (
    Invalid,
    InvalidText,
    JsonText,
    Places,
    ResourceAttr,
    UnknownText,
    as_text,
    first_unknown,
    format_key,
)

Result = tuple[object, Places]
FileReader = Callable[[str, str], "tuple[str, str] | Unknown"]

MAX_INSTANCES = 256
#: Resources whose name, id and ARN identify them when linking the role graph.
IDENTITY_TYPES = {
    "aws_iam_role": "role",
    "aws_iam_policy": "policy",
    "aws_iam_user": "user",
    "aws_iam_group": "group",
}


@dataclass(frozen=True)
class Instance:
    declaration: Declaration
    key: object  # None (single), int (count), str (for_each) or Unknown
    each_value: object
    address: str
    iteration: str | None  # "count" | "for_each" | None

    @property
    def file(self) -> str:
        return self.declaration.file

    def scope(self) -> Scope:
        return Scope(self.declaration.file, self)


@dataclass(frozen=True)
class Scope:
    file: str
    instance: Instance | None = None
    names: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)
    #: In a ``templatefile()`` template only the template's variables exist.
    template: bool = False
    #: For an interpolation parsed on its own: where its text starts in the file (line, column).
    origin: tuple[int, int] | None = None

    def with_names(self, **names: object) -> Scope:
        return replace(self, names={**self.names, **names})


@dataclass(frozen=True)
class BadJsonText:
    """A heredoc or file that starts like JSON but does not parse."""

    text: str | Unknown
    message: str
    span: Span


@dataclass
class _Cached:
    result: Result
    files: frozenset[str]


Step = tuple[str, Any]


def _attr_name(get_attr: Node) -> str:
    return str(get_attr.children[-1].token.value)


def _accessor_step(node: Node) -> Step:
    name = type(node).__name__
    if name == "GetAttrRule":
        return ("attr", _attr_name(node))
    if name == "ShortIndexRule":
        return ("key", int(node.index.value))
    return ("index", node.index_expression)


def flatten(node: Node) -> tuple[Node, list[Step]]:
    """A traversal ``a.b[0].c`` as its root node and its steps."""
    steps: list[Step] = []
    while True:
        name = type(node).__name__
        if name == "ExprTermRule" and not node.parentheses:
            node = node.expression
        elif name == "GetAttrExprTermRule":
            steps.append(("attr", _attr_name(node.get_attr)))
            node = node.expr_term
        elif name == "IndexExprTermRule":
            steps.append(_accessor_step(node.children[1]))
            node = node.children[0]
        elif name in ("AttrSplatExprTermRule", "FullSplatExprTermRule"):
            steps.append(("splat", [_accessor_step(item) for item in node.attr_splat.get_attrs]))
            node = node.expr_term
        else:
            steps.reverse()
            return node, steps


def sub_places(places: Places, prefix: JsonPath) -> Places:
    size = len(prefix)
    return {path[size:]: span for path, span in places.items() if path[:size] == prefix}


def mount(places: Places, prefix: JsonPath, inner: Places) -> None:
    for path, span in inner.items():
        places[prefix + path] = span


def is_string_type(variable: Block) -> bool:
    node = variable.body.attributes.get("type")
    if node is None:
        return False
    root, steps = flatten(node.expression)
    return not steps and type(root).__name__ == "IdentifierRule" and root.token.value == "string"


def iterate(value: object) -> list[tuple[object, object]] | Unknown:
    """(key, value) pairs of a collection, in Terraform's order; ``Unknown`` when it cannot be told."""
    unknown = first_unknown(value)
    if isinstance(value, dict):
        if unknown is not None and any(isinstance(k, Unknown) for k in value):
            return unknown
        return sorted(value.items(), key=lambda item: str(item[0]))
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, Unknown):
        return value
    return Unknown(f"cannot iterate over {type(value).__name__}")


class Evaluator:
    def __init__(self, module: Module, read_file: FileReader) -> None:
        self.module = module
        self.read_file = read_file
        self.problems: list[Problem] = []
        self._cache: dict[tuple[object, ...], _Cached] = {}
        self._active: set[tuple[object, ...]] = set()
        self._recorders: list[set[str]] = []
        self._instances: dict[int, list[Instance]] = {}
        self._snippets: dict[str, Node | None] = {}

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
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            return Unknown(f"{type(node).__name__} expressions are not evaluated"), {(): self._span(node, scope)}
        result: Result = method(node, scope)
        return result

    def value(self, node: Node, scope: Scope) -> object:
        return self.expr(node, scope)[0]

    def attribute(self, body: Body, name: str, scope: Scope) -> Result | None:
        node = body.attributes.get(name)
        if node is None:
            return None
        return self.expr(node.expression, scope)

    def _ExprTermRule(self, node: Node, scope: Scope) -> Result:
        if not node.parentheses:
            return self._traversal(node, scope)
        return self.expr(node.expression, scope)

    def _StringRule(self, node: Node, scope: Scope) -> Result:
        span = self._span(node, scope)
        parts: list[str] = []
        for part in node.string_parts:
            content = part.content
            kind = type(content).__name__
            if kind == "InterpolationRule":
                rendered = as_text(self.value(content.expression, scope))
                if isinstance(rendered, Unknown):
                    return rendered, {(): span}
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
                return UnknownText("template directives (%{…}) are not evaluated"), {(): span}
        return "".join(parts), {(): span}

    def _IntLitRule(self, node: Node, scope: Scope) -> Result:
        return int(node.token.value), {(): self._span(node, scope)}

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
            mount(places, (index,), inner)
        return values, places

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
                mount(places, (key,), inner)
                places[(key,)] = self._span(element, scope)
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
        return call(self, "::".join(names), args, span, scope)

    # -- heredocs and templates ----------------------------------------------------------------

    def _HeredocTemplateRule(self, node: Node, scope: Scope) -> Result:
        raw = str(node.heredoc.value)
        span = self._span(node, scope)
        first_newline = raw.find("\n")
        stripped = raw.rstrip("\r\n")
        closing = stripped.rfind("\n") + 1
        body = raw[first_newline + 1 : closing] if closing > first_newline else ""
        value = self.template(body, scope, span.line + 1, 0, raw.startswith("<<-"))
        return value, _places_of(value, span)

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
                _shift(Span(line, column, line, column), file, first_line, first_column),
            )

        def origin(piece: Piece) -> tuple[int, int]:
            line, column = position(text, piece.text_start)
            moved = _shift(Span(line, column, line, column), file, first_line, first_column)
            return moved.line, moved.column

        def evaluate(piece: Piece) -> object:
            return self.interpolation(piece, scope, origin(piece))

        found = parse_json(text, pieces, evaluate, lambda span: _shift(span, file, first_line, first_column))
        if isinstance(found, TemplateError):
            line, column = position(text, found.offset)
            rendered = render(text, pieces, [evaluate(p) for p in pieces])
            return BadJsonText(
                rendered, found.message, _shift(Span(line, column, line, column), file, first_line, first_column)
            )
        if found is not None:
            for duplicate in found.duplicates:
                where = found.places.get(duplicate) or _shift(Span(1, 1, 1, 1), file, first_line, first_column)
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
        return render(text, pieces, [self.interpolation(p, scope, None) for p in pieces])

    def interpolation(self, piece: Piece, scope: Scope, origin: tuple[int, int] | None) -> object:
        if piece.kind != "interpolation":
            return None
        node = self._snippet(piece.text)
        if node is None:
            return UnknownText(f"the interpolation ${{{piece.text[:40]}}} does not parse")
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

    # -- references ----------------------------------------------------------------------------

    def _traversal(self, node: Node, scope: Scope) -> Result:
        base, steps = flatten(node)
        span = self._span(node, scope)
        if type(base).__name__ == "IdentifierRule":
            value, places = self._reference(str(base.token.value), steps, scope, span)
            return value, places
        if type(base).__name__ == "ExprTermRule" and not base.parentheses:
            base = base.expression
        value, places = self.expr(base, scope)
        return self.apply(value, places, steps, scope, span)

    def _reference(self, root: str, steps: list[Step], scope: Scope, span: Span) -> Result:
        if root in scope.names:
            return self.apply(scope.names[root], {(): span}, steps, scope, span)
        if scope.template:
            return UnknownText(f"the template variable {root!r} is not given"), {(): span}
        first = steps[0][1] if steps and steps[0][0] == "attr" else None
        rest = steps[1:]
        if root == "var" and first is not None:
            value, _ = self.variable(first, scope.file, span)
            return self.apply(value, {(): span}, rest, scope, span)
        if root == "local" and first is not None:
            value, places = self.local(first, scope.file, span)
            return self.apply(value, places, rest, scope, span)
        if root in ("count", "each") and first is not None:
            return self.apply(self._iteration(root, first, scope), {(): span}, rest, scope, span)
        if root == "path" and first in ("module", "root", "cwd"):
            return self.apply(os.path.abspath(self.module.directory or "."), {(): span}, rest, scope, span)
        if root == "data" and len(steps) >= 2 and steps[1][0] == "attr" and first is not None:
            return self._declared("data", first, steps[1][1], steps[2:], scope, span)
        if root in ("module", "terraform", "self", "provider") or first is None:
            what = f"{root}.{first}" if first else root
            return Unknown(f"{what} is not resolved by a static reader"), {(): span}
        return self._declared("resource", root, first, rest, scope, span)

    def _iteration(self, root: str, name: str, scope: Scope) -> object:
        instance = scope.instance
        if root == "count":
            if instance is None or instance.iteration != "count" or name != "index":
                return Unknown(f"count.{name} outside a counted resource")
            return instance.key
        if instance is None or instance.iteration != "for_each":
            return Unknown(f"each.{name} outside a for_each resource")
        if name == "key":
            return instance.key
        if name == "value":
            return instance.each_value
        return Unknown(f"each.{name} is not a value")

    def variable(self, name: str, file: str, span: Span) -> Result:
        block = self.module.variable(name, file)
        key = ("var", name, block.file if block else "")

        def compute() -> Result:
            given = self.module.tfvars.get(name)
            if given is not None:
                value, where, node = given
                self.touch(where)
                if node is not None:
                    return self.expr(node.expression, Scope(where))
                return value, {}
            if block is None:
                return Invalid(f"var.{name} is not declared in the module"), {}
            self.touch(block.file)
            default = block.body.attributes.get("default")
            if default is not None:
                return self.expr(default.expression, Scope(block.file))
            why = f"var.{name} has no default and no value in terraform.tfvars or *.auto.tfvars"
            return (UnknownText(why) if is_string_type(block) else Unknown(why)), {}

        value, _ = self.cached(key, compute, f"var.{name}", span)
        return value, {(): span}

    def local(self, name: str, file: str, span: Span) -> Result:
        found = self.module.local(name, file)
        if found is None:
            return Invalid(f"local.{name} is not declared in the module"), {(): span}
        node, where = found

        def compute() -> Result:
            self.touch(where)
            return self.expr(node.expression, Scope(where))

        return self.cached(("local", name, where), compute, f"local.{name}", span)

    def apply(self, value: object, places: Places, steps: list[Step], scope: Scope, span: Span) -> Result:
        for index, (kind, argument) in enumerate(steps):
            if kind == "splat":
                if isinstance(value, Unknown):
                    return value, {(): span}
                items = value if isinstance(value, list) else ([] if value is None else [value])
                results = [self.apply(item, {}, list(argument), scope, span)[0] for item in items]
                return self.apply(results, {(): span}, steps[index + 1 :], scope, span)
            key: object = argument
            if kind == "index":
                key = self.value(argument, scope)
            if isinstance(value, ResourceInstanceRef) and kind == "attr":
                value, places = self.resource_attribute(value.instance, str(key), span)
                continue
            value, path = _step(value, kind, key)
            places = sub_places(places, path) if path else {}
            if () not in places:
                places[()] = span
        return value, places

    # -- resources and data sources --------------------------------------------------------------

    def instances(self, declaration: Declaration) -> list[Instance]:
        found = self._instances.get(id(declaration))
        if found is None:
            found = self._expand(declaration)
            self._instances[id(declaration)] = found
        for instance in found:
            self.touch(instance.file)
        return found

    def _expand(self, declaration: Declaration) -> list[Instance]:
        base = declaration.address
        attributes = declaration.block.body.attributes
        scope = Scope(declaration.file)
        if "count" in attributes:
            node = attributes["count"].expression
            count = self.value(node, scope)
            if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                return [
                    Instance(declaration, i, None, f"{base}[{i}]", "count") for i in range(min(count, MAX_INSTANCES))
                ]
            if count == 0 and _is_literal(node):
                return []
            # switched off by a default, or unknown: checked as the first instance it would create
            return [Instance(declaration, 0, None, f"{base}[0]", "count")]
        if "for_each" in attributes:
            node = attributes["for_each"].expression
            collection = self.value(node, scope)
            pairs = iterate(collection)
            if not isinstance(pairs, Unknown) and not (isinstance(collection, list) and first_unknown(collection)):
                if isinstance(collection, list):
                    pairs = [(value, value) for _, value in pairs]
                instances = [
                    Instance(declaration, key, value, f"{base}{format_key(key)}", "for_each")
                    for key, value in pairs[:MAX_INSTANCES]
                ]
                if instances or _is_literal(node):
                    return instances
            unknown = Unknown(f"each.key of {base}: its for_each is not resolved")
            return [Instance(declaration, unknown, Unknown(f"each.value of {base}"), f"{base}[each.key]", "for_each")]
        return [Instance(declaration, None, None, base, None)]

    def _declared(self, mode: str, type_name: str, name: str, steps: list[Step], scope: Scope, span: Span) -> Result:
        label = f"{'data.' if mode == 'data' else ''}{type_name}.{name}"
        declaration = self.module.find(mode, type_name, name, scope.file)
        if declaration is None:
            if mode == "data" and steps and steps[0][0] == "attr":
                value = builtin_data(type_name, steps[0][1])
                if value is not None:
                    return self.apply(value, {(): span}, steps[1:], scope, span)
            if steps and steps[0][0] == "attr":
                return InvalidText(f"{label}.{steps[0][1]}: {label} is not declared in this module"), {(): span}
            return Invalid(f"{label} is not declared in this module"), {(): span}
        instances = self.instances(declaration)
        chosen = instances
        if steps and steps[0][0] in ("index", "key"):
            key = self.value(steps[0][1], scope) if steps[0][0] == "index" else steps[0][1]
            steps = steps[1:]
            if not isinstance(key, Unknown):
                chosen = [i for i in instances if i.key == key or (isinstance(i.key, Unknown) and key is not None)]
                if not chosen:
                    return Invalid(f"{label}{format_key(key)} is not one of its instances"), {(): span}
        elif steps and steps[0][0] == "splat":
            values = [self.apply(ResourceInstanceRef(i), {}, list(steps[0][1]), scope, span)[0] for i in instances]
            return self.apply(values, {(): span}, steps[1:], scope, span)
        if not steps or steps[0][0] != "attr":
            return Unknown(f"{label} as a whole object is not evaluated"), {(): span}
        attribute, rest = steps[0][1], steps[1:]
        if len(chosen) == 1:
            value, places = self.resource_attribute(chosen[0], attribute, span)
            return self.apply(value, places, rest, scope, span)
        if mode == "resource" and type_name in IDENTITY_TYPES:
            return ResourceAttr(label, label, type_name, attribute, all_instances=True), {(): span}
        return Unknown(f"{label}.{attribute} of one of several instances"), {(): span}

    def resource_attribute(self, instance: Instance, attribute: str, span: Span) -> Result:
        declaration = instance.declaration
        self.touch(instance.file)
        if declaration.mode == "data":
            return self.data_attribute(instance, attribute, span)
        kind = IDENTITY_TYPES.get(declaration.type)
        if kind is not None and attribute in ("name", "id", "arn", "unique_id"):
            name = self.argument(instance, "name")
            known: object = name if isinstance(name, str) else None
            if attribute == "unique_id" or (attribute == "id" and kind == "policy"):
                known = None
            if attribute == "arn":
                path = self.argument(instance, "path")
                prefix = path if isinstance(path, str) else "/"
                shown = name if isinstance(name, str) else f"({instance.address})"
                known = f"arn:aws:iam::{OWN_ACCOUNT}:{kind}{prefix}{shown}"
            return ResourceAttr(instance.address, declaration.address, declaration.type, attribute, known), {(): span}
        if attribute in declaration.block.body.attributes:
            return self.argument_result(instance, attribute, span)
        return UnknownText(f"{instance.address}.{attribute} is known only after apply"), {(): span}

    def argument(self, instance: Instance, name: str) -> object:
        node = instance.declaration.block.body.attributes.get(name)
        if node is None:
            return None
        return self.argument_result(instance, name, span_of(node, instance.file))[0]

    def argument_result(self, instance: Instance, name: str, span: Span) -> Result:
        node = instance.declaration.block.body.attributes[name]
        return self.cached(
            ("argument", instance.address, name, instance.file),
            lambda: self.expr(node.expression, instance.scope()),
            f"{instance.address}.{name}",
            span,
        )

    def data_attribute(self, instance: Instance, attribute: str, span: Span) -> Result:
        declaration = instance.declaration
        if declaration.type == "aws_iam_policy_document" and attribute in ("json", "minified_json"):
            from .policy_document import render_policy_document

            return self.cached(
                ("document", instance.address, instance.file),
                lambda: render_policy_document(self, instance),
                instance.address,
                span,
            )
        builtin = builtin_data(declaration.type, attribute)
        if builtin is not None:
            return builtin, {(): span}
        if attribute in declaration.block.body.attributes:
            return self.argument_result(instance, attribute, span)
        return UnknownText(f"{instance.address}.{attribute} is read when Terraform plans"), {(): span}

    # -- nested and dynamic blocks --------------------------------------------------------------

    def nested(self, body: Body, kind: str, scope: Scope) -> list[tuple[Block, Body, Scope] | tuple[Block, Unknown]]:
        """The ``kind`` blocks of a body, with ``dynamic`` blocks expanded where their for_each resolves."""
        found: list[tuple[Block, Body, Scope] | tuple[Block, Unknown]] = []
        for block in body.blocks:
            if block.kind == kind:
                found.append((block, block.body, scope))
            elif block.kind == "dynamic" and block.labels == (kind,):
                found.extend(self._dynamic(block, kind, scope))
        return found

    def _dynamic(
        self, block: Block, kind: str, scope: Scope
    ) -> list[tuple[Block, Body, Scope] | tuple[Block, Unknown]]:
        contents = block.body.blocks_of("content")
        for_each = block.body.attributes.get("for_each")
        if not contents or for_each is None:
            return []
        iterator = kind
        iterator_node = block.body.attributes.get("iterator")
        if iterator_node is not None:
            root, steps = flatten(iterator_node.expression)
            if type(root).__name__ == "IdentifierRule" and not steps:
                iterator = str(root.token.value)
        collection = self.value(for_each.expression, scope)
        pairs = iterate(collection)
        if isinstance(pairs, Unknown):
            return [(block, Unknown(f'the dynamic "{kind}" block iterates over an unresolved value ({pairs})'))]
        return [
            (block, contents[0].body, scope.with_names(**{iterator: {"key": key, "value": value}}))
            for key, value in pairs
        ]


@dataclass(frozen=True)
class ResourceInstanceRef:
    """One instance in a splat over a resource (``aws_iam_role.x[*].arn``)."""

    instance: Instance


def builtin_data(type_name: str, attribute: str) -> object:
    if type_name == "aws_caller_identity":
        if attribute == "account_id":
            return OWN_ACCOUNT
        return Unknown(f"data.aws_caller_identity.{attribute} is read when Terraform plans")
    if type_name == "aws_partition":
        return {
            "partition": "aws",
            "id": "aws",
            "dns_suffix": "amazonaws.com",
            "reverse_dns_prefix": "com.amazonaws",
        }.get(attribute, Unknown(f"data.aws_partition.{attribute}"))
    return None


def _is_literal(node: Node) -> bool:
    root, steps = flatten(node)
    name = type(root).__name__
    if name in ("IntLitRule", "TupleRule", "ObjectRule") and not steps:
        return True
    return name == "ExprTermRule" and _is_literal(root.expression)


def _step(value: object, kind: str, key: object) -> tuple[object, JsonPath]:
    if isinstance(value, ResourceInstanceRef):
        return Unknown(f"{value.instance.address} in a splat expression"), ()
    if isinstance(value, Unknown):
        return value, ()
    if isinstance(key, Unknown):
        return Unknown(f"an index that is not resolved ({key})"), ()
    if isinstance(value, JsonText):
        value = value.data
    if isinstance(value, dict):
        name = as_text(key)
        if isinstance(name, str) and name in value:
            return value[name], (name,)
        return Invalid(f"the key {key!r} is not in the map"), ()
    if isinstance(value, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
        index = int(key)
        if 0 <= index < len(value):
            return value[index], (index,)
        return Invalid(f"the index {index} is out of range"), ()
    if isinstance(value, list) and isinstance(key, str) and key.isdigit():
        return _step(value, kind, int(key))
    return Invalid(f"cannot take {key!r} of a {type(value).__name__}"), ()


def _describe(value: object) -> str:
    return str(value) if isinstance(value, Unknown) else f"a {type(value).__name__}"


def _unknown_operand(value: object, operator: str) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Unknown(f"the operator {operator} on {_describe(value)}")


def binary(operator: str, left: object, right: object) -> object:
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


def _shift(span: Span, file: str, first_line: int, first_column: int) -> Span:
    """A span in a template's text as a span in its file (the text starts at ``first_line``)."""
    column = span.column + (first_column if span.line == 1 else 0)
    end_column = span.end_column + (first_column if span.end_line == 1 else 0)
    return Span(span.line + first_line - 1, column, span.end_line + first_line - 1, end_column, file)


def _places_of(value: object, span: Span) -> Places:
    return {(): span}


def relative_to_module(directory: str, path: str) -> str:
    return os.path.normpath(os.path.join(directory, path)) if not os.path.isabs(path) else path
