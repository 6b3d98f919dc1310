"""Policy documents of a module as the model wants them: where their parts are, unresolved values as lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...model.document import PolicyDocument, UnresolvedPolicy
from ...model.values import Anchor, JsonPath, Span, Unknown
from .scope import Instance


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


def _only_allows(document: PolicyDocument) -> bool:
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
        if isinstance(document, PolicyDocument) and _only_allows(document)
        else UnresolvedPolicy(document.label, why, anchor)
        for document in documents
    ]
