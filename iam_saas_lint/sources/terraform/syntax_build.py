"""tree-sitter-hcl nodes turned into ``syntax`` nodes (the tree's shapes are known only here)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from ...model.values import Span
from ...patterns import lazy_compile
from ..text.jsonfile import bounded_int
from .syntax import (
    Attribute,
    Binary,
    Block,
    Body,
    Call,
    Conditional,
    Directive,
    Expr,
    ForExpr,
    Interpolation,
    Literal,
    Name,
    ObjectExpr,
    ObjectItem,
    Parens,
    Step,
    Template,
    TemplatePart,
    TemplateText,
    Traversal,
    TupleExpr,
    Unary,
    Unsupported,
)

TsNode = Any
#: Expressions nested deeper than this are not read (a real module nests a dozen levels).
MAX_NESTING = 100
_OPERATORS = frozenset({"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"})
_ESCAPE = lazy_compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))|([$%])\4\{", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class TooDeep(Exception):
    def __init__(self, span: Span) -> None:
        super().__init__(f"invalid HCL: expressions nested more than {MAX_NESTING} levels deep; not read")
        self.span = span


def _escape(match: re.Match[str]) -> str:
    short, long, simple, template = match.groups()
    if template is not None:
        return template + "{"
    code = short or long
    if code is not None:
        number = int(code, 16)
        return chr(number) if number < 0x110000 else match.group(0)
    return _SIMPLE_ESCAPES.get(simple, match.group(0))


def unescape(text: str) -> str:
    """A quoted template's literal text: ``\\n``, ``\\"``, ``\\u00e9``…, ``$${`` and ``%%{``."""
    if "\\" not in text and "{" not in text:
        return text
    return _ESCAPE.sub(_escape, text)


def string_text(data: bytes, node: TsNode) -> str:
    """A quoted string without interpolations, as written between its quotes, unescaped."""
    return unescape(data[node.start_byte + 1 : max(node.end_byte - 1, node.start_byte + 1)].decode("utf-8", "replace"))


def label_text(data: bytes, node: TsNode) -> str:
    if node.type == "identifier":
        return data[node.start_byte : node.end_byte].decode("utf-8", "replace")
    return string_text(data, node)


