"""python-hcl2 (test-time only) as an oracle for the tree-sitter front end.

Every ``.tf`` fixture and a few written-to-be-tricky samples are parsed by both; each tree is
projected onto what the evaluator uses — blocks with their labels and places, attributes with
their places, and each expression's kind, operator, names, literal values and nested parts — and
the projections must be equal. python-hcl2 is not a runtime dependency: the test is skipped
without it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from iam_saas_lint.sources.terraform import native
from iam_saas_lint.sources.terraform.syntax import (
    Binary,
    Block,
    Body,
    Call,
    Conditional,
    Directive,
    Expr,
    ForExpr,
    Literal,
    Name,
    ObjectExpr,
    Parens,
    Template,
    TemplateText,
    Traversal,
    TupleExpr,
    Unary,
)
from iam_saas_lint.sources.terraform.syntax_build import unescape
from iam_saas_lint.sources.terraform.templates import TemplateError, scan

hcl2 = pytest.importorskip("hcl2")
REPO = Path(__file__).resolve().parent.parent
SAMPLES = {
    "tricky": r"""# a comment with { and "
// another }
/* a block comment { */
resource "aws_iam_role" "r" {
  name = "braces } in { a string \" and an escaped quote"
  description = "${jsonencode({a = "}"})} and $${literal}"
  assume_role_policy = <<-EOF
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
    } unbalanced inside the heredoc {
    EOF
  tags = { a = "b", "c" = 1.5, (local.k) = [true, null, -1] } # trailing } comment
}

