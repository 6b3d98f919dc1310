"""Random vendor roles over the constructs the evaluator judges (issue 14): external-id forms, policy
variables, org and account narrowing of ``*``, MFA, trust-policy Denies, source-IP Denies split
across statements and documents, CIDR unions, IfExists/ForAllValues forms, aws:VpcSourceIp, extra
conditions that are always true (or not)."""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

VENDOR = "464622532012"
VENDOR_ROLE = f"arn:aws:iam::{VENDOR}:role/DatadogIntegration"
OTHER_VENDOR = "222233334444"
OWN = "111122223333"
OWN_ORG = "o-a1b2c3d4e5"
PINNED = "9f1c2a7e4b8d4e0f"

Json = dict[str, Any]


@dataclass
class GeneratedRole:
    trust: Json
    policies: list[Json] = field(default_factory=list)

    def copy(self) -> GeneratedRole:
        return GeneratedRole(copy.deepcopy(self.trust), copy.deepcopy(self.policies))


_PRINCIPALS: list[tuple[float, Any]] = [
    (0.30, {"AWS": f"arn:aws:iam::{VENDOR}:root"}),
    (0.10, {"AWS": VENDOR}),
    (0.10, {"AWS": VENDOR_ROLE}),
    (0.15, "*"),
    (0.15, {"AWS": "*"}),
    (0.12, {"AWS": f"arn:aws:iam::{OTHER_VENDOR}:root"}),
    (0.08, {"AWS": f"arn:aws:iam::{OWN}:root"}),
]
_EXTERNAL_IDS: list[tuple[str, str, Any]] = [
    ("StringEquals", "sts:ExternalId", PINNED),
    ("StringEquals", "sts:ExternalId", PINNED),
    ("StringLike", "sts:ExternalId", "*"),
    ("StringLike", "sts:ExternalId", "tenant-?"),
    ("StringLike", "sts:ExternalId", PINNED),
    ("StringEqualsIfExists", "sts:ExternalId", PINNED),
    ("ForAllValues:StringEquals", "sts:ExternalId", [PINNED]),
    ("ForAnyValue:StringEquals", "sts:ExternalId", PINNED),
    ("StringNotEquals", "sts:ExternalId", PINNED),
    ("Null", "sts:ExternalId", "false"),
    ("StringEquals", "sts:ExternalId", "${aws:PrincipalAccount}"),
]
_NARROWING: list[tuple[str, str, Any]] = [
    ("StringEquals", "aws:PrincipalOrgID", OWN_ORG),
    ("StringLike", "aws:PrincipalOrgID", "o-*"),
    ("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-*/*"),
    ("StringEquals", "aws:PrincipalOrgID", "o-zzzzzzzzzz"),
    ("StringEquals", "aws:PrincipalAccount", VENDOR),
    ("StringEquals", "aws:PrincipalAccount", OTHER_VENDOR),
    ("StringEquals", "aws:PrincipalAccount", OWN),
    ("ArnLike", "aws:PrincipalArn", f"arn:aws:iam::{VENDOR}:role/*"),
    ("Bool", "aws:MultiFactorAuthPresent", "true"),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
]
_TRUST_DENIES: list[tuple[Any, dict[str, Any] | None]] = [
    ({"AWS": "*"}, {"StringNotEquals": {"sts:ExternalId": PINNED}}),
    ({"AWS": f"arn:aws:iam::{VENDOR}:root"}, {"StringNotEquals": {"sts:ExternalId": PINNED}}),
    ({"AWS": "*"}, {"StringNotEquals": {"aws:PrincipalOrgID": OWN_ORG}}),
    ({"AWS": f"arn:aws:iam::{VENDOR}:root"}, None),
    ({"AWS": "*"}, {"StringNotEqualsIfExists": {"sts:ExternalId": PINNED}}),
]
_ALLOW_LISTS: list[list[str]] = [
    ["203.0.113.0/24"],
    ["203.0.113.0/24", "198.51.100.0/24"],
    ["0.0.0.0/1", "128.0.0.0/1"],
    ["128.0.0.0/1"],
    ["2000::/3"],
    ["203.0.113.0/24", "2001:db8::/32"],
    ["10.0.0.0/8"],
    ["0.0.0.0/0"],
    ["52.0.0.0/12"],
    ["52.0.0.0/7"],
]
_IP_OPERATORS = ["NotIpAddress"] * 6 + ["NotIpAddressIfExists", "ForAllValues:NotIpAddress", "IpAddress"]
_EXTRAS: list[tuple[str, str, str]] = [
    ("Bool", "aws:ViaAWSService", "false"),
    ("BoolIfExists", "aws:ViaAWSService", "false"),
    ("StringEquals", "aws:PrincipalAccount", OWN),
    ("StringEquals", "aws:RequestedRegion", "eu-west-1"),
    ("Null", "aws:SourceIp", "false"),
]
_ACTIONS: list[tuple[str, Any]] = [
    ("Action", "*"),
    ("Action", "*"),
    ("Action", "s3:*"),
    ("NotAction", "s3:*"),
    ("NotAction", "sts:GetCallerIdentity"),
    ("Action", ["s3:*", "ec2:*"]),
]
_RESOURCES: list[tuple[str, str]] = [
    ("Resource", "*"),
    ("Resource", "*"),
    ("Resource", "*"),
    ("Resource", "arn:aws:s3:::logs/*"),
    ("NotResource", "arn:aws:s3:::logs/*"),
]


