"""The grammar's quick pass accepts exactly what the schema accepts, values that could not be
resolved included, so that ``jsonschema`` is imported only for documents that break the grammar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint.model.values import Unknown
from iam_saas_lint.rules import grammar

U = grammar.UNKNOWN_PLACEHOLDER
scalars = st.one_of(st.sampled_from(["x", "", U, "*"]), st.integers(-2, 2), st.booleans(), st.none(), st.just(1.5))
strings = st.one_of(st.sampled_from(["s3:GetObject", "*", U]), st.lists(st.sampled_from(["a", U]), max_size=2))
anything = st.one_of(scalars, strings, st.just({}), st.just([]), st.just({"a": "b"}))
principals = st.one_of(
    st.sampled_from(["*", U, "x"]),
    st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", U, "Bad"]), strings, max_size=2),
    anything,
)
condition_values = st.one_of(scalars, st.lists(scalars, max_size=2), st.just([[1]]), st.just({"k": "v"}))
conditions = st.one_of(
    st.just(U),
    anything,
    st.dictionaries(
        st.sampled_from(["StringEquals", U, "Bool"]),
        st.one_of(st.just(U), anything, st.dictionaries(st.sampled_from(["sts:ExternalId", U]), condition_values)),
        max_size=2,
    ),
)
statement_values: dict[str, Any] = {
    "Sid": st.one_of(st.just("S1"), anything),
    "Effect": st.one_of(st.sampled_from(["Allow", "Deny", U, "allow"]), anything),
    "Principal": principals,
    "NotPrincipal": principals,
    "Action": st.one_of(strings, anything),
    "NotAction": strings,
    "Resource": strings,
    "NotResource": strings,
    "Condition": conditions,
    U: anything,
    "Other": anything,
}


@st.composite
def statements(draw: st.DrawFn) -> object:
    keys = draw(st.sets(st.sampled_from(sorted(statement_values)), max_size=5))
    keys |= draw(st.sets(st.sampled_from(["Effect", "Action"]), max_size=2))
    statement = {key: draw(statement_values[key]) for key in sorted(keys)}
    return draw(st.one_of(st.just(statement), st.just(U), anything))


documents = st.fixed_dictionaries(
    {"Statement": st.one_of(statements(), st.lists(statements(), max_size=3), st.just(U), anything)},
    optional={
        "Version": st.sampled_from(["2012-10-17", "2008-10-17", U, "2020-01-01"]),
        "Id": st.one_of(st.just("id"), anything),
        U: anything,
    },
)


@settings(max_examples=600, deadline=None)
@given(documents)
def test_the_quick_pass_accepts_exactly_what_the_schema_accepts(document: dict[str, object]) -> None:
    schema_accepts = not list(grammar._validator().iter_errors(document))
    assert grammar._quick_ok(document) == schema_accepts


def _with_unknowns(value: object, draw: st.DrawFn) -> object:
    """``value`` with some placeholders (values and keys) written as the readers leave them: ``Unknown``."""
    if value == U:
        return draw(st.sampled_from([U, Unknown("var.x"), Unknown("local.y")]))
    if isinstance(value, dict):
        return {_with_unknowns(k, draw): _with_unknowns(v, draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_unknowns(item, draw) for item in value]
    return value


def _keys_collapse(value: object) -> bool:
    """Two keys of one mapping that are one placeholder in the plain form."""
    if isinstance(value, dict):
        plain_keys = [U if isinstance(k, Unknown) else k for k in value]
        return len(set(plain_keys)) < len(plain_keys) or any(_keys_collapse(v) for v in value.values())
    return isinstance(value, list) and any(_keys_collapse(item) for item in value)


@settings(max_examples=300, deadline=None)
@given(documents, st.data())
def test_the_quick_pass_reads_unresolved_values_as_their_placeholder(
    document: dict[str, object], data: st.DataObject
) -> None:
    mixed = _with_unknowns(document, data.draw)
    plain = grammar._plain(mixed)
    if _keys_collapse(mixed):  # stricter than the plain form, which the schema then accepts
        assert not grammar._quick_ok(mixed) or grammar._quick_ok(plain)
    else:
        assert grammar._quick_ok(mixed) == grammar._quick_ok(plain)
    assert grammar._schema_errors.__wrapped__(mixed, 5) == grammar._schema_errors.__wrapped__(plain, 5)


V = Unknown("var.x")
ALLOW = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}}
UNRESOLVED_PLACES = [
    {"Version": V, "Statement": [ALLOW]},
    {"Id": V, "Statement": [ALLOW]},
    {"Statement": V},
    {"Statement": [V, ALLOW]},
    {"Statement": [{**ALLOW, "Effect": V}]},
    {"Statement": [{**ALLOW, "Sid": V}]},
    {"Statement": [{**ALLOW, "Action": ["sts:AssumeRole", V]}]},
    {"Statement": [{**ALLOW, "Action": V}]},
    {"Statement": [{**ALLOW, "Principal": V}]},
    {"Statement": [{**ALLOW, "Principal": {V: "x"}}]},
    {"Statement": [{**ALLOW, "Principal": {"AWS": [V]}}]},
    {"Statement": [{**ALLOW, "Condition": V}]},
    {"Statement": [{**ALLOW, "Condition": {"StringEquals": V}}]},
    {"Statement": [{**ALLOW, "Condition": {V: {"sts:ExternalId": "x"}}}]},
    {"Statement": [{**ALLOW, "Condition": {"StringEquals": {"sts:ExternalId": V}}}]},
    {"Statement": [{**ALLOW, "Condition": {"StringEquals": {"sts:ExternalId": ["x", V]}}}]},
    {"Statement": [{**ALLOW, "Effect": V, "Condition": {"StringEquals": {V: [V]}}}]},
]


@pytest.mark.parametrize("document", UNRESOLVED_PLACES)
def test_an_unresolved_value_anywhere_the_schema_takes_its_placeholder_passes_the_quick_pass(
    document: dict[str, object],
) -> None:
    assert grammar._quick_ok(grammar._plain(document))
    assert grammar._quick_ok(document)


UNRESOLVED_CONDITION = """variable "external_id" {}

resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
      Condition = var.conditions
    }]
  })
}
"""
LOADED = """
import sys
from iam_saas_lint.cli import main
main(["--no-cache", "--jobs", "1", "--format", "concise", *sys.argv[1:]])
print("jsonschema" in sys.modules, file=sys.stderr)
"""


def _imports_jsonschema(cwd: Path, *paths: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *paths], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stderr.strip().splitlines()[-1] == "True"


def test_unresolved_values_do_not_import_jsonschema(tmp_path: Path) -> None:
    write_tree(tmp_path, {"vendor/main.tf": UNRESOLVED_CONDITION, ".iam-saas-lint.toml": ""})
    assert not _imports_jsonschema(tmp_path, "vendor")
    assert not _imports_jsonschema(REPO, "fixtures/terraform/split_files/role.tf")


def test_a_document_that_breaks_the_grammar_is_still_checked_by_the_schema(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".iam-saas-lint.toml": "",
            "trust.json": '{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Bad": "x"}}]}',
        },
    )
    assert _imports_jsonschema(tmp_path, "trust.json")
    errors = grammar.schema_errors({"Statement": [{"Effect": "Allow", "Action": "a", "Principal": {"Bad": "x"}}]})
    assert [e.path for e in errors] == [("Statement", 0, "Principal")]