locals { one = { three = 3 } }
  data "aws_iam_policy_document" "d" {
  statement {
    actions = ["*"] /* } */
    resources = [for k, v in var.m : "${k}/${v}" if v != ""]
  }
  dynamic "statement" {
    for_each = { for i, s in local.s : s.name => s... }
    content { sid = statement.value[0].sid }
  }
}
variable "v" {
  default = !var.x && (1 + 2) >= 3 ? aws_iam_role.r[*].arn : aws_iam_role.r.*.name
}
output "o" { value = concat(local.a.b[0], lookup(var.m, "k", "d"), [local.x]...) }
""",
}


def _position(meta: Any) -> tuple[int, int]:
    return int(meta.line), int(meta.column)


class Hcl2Projection:
    """python-hcl2's tree, as the evaluator read it before tree-sitter."""

    def body(self, node: Any) -> object:
        attributes, blocks = [], []
        for child in node.children:
            name = type(child).__name__
            if name == "AttributeRule":
                attributes.append(
                    (str(child.identifier.token.value), _position(child._meta), self.expr(child.expression))
                )
            elif name == "BlockRule":
                labels = [self.label(label) for label in child.labels]
                meta = child._meta
                span = (meta.line, meta.column, meta.end_line, meta.end_column)
                blocks.append((labels[0], tuple(labels[1:]), span, self.body(child.body)))
        return sorted(attributes), blocks

    @staticmethod
    def label(node: Any) -> str:
        if type(node).__name__ == "IdentifierRule":
            return str(node.token.value)
        return "".join(str(part.content.value) for part in node.string_parts if hasattr(part.content, "value"))

    def accessor(self, node: Any) -> object:
        name = type(node).__name__
        if name == "GetAttrRule":
            return ("attr", str(node.children[-1].token.value))
        if name == "ShortIndexRule":
            return ("key", int(str(node.index.value)))
        return ("index", self.expr(node.index_expression))

    def traversal(self, node: Any) -> object:
        steps: list[object] = []
        while True:
            name = type(node).__name__
            if name == "ExprTermRule" and not node.parentheses:
                node = node.expression
            elif name == "GetAttrExprTermRule":
                steps.append(("attr", str(node.get_attr.children[-1].token.value)))
                node = node.expr_term
            elif name == "IndexExprTermRule":
                steps.append(self.accessor(node.children[1]))
                node = node.children[0]
            elif name in ("AttrSplatExprTermRule", "FullSplatExprTermRule"):
                steps.append(("splat", tuple(self.accessor(a) for a in node.attr_splat.get_attrs)))
                node = node.expr_term
            else:
                break
        steps.reverse()
        root = ("name", str(node.token.value)) if type(node).__name__ == "IdentifierRule" else self.expr(node)
        return ("ref", root, tuple(steps)) if steps or root[0] == "name" else root

    def string(self, node: Any) -> object:
        from hcl2.utils import process_escape_sequences

        parts: list[object] = []
        for part in node.string_parts:
            content = part.content
            if type(content).__name__ == "InterpolationRule":
                parts.append(("interp", self.expr(content.expression)))
            elif hasattr(content, "lark_name") and content.lark_name() == "STRING_CHARS":
                parts.append(process_escape_sequences(str(content.value)))
            elif hasattr(content, "value"):
                parts.append(str(content.value)[1:])
            else:
                parts.append(("directive",))
        return _joined(parts)

    def expr(self, node: Any) -> object:
        name = type(node).__name__
        if name == "ExprTermRule":
            return self.expr(node.expression) if node.parentheses else self.traversal(node)
        if name in ("IdentifierRule", "GetAttrExprTermRule", "IndexExprTermRule") or "Splat" in name:
            return self.traversal(node)
        if name == "StringRule":
            return self.string(node)
        if name == "IntLitRule":
            return ("lit", int(str(node.token.value)))
        if name == "FloatLitRule":
            return ("lit", float(node.token.value))
        if name == "LiteralValueRule":
            return ("lit", {"true": True, "false": False, "null": None}[str(node.token.value)])
        if name == "TupleRule":
            return ("tuple", tuple(self.expr(e) for e in node.elements))
        if name == "ObjectRule":
            return ("object", tuple(self.object_item(e) for e in node.elements))
        if name == "ConditionalRule":
            return ("cond", self.expr(node.condition), self.expr(node.if_true), self.expr(node.if_false))
        if name == "UnaryOpRule":
            return ("unary", node.operator.strip(), self.expr(node.expr_term))
        if name == "BinaryOpRule":
            term = node.binary_term
            operator = str(term.binary_operator.token.value).strip()
            return ("binary", operator, self.expr(node.expr_term), self.expr(term.expr_term))
        if name in ("ForTupleExprRule", "ForObjectExprRule"):
            return self.for_expr(node, name == "ForObjectExprRule")
        if name == "FunctionCallRule":
            arguments = node.arguments
            args = tuple(self.expr(a) for a in (arguments.arguments if arguments else []))
            names = "::".join(str(i.token.value) for i in node.identifiers)
            return ("call", names, args, bool(arguments and arguments.has_ellipsis))
        if name in ("HeredocTemplateRule", "HeredocTrimTemplateRule"):
            raw = str(node.heredoc.value)
            first_newline = raw.find("\n")
            closing = raw.rstrip("\r\n").rfind("\n") + 1
            return ("heredoc", raw[first_newline + 1 : closing] if closing > first_newline else "")
        return ("unknown", name)

    def object_item(self, element: Any) -> object:
        key = element.key
        if type(key).__name__ == "ObjectElemKeyExpressionRule":
            projected = self.expr(key.expression)
        elif type(key.value).__name__ == "IdentifierRule":
            projected = ("name", str(key.value.token.value))
        else:
            projected = self.expr(key.value)
        return (projected, _position(element._meta), self.expr(element.expression))

    def for_expr(self, node: Any, is_object: bool) -> object:
        intro = node.for_intro
        second = intro.second_iterator
        names = (str(intro.first_iterator.token.value), str(second.token.value) if second is not None else None)
        key_var, value_var = (names[0], names[1]) if names[1] is not None else (None, names[0])
        condition = self.expr(node.condition.condition_expr) if node.condition is not None else None
        key = self.expr(node.key_expr) if is_object else None
        grouping = bool(is_object and node.ellipsis is not None)
        return (
            "for",
            key_var,
            value_var,
            self.expr(intro.iterable),
            key,
            self.expr(node.value_expr),
            condition,
            grouping,
        )


def _joined(parts: list[object]) -> object:
    merged: list[object] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if not merged:
        return ("lit", "")
    if len(merged) == 1 and isinstance(merged[0], str):
        return ("lit", merged[0])
    return ("template", tuple(merged))


def _quoted_directives(text: str) -> object:
    """A quoted string with directives, kept as written, projected as python-hcl2 sees it: the text
    and interpolations outside the directives, each outermost directive one part."""
    pieces = scan(text)
    assert not isinstance(pieces, TemplateError)
    parts: list[object] = []
    depth = position = 0
    for piece in pieces:
        if depth == 0:
            parts.append(unescape(text[position : piece.start]))
        position = piece.end
        word = piece.text.split(None, 1)[0] if piece.text else ""
        if piece.kind == "directive" and word in ("if", "for"):
            parts.extend([("directive",)] if depth == 0 else [])
            depth += 1
        elif piece.kind == "directive" and word in ("endif", "endfor"):
            depth -= 1
        elif depth == 0 and piece.kind == "escape":
            parts.append(piece.text)
        elif depth == 0 and piece.kind == "interpolation":
            node = native.parse_snippet(piece.text, "f.tf", lambda span: span)
            assert node is not None
            parts.append(("interp", _node_expr(node)))
    if depth == 0:
        parts.append(unescape(text[position:]))
    return _joined(parts)