def _weighted(rng: random.Random, table: list[tuple[float, Any]]) -> Any:
    return copy.deepcopy(rng.choices([v for _, v in table], weights=[w for w, _ in table])[0])


def _add(condition: dict[str, Any], operator: str, key: str, value: Any) -> None:
    condition.setdefault(operator, {})[key] = value


def _trust_allow(rng: random.Random) -> Json:
    statement: Json = {"Effect": "Allow", "Principal": _weighted(rng, _PRINCIPALS), "Action": "sts:AssumeRole"}
    condition: dict[str, Any] = {}
    if rng.random() < 0.75:
        _add(condition, *rng.choice(_EXTERNAL_IDS))
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        _add(condition, *rng.choice(_NARROWING))
    if condition:
        statement["Condition"] = condition
    return statement


def _trust_deny(rng: random.Random) -> Json:
    principal, condition = copy.deepcopy(rng.choice(_TRUST_DENIES))
    statement: Json = {"Effect": "Deny", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return statement


def _ip_condition(rng: random.Random) -> dict[str, Any]:
    key = "aws:VpcSourceIp" if rng.random() < 0.1 else "aws:SourceIp"
    condition: dict[str, Any] = {rng.choice(_IP_OPERATORS): {key: list(rng.choice(_ALLOW_LISTS))}}
    if rng.random() < 0.3:
        _add(condition, *rng.choice(_EXTRAS))
    return condition


def _deny(rng: random.Random, condition: dict[str, Any]) -> Json:
    action_element, actions = rng.choice(_ACTIONS)
    resource_element, resources = rng.choice(_RESOURCES)
    return {
        "Effect": "Deny",
        action_element: copy.deepcopy(actions),
        resource_element: resources,
        "Condition": copy.deepcopy(condition),
    }


def _halves(rng: random.Random, condition: dict[str, Any]) -> list[Json]:
    if rng.random() < 0.5:
        return [
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": copy.deepcopy(condition)},
            {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*", "Condition": copy.deepcopy(condition)},
        ]
    return [
        {"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::logs/*", "Condition": copy.deepcopy(condition)},
        {"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::logs/*", "Condition": copy.deepcopy(condition)},
    ]


def generate(rng: random.Random) -> GeneratedRole:
    statements = [_trust_allow(rng) for _ in range(rng.choice([1, 1, 2, 3]))]
    if rng.random() < 0.3:
        statements.append(_trust_deny(rng))
    trust: Json = {"Version": "2012-10-17", "Statement": statements}
    policies: list[Json] = []
    for _ in range(rng.choice([0, 1, 1, 2])):
        denies: list[Json] = []
        for _ in range(rng.choice([0, 1, 1, 2])):
            condition = _ip_condition(rng)
            denies.extend(_halves(rng, condition) if rng.random() < 0.2 else [_deny(rng, condition)])
        allow = {"Effect": "Allow", "Action": "*", "Resource": "*"}
        policies.append({"Version": "2012-10-17", "Statement": [allow, *denies]})
    return GeneratedRole(trust, policies)
