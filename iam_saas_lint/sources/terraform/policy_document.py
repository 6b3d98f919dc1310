"""``data "aws_iam_policy_document"``: its blocks rendered as the JSON document the provider builds.

As terraform-provider-aws does: ``effect`` defaults to Allow; ``principals`` blocks are grouped by
type (``type = "*"`` renders ``"Principal": "*"``); ``condition`` blocks become
``{test: {variable: values}}``, the values of blocks with the same test and variable appended;
``source_policy_documents`` come first, then the statements (replacing a source statement with the
same Sid), then ``override_policy_documents`` (replacing same-Sid statements, else appended);
``&{…}`` stands for ``${…}``. Every part keeps the place of the block or attribute it came from.
"""

from __future__ import annotations

from typing import Protocol

from ...model.values import JsonPath, Span, Unknown
from ..text.jsonfile import load_json
from .scope import Instance, Scope
from .syntax import Block, Body, Expr, Literal, Template, TemplateText, dynamic_iterator
from .values import JsonText, Places, Result, first_unknown, plain_data

Nested = list[tuple[Block, Body, Scope] | tuple[Block, Unknown]]


class Evaluator(Protocol):
    """What rendering a document needs of the evaluator."""

    def expr(self, node: Expr, scope: Scope) -> Result: ...

    def nested(self, body: Body, kind: str, scope: Scope) -> Nested: ...


_LISTS = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)
_PRINCIPALS = (("principals", "Principal"), ("not_principals", "NotPrincipal"))

Statement = tuple[object, Places]  # a statement (dict or Unknown) and its places


def _attribute(evaluator: Evaluator, body: Body, name: str, scope: Scope) -> tuple[object, Places, Span] | None:
    node = body.attributes.get(name)
    if node is None:
        return None
    value, places = evaluator.expr(node.expr, scope)
    return value, places, node.span


def _list_element(out: dict[str, object], places: Places, key: str, found: tuple[object, Places, Span]) -> None:
    value, inner, span = found
    out[key] = value
    for path, where in inner.items():
        if path:
            places[(key,) + path] = where
    places[(key,)] = span


def _principals(
    evaluator: Evaluator, body: Body, kind: str, key: str, scope: Scope, out: dict[str, object], places: Places
) -> None:
    blocks = evaluator.nested(body, kind, scope)
    if not blocks:
        return
    mapping: dict[str, list[object]] = {}
    wildcard = False
    places[(key,)] = blocks[0][0].span
    for entry in blocks:
        block = entry[0]
        if len(entry) == 2:
            assert isinstance(entry[1], Unknown)
            out[key] = entry[1]
            return
        _, inner, inner_scope = entry
        type_found = _attribute(evaluator, inner, "type", inner_scope)
        identifiers = _attribute(evaluator, inner, "identifiers", inner_scope)
        kind_value = type_found[0] if type_found else None
        if not isinstance(kind_value, str):
            out[key] = Unknown(f"a {kind} block's type is not resolved ({kind_value})")
            return
        values = identifiers[0] if identifiers else []
        if not isinstance(values, list):
            values = [values]
        if kind_value == "*":
            wildcard = True
            continue
        existing = mapping.setdefault(kind_value, [])
        places.setdefault((key, kind_value), block.span)
        if identifiers is not None:
            offset = len(existing)
            for index in range(len(values)):
                places[(key, kind_value, offset + index)] = identifiers[1].get((index,), identifiers[2])
        existing.extend(values)
    out[key] = "*" if wildcard and not mapping else {**mapping, **({"AWS": ["*"]} if wildcard else {})}


def _conditions(evaluator: Evaluator, body: Body, scope: Scope, out: dict[str, object], places: Places) -> None:
    blocks = evaluator.nested(body, "condition", scope)
    if not blocks:
        return
    conditions: dict[str, dict[str, list[object]]] = {}
    places[("Condition",)] = blocks[0][0].span
    for entry in blocks:
        block = entry[0]
        if len(entry) == 2:
            assert isinstance(entry[1], Unknown)
            out["Condition"] = entry[1]
            return
        _, inner, inner_scope = entry
        test = _attribute(evaluator, inner, "test", inner_scope)
        variable = _attribute(evaluator, inner, "variable", inner_scope)
        values = _attribute(evaluator, inner, "values", inner_scope)
        test_value, variable_value = (test[0] if test else None), (variable[0] if variable else None)
        if not isinstance(test_value, str) or not isinstance(variable_value, str):
            out["Condition"] = Unknown("a condition block's test or variable is not resolved")
            return
        found = values[0] if values else []
        if isinstance(found, Unknown):
            conditions.setdefault(test_value, {})[variable_value] = found  # type: ignore[assignment]
        else:
            target = conditions.setdefault(test_value, {}).setdefault(variable_value, [])
            if isinstance(target, list):
                target.extend(found if isinstance(found, list) else [found])
        places.setdefault(("Condition", test_value), block.span)
        places.setdefault(("Condition", test_value, variable_value), block.span)
    out["Condition"] = conditions


def _literal_allow(body: Body) -> bool:
    """The statement's ``effect`` is absent or written as the text ``Allow``."""
    node = body.attributes.get("effect")
    if node is None:
        return True
    expr = node.expr
    if isinstance(expr, Literal):
        return expr.value == "Allow"
    if isinstance(expr, TemplateText):
        return expr.text == "Allow"
    return isinstance(expr, Template) and expr.parts == ("Allow",)


