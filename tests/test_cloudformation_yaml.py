"""Reading YAML safely and with positions, including hostile input."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from iam_saas_lint.config import Config
from iam_saas_lint.engine import run
from iam_saas_lint.model.values import Span, Unknown
from iam_saas_lint.sources.text.yaml_positions import ALIAS_EXPANSION_LIMIT, YamlError, load_yaml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cloudformation"


def load(text: str) -> object:
    (document,) = load_yaml(text)
    return document.data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !Ref Param", {"Ref": "Param"}),
        ("a: !Condition IsProd", {"Condition": "IsProd"}),
        ("a: !GetAtt Role.Arn", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("a: !GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("a: !GetAtt [Role, Arn]", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("a: !Sub 'arn:${AWS::Partition}:x'", {"Fn::Sub": "arn:${AWS::Partition}:x"}),
        ("a: !Sub ['x-${A}', {A: 1}]", {"Fn::Sub": ["x-${A}", {"A": 1}]}),
        ("a: !If [C, 1, 2]", {"Fn::If": ["C", 1, 2]}),
        ("a: !Join ['', [a, b]]", {"Fn::Join": ["", ["a", "b"]]}),
        ("a: !Select [0, !Split [',', 'a,b']]", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}),
        ("a: !FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
        ("a: !ImportValue Export", {"Fn::ImportValue": "Export"}),
        ("a: !Base64 text", {"Fn::Base64": "text"}),
        ("a: !Cidr [10.0.0.0/16, 2, 8]", {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}),
        ("a: !GetAZs ''", {"Fn::GetAZs": ""}),
        ("a: !Equals [!Ref A, x]", {"Fn::Equals": [{"Ref": "A"}, "x"]}),
        ("a: !Not [!Condition B]", {"Fn::Not": [{"Condition": "B"}]}),
        ("a: !And [!Condition B, !Condition C]", {"Fn::And": [{"Condition": "B"}, {"Condition": "C"}]}),
        ("a: !Or [!Condition B, !Condition C]", {"Fn::Or": [{"Condition": "B"}, {"Condition": "C"}]}),
    ],
)
def test_short_forms_become_long_forms(text: str, expected: object) -> None:
    assert load(text) == {"a": expected}


def test_unknown_tags_are_opaque_values_not_errors() -> None:
    data = load("a: !Reference [x, y]\nb: !Custom scalar\n")
    assert isinstance(data, dict)
    assert isinstance(data["a"], Unknown) and isinstance(data["b"], Unknown)


def test_scalars_keep_their_text_unless_plainly_typed() -> None:
    data = load("v: 2012-10-17\nn: 123456789012\nz: 012345678901\no: 0123\nb: true\ny: yes\ne: ~\nf: 1.5\n")
    assert data == {
        "v": "2012-10-17",
        "n": 123456789012,
        "z": "012345678901",
        "o": "0123",
        "b": True,
        "y": "yes",
        "e": None,
        "f": 1.5,
    }


def test_positions_are_one_based_and_cover_key_and_value() -> None:
    (document,) = load_yaml("Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Arn: !GetAtt Role.Arn\n")
    assert document.locations.locate(("Resources", "Role", "Type")) == Span(3, 5, 3, 25)
    assert document.locations.locate(("Resources", "Role", "Arn")) == Span(4, 5, 4, 26)
    assert document.locations.locate(("Resources", "Role", "Arn", "Fn::GetAtt")) == Span(4, 10, 4, 26)
    assert document.locations.locate(("Resources", "Role")) == Span(2, 3, 4, 26)


def test_every_kind_of_node_keeps_its_value_and_exact_span() -> None:
    """Block and flow collections, a block scalar (its span ends at its text, not at the blank line
    after it), the same texts as keys and as values, an anchor and its alias, a short form."""
    text = (
        "Policy: |\n"
        '  {"Version": "2012-10-17"}\n'
        "\n"
        'Flags: {on: yes, off: No, n: null, t: 0x1F, f: 1.5, s: !Sub "x"}\n'
        "List:\n"
        "  - &base {Effect: Allow}\n"
        "  - *base\n"
        "  - !If [C, yes, 2012-10-17]\n"
    )
    (document,) = load_yaml(text)
    assert document.data == {
        "Policy": '{"Version": "2012-10-17"}\n',
        "Flags": {"on": "yes", "off": "No", "n": None, "t": "0x1F", "f": 1.5, "s": {"Fn::Sub": "x"}},
        "List": [{"Effect": "Allow"}, {"Effect": "Allow"}, {"Fn::If": ["C", "yes", "2012-10-17"]}],
    }
    expected = {
        ("Policy",): Span(1, 1, 2, 28),
        ("Flags", "on"): Span(4, 9, 4, 16),
        ("Flags", "n"): Span(4, 27, 4, 34),
        ("Flags", "s"): Span(4, 53, 4, 64),
        ("Flags", "s", "Fn::Sub"): Span(4, 56, 4, 64),
        ("Flags",): Span(4, 1, 4, 65),
        ("List", 0): Span(6, 5, 6, 26),
        ("List", 0, "Effect"): Span(6, 12, 6, 25),
        ("List", 1): Span(7, 5, 7, 10),
        ("List", 1, "Effect"): None,  # under an alias: located at the alias (the deepest path that is)
        ("List", 2): Span(8, 5, 8, 29),
        ("List", 2, "Fn::If"): Span(8, 5, 8, 29),
        ("List", 2, "Fn::If", 1): Span(8, 13, 8, 16),
        ("List",): Span(5, 1, 8, 29),
        (): Span(1, 1, 8, 29),
    }
    assert {path: document.locations.locate(path) for path in expected} == expected
    assert document.issues == []


def test_short_form_sequence_children_are_located_under_the_long_form() -> None:
    (document,) = load_yaml("a: !If\n  - C\n  - x\n  - y\n")
    assert document.locations.locate(("a", "Fn::If", 2)) == Span(4, 5, 4, 6)


def test_duplicate_and_null_keys_are_reported_with_positions() -> None:
    (document,) = load_yaml("a: 1\nb: 2\na: 3\n~: 4\n")
    assert [(issue.span.line, issue.span.column) for issue in document.issues] == [(3, 1), (4, 1)]
    assert "duplicate key 'a'" in document.issues[0].message
    assert "null key" in document.issues[1].message


def test_merge_keys() -> None:
    assert load("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n") == {
        "base": {"x": 1, "y": 2},
        "c": {"x": 1, "y": 3},
    }


def test_alias_bomb_fails_fast_and_small() -> None:
    text = (FIXTURES / "hostile" / "alias-bomb.yaml").read_text()
    tracemalloc.start()
    started = time.process_time()  # CPU time: a busy machine slows the clock, not the work
    with pytest.raises(YamlError) as raised:
        load_yaml(text)
    cpu_seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert raised.value.hostile
    assert f"{ALIAS_EXPANSION_LIMIT:,}" in raised.value.message
    assert cpu_seconds < 1.0
    assert peak < 5 * 1024 * 1024


def test_alias_bomb_file_is_isl000_whatever_it_contains() -> None:
    started = time.process_time()
    result = run([str(FIXTURES / "hostile" / "alias-bomb.yaml")], Config())
    assert time.process_time() - started < 1.0
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("ISL000", 6, 12)]
    assert "alias" in result.findings[0].message


def test_aliases_within_the_limit_are_expanded() -> None:
    data = load("a: &x [1, 2]\nb: *x\n")
    assert data == {"a": [1, 2], "b": [1, 2]}


def test_undefined_alias_is_an_error() -> None:
    with pytest.raises(YamlError) as raised:
        load_yaml("a: *nowhere\n")
    assert raised.value.span.line == 1


def test_broken_yaml_gives_the_parsers_position() -> None:
    result = run([str(FIXTURES / "hostile" / "broken.yaml")], Config())
    assert [(f.rule, f.line, f.column) for f in result.findings] == [("ISL000", 10, 13)]
    assert result.findings[0].message.startswith("invalid YAML: did not find expected ',' or '}'")


def test_duplicate_and_null_keys_in_a_template_are_isl000() -> None:
    result = run([str(FIXTURES / "hostile" / "duplicate-keys.yaml")], Config())
    isl000 = [(f.line, f.column) for f in result.findings if f.rule == "ISL000"]
    assert isl000 == [(14, 13), (15, 7)]


@pytest.mark.parametrize("name", ["github-workflow.yml", "kubernetes.yaml"])
def test_other_yaml_is_skipped_silently(name: str) -> None:
    result = run([str(FIXTURES / "hostile" / name)], Config())
    assert result.findings == []
    assert not result.internal_error


def test_broken_yaml_that_is_not_a_template_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "ci.yml"
    path.write_text("jobs:\n  test: [unclosed\n")
    assert run([str(path)], Config()).findings == []


@pytest.mark.parametrize("depth", [200, 5000])
def test_deep_nesting_is_isl000_not_a_traceback(tmp_path: Path, depth: int) -> None:
    document = "[" * depth + "]" * depth
    path = tmp_path / "deep.yaml"
    path.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        f"      AssumeRolePolicyDocument: {{Statement: {document}}}\n"
    )
    result = run([str(path)], Config())
    assert not result.internal_error
    assert [f.rule for f in result.findings] == ["ISL000"]
    assert result.findings[0].line == 6


def test_deep_nesting_in_json_template_is_isl000_not_a_traceback(tmp_path: Path) -> None:
    document = "[" * 900 + "]" * 900
    path = tmp_path / "deep.json"
    path.write_text(
        '{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": '
        f'{{"AssumeRolePolicyDocument": {{"Statement": {document}}}}}}}}}}}'
    )
    result = run([str(path)], Config())
    assert not result.internal_error
    assert [f.rule for f in result.findings] == ["ISL000"]


def test_multiple_documents_take_the_template() -> None:
    documents = load_yaml("a: 1\n---\nResources: {}\n")
    assert [d.data for d in documents] == [{"a": 1}, {"Resources": {}}]


def test_json_only_run_does_not_import_yaml() -> None:
    code = (
        "import sys\n"
        "from iam_saas_lint.config import Config\n"
        "from iam_saas_lint.engine import run\n"
        f"run([{str(FIXTURES / 'managed-policy.json')!r}], Config())\n"
        "print('yaml' in sys.modules)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"
