"""The rule registry: an explicit tuple, checked for duplicate ids at import."""

from __future__ import annotations

from . import (
    isl000_invalid_document,
    isl001_missing_external_id,
    isl002_unenforced_external_id,
    isl003_invalid_external_id_value,
    isl004_wildcard_principal,
    isl005_missing_source_ip_deny,
    isl006_ineffective_source_ip_deny,
    isl007_long_term_access_key,
    isl008_not_principal_allow,
    isl009_unverifiable,
    isl010_service_confused_deputy,
    isl011_vendor_ip_mismatch,
    isl012_federated_subject_not_pinned,
    isl013_federated_audience_not_pinned,
    isl014_federated_provider_unknown,
    isl015_detached_policy,
    isl100_unused_suppression,
    isl101_suppression_without_reason,
)
from .base import Rule

RULES: tuple[Rule, ...] = (
    isl000_invalid_document.RULE,
    isl001_missing_external_id.RULE,
    isl002_unenforced_external_id.RULE,
    isl003_invalid_external_id_value.RULE,
    isl004_wildcard_principal.RULE,
    isl005_missing_source_ip_deny.RULE,
    isl006_ineffective_source_ip_deny.RULE,
    isl007_long_term_access_key.RULE,
    isl008_not_principal_allow.RULE,
    isl009_unverifiable.RULE,
    isl010_service_confused_deputy.RULE,
    isl011_vendor_ip_mismatch.RULE,
    isl012_federated_subject_not_pinned.RULE,
    isl013_federated_audience_not_pinned.RULE,
    isl014_federated_provider_unknown.RULE,
    isl015_detached_policy.RULE,
    isl100_unused_suppression.RULE,
    isl101_suppression_without_reason.RULE,
)


def _by_id(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in table:
            raise ValueError(f"duplicate rule id {rule.id}")
        table[rule.id] = rule
    return table


RULES_BY_ID = _by_id(RULES)
#: Where files that cannot be read, and the tool's own failures, are reported.
INVALID_DOCUMENT = isl000_invalid_document.RULE
#: Where the ``Unverifiable`` violations of every rule are reported.
UNVERIFIABLE = isl009_unverifiable.RULE
