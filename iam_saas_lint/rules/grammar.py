"""The IAM policy grammar, checked by a JSON Schema.

The schema (``data/policy.schema.json``) is the authority. A quick structural pass accepts what
the schema accepts (values that could not be resolved included) without importing ``jsonschema``;
only a document it rejects is validated by the schema, which writes the message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from ..model.document import PolicyDocument
from ..model.memo import by_content
from ..model.statements import STATEMENT_ELEMENTS
from ..model.values import JsonPath, Unknown
from ..records import dataclass

UNKNOWN_PLACEHOLDER = "<unknown>"
_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})


@dataclass(frozen=True)
class GrammarError:
    message: str
    path: JsonPath


def _plain(value: object) -> object:
    """The document with every ``Unknown`` replaced by a placeholder the schema accepts."""
    if isinstance(value, Unknown):
        return UNKNOWN_PLACEHOLDER
    if isinstance(value, dict):
        return {(UNKNOWN_PLACEHOLDER if isinstance(k, Unknown) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _unresolved(value: object) -> bool:
    """An ``Unknown``, or the placeholder ``_plain`` writes for one: the quick pass reads either, so
    a document is copied into its plain form only when the schema must see it."""
    return isinstance(value, Unknown) or value == UNKNOWN_PLACEHOLDER


def _is_strings(value: object) -> bool:
    if isinstance(value, (str, Unknown)):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(item, (str, Unknown)) for item in value)


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, Unknown))  # bool is an int


def _principal_ok(principal: object) -> bool:
    if not isinstance(principal, dict):
        return principal == "*" or _unresolved(principal)
    if not principal:
        return False
    kinds_ok = all(k in _PRINCIPAL_KINDS or _unresolved(k) for k in principal)
    return kinds_ok and all(_is_strings(v) for v in principal.values())


def _condition_ok(condition: object) -> bool:
    if _unresolved(condition):
        return True
    if not isinstance(condition, dict):
        return False
    for block in condition.values():
        if _unresolved(block):
            continue
        if not isinstance(block, dict):
            return False
        for values in block.values():
            if not (_is_scalar(values) or (isinstance(values, list) and all(_is_scalar(v) for v in values))):
                return False
    return True


def _quick_statement_ok(statement: object) -> bool:
    """Exactly what the schema accepts for a statement, values that could not be resolved included,
    so that ``jsonschema`` is imported only for documents that break the grammar."""
    if not isinstance(statement, dict) or not statement.keys() <= STATEMENT_ELEMENTS:
        return False
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny") and not _unresolved(effect):
        return False
    if ("Action" in statement) == ("NotAction" in statement):  # exactly one of them
        return False
    if ("Principal" in statement and "NotPrincipal" in statement) or (
        "Resource" in statement and "NotResource" in statement
    ):
        return False
    if "Sid" in statement and not isinstance(statement["Sid"], (str, Unknown)):
        return False
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement and not _is_strings(statement[key]):
            return False
    for key in ("Principal", "NotPrincipal"):
        if key in statement and not _principal_ok(statement[key]):
            return False
    return "Condition" not in statement or _condition_ok(statement["Condition"])


def _quick_block_ok(block: object) -> bool:
    return _condition_ok({"operator": block})


#: Condition operators of a failing statement given to the schema: those the quick pass doubts
#: (a statement of 100,000 operators with one bad block took the schema ten seconds).
_MAX_SCHEMA_OPERATORS = 100


def _for_the_schema(statement: object) -> object:
    """The statement with only the condition blocks the quick pass does not accept (the others it
    would accept in a valid statement, and the schema would only confirm)."""
    condition = statement.get("Condition") if isinstance(statement, dict) else None
    if not isinstance(condition, dict) or len(condition) <= _MAX_SCHEMA_OPERATORS:
        return statement
    assert isinstance(statement, dict)
    doubted = [(operator, block) for operator, block in condition.items() if not _quick_block_ok(block)]
    kept = dict(doubted[:_MAX_SCHEMA_OPERATORS] or list(condition.items())[:1])
    return {**statement, "Condition": kept}


def _quick_ok(document: object) -> bool:
    if not isinstance(document, dict) or "Statement" not in document:
        return False
    if not document.keys() <= _DOCUMENT_KEYS:
        return False
    version = document.get("Version", "2012-10-17")
    if version not in ("2012-10-17", "2008-10-17") and not _unresolved(version):
        return False
    if "Id" in document and not isinstance(document["Id"], (str, Unknown)):
        return False
    statements = document["Statement"]
    if _unresolved(statements):
        return True
    if isinstance(statements, dict):
        return _quick_statement_ok(statements)
    if not isinstance(statements, list) or not statements:
        return False
    for statement in statements:  # a loop, not all(): most documents hold one or two statements
        if not (_quick_statement_ok(statement) if isinstance(statement, dict) else _unresolved(statement)):
            return False
    return True


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "policy.schema.json"), "rb") as handle:
        schema = json.load(handle)
    return Draft202012Validator(schema)


def _describe(error: Any, prefix: JsonPath) -> GrammarError:
    from jsonschema.exceptions import best_match

    deepest = best_match([error]) if error.context else error
    path: JsonPath = prefix + tuple(deepest.absolute_path)
    message = deepest.message.replace(f", '{UNKNOWN_PLACEHOLDER}'", "")
    if deepest.validator == "not" and isinstance(deepest.validator_value, dict):
        message = " and ".join(deepest.validator_value.get("required", [])) + " cannot both appear"
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "document"
    return GrammarError(f"{where}: {message}", path)


def _parts(plain: object) -> Iterator[tuple[JsonPath, object, Any]]:
    """What to validate: the document, or its frame and then each statement on its own."""
    validator = _validator()
    statements = plain.get("Statement") if isinstance(plain, dict) else None
    if isinstance(plain, dict) and isinstance(statements, dict):  # one statement, not in a list
        yield (), {**plain, "Statement": _for_the_schema(statements)}, validator
        return
    if not (isinstance(plain, dict) and isinstance(statements, list) and statements):
        yield (), plain, validator
        return
    root = validator.schema
    statement_schema = validator.evolve(schema={"$defs": root["$defs"], "$ref": "#/$defs/statement"})
    yield (), {**plain, "Statement": UNKNOWN_PLACEHOLDER}, validator
    for index, statement in enumerate(statements):
        # statements the quick pass accepts are valid: a policy may hold thousands of them
        if not _unresolved(statement) and not _quick_statement_ok(statement):
            yield ("Statement", index), _for_the_schema(statement), statement_schema


def schema_errors(data: object, limit: int = 5) -> list[GrammarError]:
    """Grammar errors, each statement validated on its own so every bad statement is named."""
    if isinstance(data, Unknown):
        return []  # nothing to check; the rules say what depends on it
    return list(_schema_errors(data, limit))


@by_content  # once per identical document: thousands of roles may be written from one template
def _schema_errors(data: object, limit: int) -> tuple[GrammarError, ...]:
    if _quick_ok(data):
        return ()
    plain = _plain(data)
    if _quick_ok(plain):  # two unresolved keys of one mapping are one placeholder there
        return ()
    found: list[GrammarError] = []
    for prefix, instance, part_validator in _parts(plain):
        errors = sorted(part_validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
        found.extend(_describe(error, prefix) for error in errors)
        if len(found) >= limit:
            break
    return tuple(found[:limit])


def kind_errors(document: PolicyDocument, limit: int = 5) -> list[GrammarError]:
    """Elements that the grammar allows in general but not in this kind of policy (the first ``limit``)."""
    data = document.data
    if not isinstance(data, dict):
        return []
    statements = data.get("Statement")
    items: Iterable[tuple[JsonPath, object]] = [(("Statement",), statements)] if isinstance(statements, dict) else []
    if isinstance(statements, list):
        items = ((("Statement", i), s) for i, s in enumerate(statements))
    found: list[GrammarError] = []
    for path, statement in items:
        if not isinstance(statement, dict):
            continue
        if document.kind == "trust":
            if "Principal" not in statement and "NotPrincipal" not in statement:
                found.append(GrammarError("a trust-policy statement needs a Principal", path))
            for key in ("Resource", "NotResource"):
                if key in statement:
                    found.append(GrammarError(f"trust policies do not support {key}", path + (key,)))
        elif document.kind in ("permissions", "boundary"):
            for key in ("Principal", "NotPrincipal"):
                if key in statement:
                    found.append(GrammarError(f"an identity-based policy must not specify {key}", path + (key,)))
        if len(found) >= limit:
            break
    return found[:limit]