def _unresolved_dynamic(evaluator: Evaluator, block: Block, reason: Unknown, scope: Scope) -> Statement:
    """A ``dynamic "statement"`` over an unresolved collection: unknown, but only as an Allow when its
    ``effect`` is a literal Allow (it cannot add a Deny), known parts kept."""
    contents = block.body.blocks_of("content")
    if not contents or not _literal_allow(contents[0].body):
        return reason, {(): block.span}
    iterator = dynamic_iterator(block, "statement")
    unknown = {"key": reason, "value": reason}
    statement, places = render_statement(evaluator, block, contents[0].body, scope.with_names(**{iterator: unknown}))
    assert isinstance(statement, dict)
    statement.pop("NotAction", None)
    statement["Action"] = reason  # how many statements, with which actions, is not known
    places[("Action",)] = block.span
    return statement, places


def render_statement(evaluator: Evaluator, block: Block, body: Body, scope: Scope) -> Statement:
    out: dict[str, object] = {}
    places: Places = {(): block.span}
    sid = _attribute(evaluator, body, "sid", scope)
    if sid is not None and sid[0] not in ("", None):
        out["Sid"] = sid[0]
        places[("Sid",)] = sid[2]
    effect = _attribute(evaluator, body, "effect", scope)
    out["Effect"] = effect[0] if effect is not None and effect[0] is not None else "Allow"
    if effect is not None:
        places[("Effect",)] = effect[2]
    for kind, key in _PRINCIPALS:
        _principals(evaluator, body, kind, key, scope, out, places)
    for attribute, key in _LISTS:
        found = _attribute(evaluator, body, attribute, scope)
        if found is not None:
            _list_element(out, places, key, found)
    _conditions(evaluator, body, scope, out, places)
    return out, places


def _statements_of(value: object, places: Places, span: Span, what: str) -> list[Statement]:
    """The statements of another document given to source/override_policy_documents."""
    if isinstance(value, JsonText):
        data, inner = value.data, value.places
    elif isinstance(value, str):
        try:
            data, inner = load_json(value), {}
        except ValueError:
            return [(Unknown(f"a {what} that is not JSON"), {(): span})]
    else:
        unknown = first_unknown(value) or Unknown(f"a {what} that is not a JSON document")
        return [(unknown, {(): span})]
    if not isinstance(data, dict):
        return [(Unknown(f"a {what} that is not a JSON object"), {(): span})]
    statements = data.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return [(first_unknown(statements) or Unknown(f"a {what} without statements"), {(): span})]
    result: list[Statement] = []
    for index, statement in enumerate(statements):
        prefix: JsonPath = ("Statement", index)
        own = {path[len(prefix) :]: where for path, where in inner.items() if path[: len(prefix)] == prefix}
        own.setdefault((), inner.get(prefix, span))
        result.append((statement, own))
    return result


def _documents(evaluator: Evaluator, body: Body, names: tuple[str, str], scope: Scope) -> list[Statement]:
    many, single = names
    statements: list[Statement] = []
    found = _attribute(evaluator, body, many, scope)
    if found is not None:
        value, places, span = found
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            statements.extend(_statements_of(item, {}, places.get((index,), span), many))
    legacy = _attribute(evaluator, body, single, scope)
    if legacy is not None and legacy[0] is not None:
        statements.extend(_statements_of(legacy[0], {}, legacy[2], single))
    return statements


def _sid(statement: object) -> str | None:
    if isinstance(statement, dict):
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            return sid
    return None


def _merge(target: list[Statement], statement: Statement) -> None:
    sid = _sid(statement[0])
    if sid is not None:
        for index, existing in enumerate(target):
            if _sid(existing[0]) == sid:
                target[index] = statement
                return
    target.append(statement)


def _policy_variables(value: object) -> object:
    """``&{aws:username}`` is how a policy document writes the IAM variable ``${aws:username}``."""
    if isinstance(value, str):
        return value.replace("&{", "${")
    if isinstance(value, list):
        return [_policy_variables(item) for item in value]
    if isinstance(value, dict):
        return {key: _policy_variables(item) for key, item in value.items()}
    return value


def render_policy_document(evaluator: Evaluator, instance: Instance) -> Result:
    block = instance.declaration.block
    scope = instance.scope()
    body = block.body
    statements = _documents(evaluator, body, ("source_policy_documents", "source_json"), scope)
    for entry in evaluator.nested(body, "statement", scope):
        if len(entry) == 2:
            assert isinstance(entry[1], Unknown)
            statements.append(_unresolved_dynamic(evaluator, entry[0], entry[1], scope))
            continue
        _, inner, inner_scope = entry
        _merge(statements, render_statement(evaluator, entry[0], inner, inner_scope))
    for overriding in _documents(evaluator, body, ("override_policy_documents", "override_json"), scope):
        _merge(statements, overriding)
    version = _attribute(evaluator, body, "version", scope)
    document: dict[str, object] = {"Version": version[0] if version and version[0] is not None else "2012-10-17"}
    places: Places = {(): block.span}
    if version is not None:
        places[("Version",)] = version[2]
    policy_id = _attribute(evaluator, body, "policy_id", scope)
    if policy_id is not None and policy_id[0] is not None:
        document["Id"] = policy_id[0]
        places[("Id",)] = policy_id[2]
    rendered: list[object] = []
    for index, (statement, statement_places) in enumerate(statements):
        rendered.append(_policy_variables(plain_data(statement)))
        for path, where in statement_places.items():
            places[("Statement", index) + path] = where
    document["Statement"] = rendered
    places[("Statement",)] = statements[0][1].get((), block.span) if statements else block.span
    return JsonText(document, places, "terraform-document"), {(): block.span}