def _node_body(body: Body) -> object:
    attributes = sorted((name, (a.span.line, a.span.column), _node_expr(a.expr)) for name, a in body.attributes.items())
    return attributes, [_node_block(block) for block in body.blocks]


def _node_block(block: Block) -> object:
    span = (block.span.line, block.span.column, block.span.end_line, block.span.end_column)
    return (block.kind, block.labels, span, _node_body(block.body))


def _node_step(step: tuple[str, Any]) -> object:
    kind, argument = step
    if kind == "index":
        return ("index", _node_expr(argument))
    if kind == "splat":
        return ("splat", tuple(_node_step(s) for s in argument))
    return (kind, argument)


def _node_expr(expr: Expr) -> object:
    if isinstance(expr, Parens):
        return _node_expr(expr.expr)
    if isinstance(expr, Literal):
        return ("lit", expr.value)
    if isinstance(expr, Name):
        return ("ref", ("name", expr.name), ())
    if isinstance(expr, Traversal):
        root = ("name", expr.root.name) if isinstance(expr.root, Name) else _node_expr(expr.root)
        return ("ref", root, tuple(_node_step(s) for s in expr.steps))
    if isinstance(expr, Template):
        parts: list[object] = []
        for part in expr.parts:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Directive):
                parts.append(("directive",))
            else:
                parts.append(("interp", _node_expr(part.expr)))
        return _joined(parts)
    if isinstance(expr, TemplateText) and expr.quoted:
        return _quoted_directives(expr.text)
    if isinstance(expr, TemplateText):
        return ("heredoc", expr.text)
    if isinstance(expr, TupleExpr):
        return ("tuple", tuple(_node_expr(e) for e in expr.elements))
    if isinstance(expr, ObjectExpr):
        items = []
        for item in expr.items:
            key = ("name", item.key.name) if isinstance(item.key, Name) else _node_expr(item.key)
            items.append((key, (item.span.line, item.span.column), _node_expr(item.value)))
        return ("object", tuple(items))
    if isinstance(expr, Conditional):
        return ("cond", _node_expr(expr.condition), _node_expr(expr.if_true), _node_expr(expr.if_false))
    if isinstance(expr, Unary):
        return ("unary", expr.operator, _node_expr(expr.operand))
    if isinstance(expr, Binary):
        return ("binary", expr.operator, _node_expr(expr.left), _node_expr(expr.right))
    if isinstance(expr, ForExpr):
        key = _node_expr(expr.key) if expr.key is not None else None
        condition = _node_expr(expr.condition) if expr.condition is not None else None
        return (
            "for", expr.key_var, expr.value_var, _node_expr(expr.collection), key, _node_expr(expr.value),
            condition, expr.grouping,
        )  # fmt: skip
    if isinstance(expr, Call):
        return ("call", expr.name, tuple(_node_expr(a) for a in expr.args), expr.expand_final)
    return ("unknown", type(expr).__name__)


_HEREDOC_START = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*$", re.MULTILINE)


def _for_python_hcl2(text: str) -> str:
    """python-hcl2 compares a heredoc's closing line untrimmed; Terraform (and tree-sitter) trim it."""
    markers = set(_HEREDOC_START.findall(text))
    if not markers:
        return text
    pattern = re.compile(rf"^([ \t]*(?:{'|'.join(map(re.escape, sorted(markers)))}))[ \t]+$", re.MULTILINE)
    return pattern.sub(r"\1", text)


def _fixture_files() -> list[str]:
    found = (REPO / "fixtures").rglob("*.tf")
    return sorted(str(p.relative_to(REPO)) for p in found if "hostile" not in p.parts and "broken" not in p.parts)


@pytest.mark.parametrize("name", [*SAMPLES, *_fixture_files()])
def test_both_parsers_give_the_evaluator_the_same_structures(name: str) -> None:
    text = SAMPLES[name] if name in SAMPLES else (REPO / name).read_text()
    oracle = Hcl2Projection().body(hcl2.parses(_for_python_hcl2(text), discard_comments=True).body)
    parsed = native.parse("f.tf", text)
    assert isinstance(parsed, native.ParsedFile), parsed
    blocks = [_node_block(top.convert()) for top in native.top_blocks(parsed)]
    assert ([], blocks) == oracle
