"""The issuer registry: every entry is credited, its host patterns and subject shapes agree with
the examples its documentation gives, and the configuration options that shape the verdicts."""

from __future__ import annotations

import pytest

from iam_saas_lint.config import ConfigError, config_from_table
from iam_saas_lint.model.federation import check_subject_entry
from iam_saas_lint.model.issuers import builtin_issuers, find_issuer, is_own_provider, issuer_for
from iam_saas_lint.model.statements import ConditionEntry, parse_operator

ISSUERS = builtin_issuers()


def _entry(operator: str, value: str) -> ConditionEntry:
    return ConditionEntry(parse_operator(operator), "x:sub", (value,), None, ())


@pytest.mark.parametrize("issuer", ISSUERS, ids=[i.id for i in ISSUERS])
def test_every_issuer_is_credited_and_found_by_its_hosts(issuer: object) -> None:
    assert issuer.docs and all(link.startswith("https://") for link in issuer.docs)  # type: ignore[attr-defined]
    assert issuer_for(issuer.example_host) is issuer  # type: ignore[attr-defined]
    assert issuer_for("https://" + issuer.example_host + "/") is issuer  # type: ignore[attr-defined]
    assert find_issuer(issuer.id) is issuer  # type: ignore[attr-defined]
    assert issuer.subject is not None or issuer.audience is not None  # type: ignore[attr-defined]


@pytest.mark.parametrize("issuer", [i for i in ISSUERS if i.subject], ids=[i.id for i in ISSUERS if i.subject])
def test_documented_subject_example_and_suggestion_pin_the_owner(issuer: object) -> None:
    subject = issuer.subject  # type: ignore[attr-defined]
    assert check_subject_entry(_entry("StringLike", subject.example), subject).state == "pinned"
    suggested = subject.suggest.format(owner="acme", repository="infra")
    assert check_subject_entry(_entry("StringLike", suggested), subject).state == "pinned"
    assert check_subject_entry(_entry("StringLike", "*"), subject).state == "weak"


@pytest.mark.parametrize(
    ("host", "issuer_id"),
    [
        ("token.actions.githubusercontent.com", "github-actions"),
        ("oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789", "eks"),
        ("oidc.circleci.com/org/1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b", "circleci"),
        ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "bitbucket-pipelines"),
        ("acme.app.spacelift.io", "spacelift"),
        ("login.app.env0.com/", "env0"),
        ("gitlab.example.com", None),
        ("oidc.circleci.com/org/a/b", None),
        ("evil.com/token.actions.githubusercontent.com", None),
        ("app.spacelift.io.evil.com", None),
    ],
)
def test_hosts_match_whole_labels_only(host: str, issuer_id: str | None) -> None:
    found = issuer_for(host)
    assert (found.id if found else None) == issuer_id


def test_own_identity_providers_are_globs_over_normalised_hosts() -> None:
    assert is_own_provider("https://GitLab.Example.com/", ("gitlab.example.com",))
    assert is_own_provider("login.idp.example.com", ("*.idp.example.com",))
    assert not is_own_provider("idp.example.com.evil.net", ("*.example.com",))


def test_configuration_options() -> None:
    table = {"own-identity-providers": ["gitlab.example.com"], "federated-subject-scope": "repository"}
    config = config_from_table(table)
    assert config.settings.own_identity_providers == ("gitlab.example.com",)
    assert config.settings.federated_subject_scope == "repository"
    with pytest.raises(ConfigError, match='federated-subject-scope must be "owner" or "repository"'):
        config_from_table({"federated-subject-scope": "org"})
    with pytest.raises(ConfigError, match="own-identity-providers: 'a b' is not an issuer host"):
        config_from_table({"own-identity-providers": ["a b"]})


def test_issuer_cases_are_generated_from_the_current_registry() -> None:
    """``python scripts/build_federation_cases.py`` rewrites them after the registry changes."""
    import importlib.util
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "build_federation_cases.py"
    spec = importlib.util.spec_from_file_location("build_federation_cases", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.TARGET.read_text() == module._dump(module.build()), "run python scripts/build_federation_cases.py"