class Converter:
    def __init__(
        self,
        file: str,
        data: bytes,
        place: Callable[[tuple[int, int]], tuple[int, int]],
        heredoc_text: Callable[[TsNode, Span], Expr],
    ) -> None:
        self.file = file
        self.data = data
        self.place = place
        self.heredoc_text = heredoc_text
        self.depth = 0
        #: Points are lines and columns from 0 (an ASCII file: a byte column is a character column).
        self.direct = False

    def text(self, node: TsNode) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def span(self, node: TsNode, last: TsNode | None = None) -> Span:
        if self.direct:
            start, end = node.start_point, (last or node).end_point
            return Span(start[0] + 1, start[1] + 1, end[0] + 1, end[1] + 1, self.file)
        line, column = self.place(tuple(node.start_point))
        end_line, end_column = self.place(tuple((last or node).end_point))
        return Span(line, column, end_line, end_column, self.file)

    # -- bodies ---------------------------------------------------------------------------------

    def body(self, node: TsNode | None) -> Body:
        body = Body(self.file)
        for child in node.named_children if node is not None else []:
            kind = child.type
            if kind == "attribute":
                attribute = self.attribute(child)
                body.attributes[attribute.name] = attribute
            elif kind == "block":
                body.blocks.append(self.block(child))
        return body

    def block(self, node: TsNode) -> Block:
        children = node.named_children
        kinds = [c.type for c in children]
        parts = [c for c, kind in zip(children, kinds, strict=True) if kind in ("identifier", "string_lit")]
        inner = children[kinds.index("body")] if "body" in kinds else None
        labels = tuple(label_text(self.data, p) for p in parts[1:])
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise TooDeep(self.span(node))
        try:
            return Block(label_text(self.data, parts[0]), labels, self.body(inner), self.span(node))
        finally:
            self.depth -= 1

    def attribute(self, node: TsNode) -> Attribute:
        children = node.named_children
        return Attribute(self.text(children[0]), self.expression(children[1]), self.span(node))

    # -- expressions ----------------------------------------------------------------------------

    def expression(self, node: TsNode) -> Expr:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise TooDeep(self.span(node))
            if node.type != "expression":
                return self.term(node)
            children = node.children
            if len(children) > 1:
                return self.sequence(children)
            base = self.term(children[0])  # most expressions: one term, no accessors
            return Traversal(base, (), base.span) if isinstance(base, Name) else base
        finally:
            self.depth -= 1

    def sequence(self, nodes: list[TsNode]) -> Expr:
        """A term and its accessors (``a.b[0]``), as tree-sitter lists them side by side."""
        if nodes[0].type == "(":
            base: Expr = Parens(self.expression(nodes[1]), self.span(nodes[0], nodes[2]))
            rest = nodes[3:]
        else:
            base, rest = self.term(nodes[0]), nodes[1:]
        steps = tuple(self.step(node) for node in rest if node.is_named and node.type != "comment")
        if steps or isinstance(base, Name):
            return Traversal(base, steps, self.span(nodes[0], nodes[-1]))
        return base

    def step(self, node: TsNode) -> Step:
        kind = node.type
        if kind == "get_attr":
            return ("attr", self.text(node.named_children[0]))
        if kind == "index":
            inner = node.named_children[0]
            if inner.type == "legacy_index":
                return ("key", bounded_int(self.text(inner).lstrip(".")))
            return ("index", self.expression(inner.named_children[0]))
        if kind == "splat":
            splat = node.named_children[0]
            return ("splat", tuple(self.step(child) for child in splat.named_children))
        return ("index", Unsupported(f"{kind} accessors are not evaluated", self.span(node)))

    def term(self, node: TsNode) -> Expr:
        kind = node.type
        if kind == "literal_value":
            return self.literal(node.named_child(0), self.span(node))
        if kind == "variable_expr":
            return Name(self.text(node), self.span(node))
        if kind == "expression":
            return self.expression(node)
        if kind in ("collection_value", "for_expr", "operation"):
            return self.term(node.named_child(0))
        span = self.span(node)
        if kind == "template_expr":
            inner = node.named_children[0]
            if inner.type == "heredoc_template":
                return self.heredoc_text(inner, span)
            return self.template(inner, span)
        method = _TERMS.get(kind)
        if method is not None:
            return method(self, node, span)
        return Unsupported(f"{kind} expressions are not evaluated", span)

    def literal(self, node: TsNode, span: Span) -> Expr:
        kind = node.type
        if kind == "string_lit":
            return Literal(string_text(self.data, node), span)
        if kind == "numeric_lit":
            text = self.text(node)
            if text.isdigit():
                return Literal(bounded_int(text), span)
            number = float(text)
            if not math.isfinite(number):
                return Unsupported("a number too large to compute", span)
            return Literal(number, span)
        if kind == "bool_lit":
            return Literal(self.text(node) == "true", span)
        if kind == "null_lit":
            return Literal(None, span)
        return Unsupported(f"{kind} literals are not evaluated", span)

    def template(self, node: TsNode, span: Span) -> Expr:
        """A quoted template's parts. Literal text is taken between the other parts, as written: the
        grammar leaves blanks next to an interpolation out of its literal nodes. With directives, the
        template is kept as written, for the evaluator to carry them out."""
        if any(child.type == "template_directive" for child in node.named_children):
            return self.quoted_text(node, span)
        parts: list[TemplatePart] = []
        position = node.start_byte + 1  # after the opening quote
        for child in node.named_children:
            if child.type not in ("template_interpolation", "template_directive"):
                continue
            parts.append(unescape(self.data[position : child.start_byte].decode("utf-8", "replace")))
            position = child.end_byte
            if child.type == "template_directive":
                parts.append(Directive(self.span(child)))
                continue
            inner = next((c for c in child.named_children if c.type == "expression"), None)
            if inner is not None:
                parts.append(Interpolation(self.expression(inner), self.span(child)))
        parts.append(unescape(self.data[position : max(node.end_byte - 1, position)].decode("utf-8", "replace")))
        parts = [part for part in parts if part != ""]
        if all(isinstance(part, str) for part in parts):
            return Literal("".join(part for part in parts if isinstance(part, str)), span)
        return Template(tuple(parts), span)

    def quoted_text(self, node: TsNode, span: Span) -> Expr:
        start = node.start_byte + 1  # after the opening quote
        text = self.data[start : max(node.end_byte - 1, start)].decode("utf-8", "replace")
        lines = text.split("\n")
        row, byte_column = node.start_point

        def point(line: int, column: int) -> tuple[int, int]:
            index = min(line, len(lines)) - 1
            columns = len(lines[index][: column - 1].encode("utf-8"))
            return self.place((row + index, columns + (byte_column + 1 if index == 0 else 0)))

        def placer(inner: Span) -> Span:
            (line, column), (end_line, end_column) = (
                point(inner.line, inner.column),
                point(inner.end_line, inner.end_column),
            )
            return Span(line, column, end_line, end_column, self.file)

        return TemplateText(text, placer, span, heredoc=False, quoted=True)

    def tuple_(self, node: TsNode, span: Span) -> Expr:
        return TupleExpr(tuple(self.expression(c) for c in node.named_children if c.type == "expression"), span)

    def object_(self, node: TsNode, span: Span) -> Expr:
        items = []
        for element in node.named_children:
            if element.type != "object_elem":
                continue
            key_node, value_node = element.child_by_field_name("key"), element.child_by_field_name("val")
            key = self.expression(key_node)
            if isinstance(key, Traversal) and isinstance(key.root, Name) and not key.steps:
                key = key.root  # a bare name stands for its text
            items.append(ObjectItem(key, self.expression(value_node), self.span(element)))
        return ObjectExpr(tuple(items), span)

    def call(self, node: TsNode, span: Span) -> Expr:
        children = node.named_children
        name = self.text(children[0])
        arguments = next((c for c in children if c.type == "function_arguments"), None)
        args: list[Expr] = []
        expand = False
        for child in arguments.named_children if arguments is not None else []:
            if child.type == "expression":
                args.append(self.expression(child))
            elif child.type == "ellipsis":
                expand = True
        return Call(name, tuple(args), expand, span)

    def conditional(self, node: TsNode, span: Span) -> Expr:
        parts = [c for c in node.named_children if c.type == "expression"]
        if len(parts) != 3:
            return Unsupported("a conditional of an unexpected shape", span)
        condition, if_true, if_false = (self.expression(p) for p in parts)
        return Conditional(condition, if_true, if_false, span)

    def unary(self, node: TsNode, span: Span) -> Expr:
        children = [c for c in node.children if c.type != "comment"]
        self.depth += 1  # operands nest without passing through ``expression`` (``- - - x``, ``a + b + c``)
        try:
            if self.depth > MAX_NESTING:
                raise TooDeep(span)
            return Unary(children[0].type, self.sequence(children[1:]), span)
        finally:
            self.depth -= 1

    def binary(self, node: TsNode, span: Span) -> Expr:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise TooDeep(span)
            return self._binary(node, span)
        finally:
            self.depth -= 1

    def _binary(self, node: TsNode, span: Span) -> Expr:
        children = [c for c in node.children if c.type != "comment"]
        depth = 0
        for index, child in enumerate(children):
            if child.type == "(":
                depth += 1
            elif child.type == ")":
                depth -= 1
            elif depth == 0 and not child.is_named and child.type in _OPERATORS and index > 0:
                left, right = self.sequence(children[:index]), self.sequence(children[index + 1 :])
                return Binary(child.type, left, right, span)
        return Unsupported("an operation of an unexpected shape", span)

    def for_expr(self, node: TsNode, span: Span) -> Expr:
        intro = next(c for c in node.named_children if c.type == "for_intro")
        names = [self.text(c) for c in intro.named_children if c.type == "identifier"]
        collection = self.expression(next(c for c in intro.named_children if c.type == "expression"))
        values = [self.expression(c) for c in node.named_children if c.type == "expression"]
        condition_node = next((c for c in node.named_children if c.type == "for_cond"), None)
        condition = None
        if condition_node is not None:
            condition = self.expression(next(c for c in condition_node.named_children if c.type == "expression"))
        grouping = any(c.type == "ellipsis" for c in node.named_children)
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        if node.type == "for_object_expr":
            return ForExpr(key_var, value_var, collection, values[0], values[1], condition, grouping, span)
        return ForExpr(key_var, value_var, collection, None, values[0], condition, False, span)


_TERMS: dict[str, Callable[[Converter, TsNode, Span], Expr]] = {
    "tuple": Converter.tuple_,
    "object": Converter.object_,
    "function_call": Converter.call,
    "conditional": Converter.conditional,
    "unary_operation": Converter.unary,
    "binary_operation": Converter.binary,
    "for_tuple_expr": Converter.for_expr,
    "for_object_expr": Converter.for_expr,
}
