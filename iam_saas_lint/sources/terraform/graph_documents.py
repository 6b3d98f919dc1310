"""Policy documents of a module as the model wants them: where their parts are, unresolved values as lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...model.values import JsonPath, Span, Unknown


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
