"""The format registry: discovery, unit planning, reading and the README come from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from iam_saas_lint import sources
from iam_saas_lint.cli import main
from iam_saas_lint.config import config_from_table
from iam_saas_lint.engine import run
from iam_saas_lint.fixes import RENDERERS
from iam_saas_lint.sources import Unit, plan_units
from iam_saas_lint.sources.formats import FORMATS, SUFFIXES, formats_for, load, readme_table, suffix_of

README = Path(__file__).resolve().parent.parent / "README.md"
TRUST = """{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
                 "Action": "sts:AssumeRole"}]
}
"""
DENY = """{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
  "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]}
"""


def test_readme_what_it_reads_table_is_the_registry() -> None:
    """``python -c 'from iam_saas_lint.sources.formats import update_readme; update_readme()'`` rewrites it."""
    assert readme_table() in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.name for f in FORMATS])
def test_every_format_names_functions_that_exist_and_fix_syntaxes_that_render(fmt: object) -> None:
    assert callable(load(fmt.reader))  # type: ignore[attr-defined]
    if fmt.shape is not None:  # type: ignore[attr-defined]
        assert callable(load(fmt.shape))  # type: ignore[attr-defined]
    assert (fmt.shape is not None) == (fmt.reads_from == "json")  # type: ignore[attr-defined]
    assert set(fmt.syntaxes) <= set(RENDERERS)  # type: ignore[attr-defined]


def test_every_fix_syntax_belongs_to_a_format() -> None:
    assert {syntax for fmt in FORMATS for syntax in fmt.syntaxes} == set(RENDERERS)


def test_suffixes_are_matched_without_case() -> None:
    assert [f.name for f in formats_for("roles/x/TRUST.JSON")] == [f.name for f in formats_for("trust.json")]
    assert [f.name for f in formats_for("Stack.YML")] == ["CloudFormation YAML template"]
    assert plan_units(["m/MAIN.TF", "m/vars.tf", "m/Policy.Json"]) == [
        Unit("file", ("m/Policy.Json",)),
        Unit("module", ("m/MAIN.TF", "m/vars.tf")),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.tf.json", ".tf.json"), ("b.TOFU.json", ".tofu.json"), ("./dir.tf/x.json", ".json"), ("a..json", ".json"),
     ("x.json.tf", ".tf"), ("x.jsonx", None), ("noext", None), ("dir.json/file", None), (".yml", ".yml")],
)  # fmt: skip
def test_the_longest_known_ending_is_the_suffix(name: str, expected: str | None) -> None:
    """``suffix_of`` looks from the first dot; every ending the registry knows starts with one."""
    assert all(suffix.startswith(".") for suffix in SUFFIXES)
    assert suffix_of(name) == expected == next((s for s in SUFFIXES if name.lower().endswith(s)), None)


def test_upper_case_file_names_are_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    role = tmp_path / "roles" / "vendor"
    role.mkdir(parents=True)
    (role / "Trust.JSON").write_text(TRUST)
    monkeypatch.chdir(tmp_path)
    result = run(["."], config_from_table({}, str(tmp_path)))
    assert [(f.rule, f.path, f.line, f.column) for f in result.findings] == [
        ("ISL005", "roles/vendor/Trust.JSON", 1, 1),
        ("ISL001", "roles/vendor/Trust.JSON", 3, 37),
    ]


def test_terraform_json_is_not_taken_for_plain_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy-shaped ``.tf.json`` is read as Terraform's JSON syntax (which rejects it), never as a raw policy."""
    (tmp_path / "main.tf.json").write_text(TRUST)
    monkeypatch.chdir(tmp_path)
    for named in (".", "main.tf.json"):
        assert main(["--format", "concise", named]) == 1
        assert capsys.readouterr().out.splitlines()[0] == (
            "main.tf.json:2:3: ISL000 not Terraform's JSON syntax: 'Version' is not a block type "
            "(Terraform rejects the file)"
        )


def test_verbose_names_the_formats_a_file_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "package.json").write_text('{"name": "web", "version": "1.0.0"}\n')
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    monkeypatch.chdir(tmp_path)
    assert main(["--verbose", "--format", "concise", "."]) == 0
    assert sorted(capsys.readouterr().err.splitlines()) == [
        "iam-saas-lint: skipped compose.yaml: not CloudFormation YAML template: not read",
        "iam-saas-lint: skipped package.json: not account export or raw policy or CloudFormation JSON template"
        " or Terraform plan: not read",
    ]


def test_json_shapes_are_tried_in_registry_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An export that also has a top-level ``Statement`` is an export: that entry comes first."""
    export = '{"RoleDetailList": [], "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    (tmp_path / "export.json").write_text(export)
    monkeypatch.chdir(tmp_path)
    read = sources.read_unit(Unit("file", ("export.json",)), sources.ReadOptions())
    assert read.raw is None
    assert [f.name for f in formats_for("export.json")][:2] == ["account export", "raw policy"]


def test_raw_policy_files_are_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first pass keeps the parsed documents for the bundle pass instead of reading them again."""
    role = tmp_path / "roles" / "vendor"
    role.mkdir(parents=True)
    (role / "trust.json").write_text(TRUST)
    (role / "deny.json").write_text(DENY)
    reads: list[str] = []
    real = sources.read_text

    def counting(path: str, max_bytes: int = 0) -> object:
        reads.append(path)
        return real(path, max_bytes)

    monkeypatch.setattr(sources, "read_text", counting)
    monkeypatch.chdir(tmp_path)
    result = run(["."], config_from_table({}, str(tmp_path)))
    assert [(f.rule, f.path) for f in result.findings] == [("ISL001", "roles/vendor/trust.json")]
    assert sorted(reads) == ["roles/vendor/deny.json", "roles/vendor/trust.json"]
