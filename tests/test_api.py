"""The Python API, as README shows it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import iam_saas_lint
from iam_saas_lint import Config, lint_paths, lint_policy, lint_role

VENDOR_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}, "Action": "sts:AssumeRole"}
    ],
}
DENY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
        }
    ],
}


def test_lint_policy_trust_from_a_dict() -> None:
    findings = lint_policy(VENDOR_TRUST, kind="trust")
    assert [(f.rule, f.json_path, f.path) for f in findings] == [("ISL001", "$.Statement[0].Principal", "<trust>")]


def test_lint_policy_from_a_json_string_has_positions() -> None:
    text = json.dumps(VENDOR_TRUST, indent=2)
    findings = lint_policy(text)
    assert [(f.rule, f.line, f.column) for f in findings] == [("ISL001", 6, 7)]


def test_lint_policy_permissions_checks_the_grammar_and_lint_role_the_deny() -> None:
    broken = json.loads(json.dumps(DENY))
    broken["Statement"][0]["Action"] = "s3:*"
    broken["Statement"][0]["Effect"] = "deny"
    assert [(f.rule, f.json_path) for f in lint_policy(broken, kind="permissions")] == [
        ("ISL000", "$.Statement[0].Effect")
    ]
    broken["Statement"][0]["Effect"] = "Deny"
    assert lint_policy(broken, kind="permissions") == []
    found = [(f.rule, f.path) for f in lint_role(VENDOR_TRUST, [broken])]
    assert found == [("ISL006", "<policy 0>"), ("ISL001", "<trust>")]


def test_lint_role_sees_the_attached_deny() -> None:
    assert [f.rule for f in lint_role(VENDOR_TRUST, [])] == ["ISL001", "ISL005"]
    assert [f.rule for f in lint_role(VENDOR_TRUST, [DENY])] == ["ISL001"]


def test_config_is_honoured() -> None:
    config = Config().with_overrides(own_accounts=["464622532012"])
    assert lint_role(VENDOR_TRUST, [], config=config) == []


def test_invalid_json_string_is_an_isl000_finding() -> None:
    findings = lint_policy('{"Statement": [')
    assert [(f.rule, f.line, f.column) for f in findings] == [("ISL000", 1, 16)]


def test_findings_are_frozen_and_sorted() -> None:
    findings = lint_role(VENDOR_TRUST, [])
    assert findings == sorted(findings, key=lambda f: f.sort_key())
    assert hash(findings[0]) == hash(findings[0])
    assert iam_saas_lint.__version__


def test_lint_paths_takes_one_path_or_a_sequence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "infra" / "roles" / "vendor").mkdir(parents=True)
    (tmp_path / "infra" / "roles" / "vendor" / "trust.json").write_text(json.dumps(VENDOR_TRUST, indent=2))
    (tmp_path / ".iam-saas-lint.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    expected = [("ISL001", "infra/roles/vendor/trust.json"), ("ISL005", "infra/roles/vendor/trust.json")]
    for paths in ("infra/", "infra", Path("infra"), ["infra/"], (Path("infra"),)):
        assert sorted((f.rule, f.path) for f in lint_paths(paths)) == expected, paths  # type: ignore[arg-type]
    for wrong in (b"infra", 42, None, {"infra": 1}, ["infra", 3]):
        with pytest.raises(TypeError, match="a path or a sequence of paths"):
            lint_paths(wrong)  # type: ignore[arg-type]


def test_lint_paths_reads_the_nearest_configuration_as_the_cli_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / ".git").mkdir()  # the search goes up to the repository's root, and no further
    (tmp_path / "infra" / "trust.json").write_text(json.dumps(VENDOR_TRUST))
    (tmp_path / "pyproject.toml").write_text('[tool.iam-saas-lint]\nown-accounts = ["464622532012"]\n')
    monkeypatch.chdir(tmp_path / "infra")
    assert lint_paths(".") == []
    assert sorted(f.rule for f in lint_paths(".", config=Config())) == ["ISL001", "ISL005"]
    assert lint_paths(".", config=Config.from_file(tmp_path / "pyproject.toml")) == []
    (tmp_path / "other.toml").write_text('own-acounts = ["464622532012"]\n')
    with pytest.raises(ValueError, match="unknown key 'own-acounts'"):
        Config.from_file(tmp_path / "other.toml")


def test_arguments_are_validated_like_the_configuration_file() -> None:
    with pytest.raises(ValueError, match="'abc' is not a 12-digit account id"):
        Config().with_overrides(own_accounts=["abc"])
    with pytest.raises(ValueError, match="must be a list of strings, not str"):
        Config().with_overrides(own_accounts="111122223333")
    with pytest.raises(ValueError, match="unknown rule id 'XYZ'"):
        Config().with_overrides(select=["XYZ"])
    with pytest.raises(ValueError, match="kind must be 'trust' or 'permissions', not 'bogus'"):
        lint_policy(VENDOR_TRUST, kind="bogus")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="document must be a policy document: a dict or a JSON string, not NoneType"):
        lint_policy(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"policies\[1\] must be a policy document"):
        lint_role(VENDOR_TRUST, [DENY, 3])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="policies must be a list of policy documents, not dict"):
        lint_role(VENDOR_TRUST, DENY)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"config must be an iam_saas_lint\.Config"):
        lint_role(VENDOR_TRUST, [], config={"own-accounts": []})  # type: ignore[arg-type]


def test_every_public_name_has_a_docstring() -> None:
    for name in iam_saas_lint.__all__:
        value = getattr(iam_saas_lint, name)
        if name != "__version__":
            assert (value.__doc__ or "").strip(), name
    assert "nearest" in (lint_paths.__doc__ or "")
