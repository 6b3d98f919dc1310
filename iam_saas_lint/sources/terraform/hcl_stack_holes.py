"""A template heredoc with interpolations Terraform cannot resolve here (``${var.name}`` of an
undeclared variable, ``${aws_iam_role.x.arn}``): rendered with those interpolations left as
written, parsed, and each value that holds one made ``Unknown`` (the CloudFormation reader's text
holes do the same for ``Fn::Sub``), so that one unresolved name does not hide the whole template."""

from __future__ import annotations

import textwrap

from ...model.principals import account_of
from ...model.values import Unknown
from .evaluate import Evaluator
from .scope import Instance
from .syntax import Expr, TemplateText
from .templates import TemplateError, render, scan
from .values import as_text

_PRINCIPAL_KEYS = frozenset({"Principal", "NotPrincipal"})


def heredoc_with_holes(
    node: Expr, instance: Instance, evaluator: Evaluator, as_written: bool = True
) -> tuple[str, dict[str, Unknown]] | None:
    """The heredoc's text with unresolved interpolations as written (so that the text is found in
    the file), or else as plain words (``[ ${var.x} ]`` is no YAML), and why each is unresolved."""
    if not isinstance(node, TemplateText):
        return None
    text = textwrap.dedent(node.text) if node.dedent else node.text
    pieces = scan(text)
    if isinstance(pieces, TemplateError) or any(piece.kind == "directive" for piece in pieces):
        return None
    holes: dict[str, Unknown] = {}
    values: list[object] = []
    for piece in pieces:
        value = evaluator.interpolation(text, piece, instance.scope(), node.placer)
        if piece.kind == "interpolation":
            rendered = as_text(value)
            if isinstance(rendered, Unknown):
                written = text[piece.start : piece.end] if as_written else f"isl-unresolved-{len(holes)}"
                holes.setdefault(written, rendered)
                value = written
        values.append(value)
    result = render(text, pieces, values)
    return (result, holes) if isinstance(result, str) and holes else None


def fill_holes(value: object, holes: dict[str, Unknown], principal: bool = False) -> object:
    """The parsed template with every text that holds an unresolved interpolation made unknown."""
    if not holes:
        return value
    if isinstance(value, dict):
        return {key: fill_holes(item, holes, principal or key in _PRINCIPAL_KEYS) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_holes(item, holes, principal) for item in value]
    if not isinstance(value, str):
        return value
    found = next((written for written in holes if written in value), None)
    if found is None:
        return value
    if value == found:
        return holes[found]
    if principal and account_of(value).account is not None:
        return value  # the account is known; the rest only names a role or user in it
    return Unknown(f"{value!r}, where {holes[found]}")
