"""Policy documents of a module as the model wants them: where their parts are, unresolved values as lists;
the documents an instance that may not exist brings; the accounts the module deploys into."""

from __future__ import annotations

from collections.abc import Mapping

from ...model.document import DocumentKind, PolicyDocument, Problem, Syntax, UnresolvedPolicy
from ...model.values import Anchor, JsonPath, Span, Unknown
from ...records import dataclass
from ..text.jsonfile import MAX_DOCUMENT_NESTING, TooDeep, load_json, nesting_depth
from .hooks import Declarations, GraphEvaluator
from .scope import BadJsonText, Instance, Scope
from .values import JsonText, Places, ResourceAttr, plain_data


@dataclass(frozen=True)
class PlacesLocator:
    """Finds a path inside a document from the places it was written at; the root is the attribute."""

    root: Span
    places: Mapping[JsonPath, Span]

    def locate(self, path: JsonPath) -> Span | None:
        if not path:
            return self.root
        return self.places.get(path)


def unknown_values_as_lists(data: object) -> object:
    """An unresolved condition value is written as a list of one unknown value.

    IAM reads ``"k": "v"`` and ``"k": ["v"]`` alike. The list form tells the evaluator that the
    operator compares against values that are unknown but are values: ``StringEquals
    sts:ExternalId var.external_id`` pins the external id whatever the variable holds (an empty
    list would match nothing, which fails closed), while ``StringLike`` or a negated operator is
    judged as it would be for any value.
    """
    if not isinstance(data, dict):
        return data
    statements = data.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        condition = statement.get("Condition") if isinstance(statement, dict) else None
        if not isinstance(condition, dict):
            continue
        for block in condition.values():
            if isinstance(block, dict):
                for key, value in block.items():
                    if isinstance(value, Unknown):
                        block[key] = [value]
    return data


def only_allows(document: PolicyDocument) -> bool:
    data = document.data
    statements = data.get("Statement") if isinstance(data, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    return isinstance(statements, list) and all(
        isinstance(statement, dict) and statement.get("Effect") == "Allow" for statement in statements
    )


def maybe_absent(
    instance: Instance, documents: list[PolicyDocument | UnresolvedPolicy]
) -> list[PolicyDocument | UnresolvedPolicy]:
    """The documents an instance that may not exist brings: unknown, unless they only allow.

    An unresolved ``count`` or ``for_each`` never makes the first instance exist; a policy of only
    Allow statements changes no verdict on denies whether it exists or not.
    """
    reason = instance.maybe
    if reason is None:
        return documents
    attributes = instance.declaration.block.body.attributes
    meta = attributes.get("count") or attributes.get("for_each")
    span = meta.span if meta is not None else instance.declaration.block.span
    anchor = Anchor(instance.file, (), PlacesLocator(span, {}))
    why = Unknown(f"{instance.declaration.address} may not exist: {reason}")
    return [
        document
        if isinstance(document, PolicyDocument) and only_allows(document)
        else UnresolvedPolicy(document.label, why, anchor)
        for document in documents
    ]


def policy_documents(
    value: object, root: Span, kind: DocumentKind, label: str, problems: list[Problem]
) -> list[PolicyDocument | UnresolvedPolicy]:
    """A policy attribute's value as documents: the document and, apart, what of it is unresolved.

    Nothing when there is no policy or it is broken (then a problem says why).
    """
    file = root.file or ""
    anchor_places: Places = {}
    if isinstance(value, BadJsonText):
        problems.append(Problem(value.span.file or file, f"{label}: {value.message}", value.span))
        return []
    if isinstance(value, ResourceAttr):
        value = value.text()
    syntax: Syntax = "json"
    if isinstance(value, JsonText):
        data: object = plain_data(value.data)
        anchor_places = dict(value.places)
        syntax = value.syntax
    elif isinstance(value, str):
        if not value.strip():
            problems.append(Problem(file, f"{label}: the policy is empty", root))
            return []
        try:
            data = load_json(value)
        except ValueError as error:
            problems.append(Problem(file, f"{label}: not a JSON policy document ({error})", root))
            return []
    elif value is None:
        return []
    elif isinstance(value, Unknown):
        if kind == "trust":
            return [PolicyDocument(value, kind, label, Anchor(file, (), PlacesLocator(root, {})))]
        return [UnresolvedPolicy(label, value, Anchor(file, (), PlacesLocator(root, {})))]
    else:
        problems.append(
            Problem(file, f"{label}: a policy must be a JSON string (use jsonencode), not an HCL value", root)
        )
        return []
    if nesting_depth(data, MAX_DOCUMENT_NESTING) > MAX_DOCUMENT_NESTING:
        problems.append(Problem(file, f"{label}: {TooDeep(MAX_DOCUMENT_NESTING)}", root))
        return []
    anchor = Anchor(file, (), PlacesLocator(root, anchor_places))
    return [PolicyDocument(unknown_values_as_lists(data), kind, label, anchor, syntax)]


def own_accounts(module: Declarations, evaluator: GraphEvaluator) -> frozenset[str] | None:
    """The accounts the module's ``aws`` providers allow, when every one of them says (else None)."""
    accounts: set[str] = set()
    blocks = module.providers("aws")
    for block in blocks:
        node = block.body.attributes.get("allowed_account_ids")
        value = evaluator.value(node.expr, Scope(block.file)) if node is not None else None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return None
        accounts.update(str(item) for item in value)
    return frozenset(accounts) if blocks else None
