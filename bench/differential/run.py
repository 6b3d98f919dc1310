"""Differential check of ISL001/002, ISL004 and ISL005/006 against @cloud-copilot/iam-simulate.

    npm install --prefix /tmp/isim @cloud-copilot/iam-simulate      # AGPL-3.0: a development tool only
    ISIM_PREFIX=/tmp/isim python bench/differential/run.py --roles 600 --seed 1

Each generated role is linted (``lint_role``) and put to the simulator as requests that decide the
verdict; the report gives the agreement per rule group and each disagreement minimised (statements,
condition entries and list values dropped while it persists). See README.md for the known simulator
limits this works around and for the remaining disagreements.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import itertools
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

from generate import OTHER_VENDOR, OWN, OWN_ORG, PINNED, VENDOR, VENDOR_ROLE, GeneratedRole, Json, generate  # noqa: E402

from iam_saas_lint import lint_role  # noqa: E402
from iam_saas_lint.config import config_from_table  # noqa: E402
from iam_saas_lint.findings import Severity  # noqa: E402

GROUPS = ("ISL001/002", "ISL004", "ISL005/006")
ROLE_ARN = f"arn:aws:iam::{OWN}:role/vendor"
SESSION = f"arn:aws:sts::{OWN}:assumed-role/vendor/session"
#: The bound the linter applies by default (widest-source-ip-range).
BOUNDS = {4: 8, 6: 32}
NON_PUBLIC = [ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
                                                 "169.254.0.0/16", "100.64.0.0/10")]  # fmt: skip
PUBLIC_V6 = ipaddress.ip_network("2000::/3")
OUTSIDE_PROBES = ["8.8.8.8", "1.1.1.1", "198.18.0.1", "200.1.1.1", "60.1.1.1", "2600:1f18::1", "2a05:d000::1"]
CONFIG = config_from_table({"own-accounts": [OWN], "own-organizations": [OWN_ORG]})


class Oracle:
    """One long-lived node process running oracle.mjs; answers are cached per simulation."""

    def __init__(self) -> None:
        env = dict(os.environ)
        self.process = subprocess.Popen(
            ["node", str(HERE / "oracle.mjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        self.cache: dict[str, str] = {}
        self.calls = 0

    def ask(self, simulation: Json) -> str:
        line = json.dumps(simulation, sort_keys=True)
        if line not in self.cache:
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
            self.calls += 1
            self.cache[line] = answer.get("result") or f"error: {answer.get('error')}"
        return self.cache[line]


# -- simulator workarounds (README.md) ---------------------------------------------------------------


def _for_simulator(document: Json) -> Json:
    """The simulator matches an IPv4 /0 only to 0.0.0.0: write it as the two /1 halves (the same set)."""
    fixed = copy.deepcopy(document)
    for statement in fixed.get("Statement", []):
        for block in statement.get("Condition", {}).values():
            for key, values in block.items():
                if "ip" in key.lower() and isinstance(values, list):
                    out: list[str] = []
                    for value in values:
                        network = ipaddress.ip_network(value, strict=False)
                        out.extend(["0.0.0.0/1", "128.0.0.0/1"] if network.version == 4 and network.prefixlen == 0
                                   else [value])  # fmt: skip
                    block[key] = out
    return fixed


# -- trust questions ---------------------------------------------------------------------------------

CALLERS = {
    "vendor": (VENDOR, VENDOR_ROLE),
    "other-vendor": (OTHER_VENDOR, f"arn:aws:iam::{OTHER_VENDOR}:role/Integration"),
    "unrelated": ("999999999999", "arn:aws:iam::999999999999:role/attacker"),
}
OTHER_IDS = ["other-tenant-id", "tenant-1", None]  # None: the caller's own account (a policy variable's value)


def _assume(trust: Json, caller: str, external_id: str | None, mfa: str | None, org: bool) -> Json:
    account, arn = CALLERS[caller]
    context: dict[str, Any] = {"aws:PrincipalAccount": account, "aws:PrincipalArn": arn}
    if external_id is not None:
        context["sts:ExternalId"] = external_id
    if mfa == "true":
        context.update({"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"})
    elif mfa == "false":
        context["aws:MultiFactorAuthPresent"] = "false"
    if org:
        context["aws:PrincipalOrgID"] = "o-zzzzzzzzzz"
        context["aws:PrincipalOrgPaths"] = ["o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/"]
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    return {
        "identityPolicies": [{"name": "caller", "policy": allow_all}],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
        "resourcePolicy": trust,
        "request": {
            "action": "sts:AssumeRole",
            "principal": arn,
            "resource": {"accountId": OWN, "resource": ROLE_ARN},
            "contextVariables": context,
        },
    }


def _gets_in(oracle: Oracle, trust: Json, callers: tuple[str, ...], ids: list[str | bool | None],
             mfas: tuple[str | None, ...]) -> bool:  # fmt: skip
    for caller in callers:
        for raw in ids:
            external_id = CALLERS[caller][0] if raw is None else None if raw is False else str(raw)
            for mfa in mfas:
                for org in (False, True):
                    if oracle.ask(_assume(trust, caller, external_id, mfa, org)) == "Allowed":
                        return True
    return False


# -- source-IP questions -----------------------------------------------------------------------------

TARGETS = [("s3:GetObject", "arn:aws:s3:::logs/file"), ("s3:GetObject", "arn:aws:s3:::data/file"),
           ("ec2:DescribeInstances", "*"), ("iam:ListRoles", "*")]  # fmt: skip


def _request(policies: list[Json], action: str, resource: str, where: dict[str, Any], region: str) -> Json:
    context = {"aws:PrincipalAccount": OWN, "aws:PrincipalArn": ROLE_ARN, "aws:ViaAWSService": "false",
               "aws:RequestedRegion": region, **where}  # fmt: skip
    return {
        "identityPolicies": [{"name": f"p{i}", "policy": _for_simulator(p)} for i, p in enumerate(policies)],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
        "request": {"action": action, "principal": SESSION, "resource": {"accountId": OWN, "resource": resource},
                    "contextVariables": context},
    }  # fmt: skip


def _escapes(oracle: Oracle, policies: list[Json], where: dict[str, Any]) -> bool:
    return any(
        oracle.ask(_request(policies, action, resource, where, region)) != "ExplicitlyDenied"
        for action, resource in TARGETS
        for region in ("us-east-1", "eu-west-1")
    )


def _listed(policies: list[Json], key: str) -> list[Any]:
    found = []
    for policy in policies:
        for statement in policy.get("Statement", []):
            for operator, block in statement.get("Condition", {}).items():
                for name, values in block.items():
                    if name.lower() == key and "IpAddress" in operator:
                        found.extend(ipaddress.ip_network(v, strict=False) for v in values)
    return found


def _pieces(listed: list[Any]) -> list[Any]:
    """The listed networks cut at every listed boundary: a request's fate is the same across a piece."""
    found = []
    for family in (4, 6):
        nets = [n for n in listed if n.version == family]
        cuts = sorted({int(n.network_address) for n in nets} | {int(n.broadcast_address) + 1 for n in nets})
        make = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address
        for start, end in itertools.pairwise(cuts):
            first = make(start)
            if any(first in n for n in nets):
                found.extend(ipaddress.summarize_address_range(first, make(end - 1)))
    return found


def _public_count(networks: list[Any], family: int) -> tuple[int, bool]:
    collapsed = list(ipaddress.collapse_addresses(n for n in networks if n.version == family))
    if family == 6:
        kept = [n for n in collapsed if n.overlaps(PUBLIC_V6)]
        kept = [n if n.subnet_of(PUBLIC_V6) else PUBLIC_V6 for n in kept]
        total = sum(n.num_addresses for n in ipaddress.collapse_addresses(kept))
        return total, total >= PUBLIC_V6.num_addresses
    total = 0
    for network in collapsed:
        remaining = [network]
        for private in NON_PUBLIC:
            remaining = [piece for r in remaining
                         for piece in ([r] if not r.overlaps(private) else
                                       [] if r.subnet_of(private) else r.address_exclude(private))]  # fmt: skip
        total += sum(r.num_addresses for r in remaining)
    public = 2**32 - sum(p.num_addresses for p in NON_PUBLIC)
    return total, total >= public


def leaks(oracle: Oracle, policies: list[Json]) -> bool:
    listed = _listed(policies, "aws:sourceip")
    for probe in OUTSIDE_PROBES:
        address = ipaddress.ip_address(probe)
        if not any(address in n for n in listed) and _escapes(oracle, policies, {"aws:SourceIp": probe}):
            return True
    vpc_listed = _listed(policies, "aws:vpcsourceip")
    unlisted = [p for p in ("172.31.5.5", "10.200.0.1", "192.168.77.1")
                if not any(ipaddress.ip_address(p) in n for n in vpc_listed)]  # fmt: skip
    if unlisted and _escapes(oracle, policies, {"aws:VpcSourceIp": unlisted[0], "aws:SourceVpc": "vpc-1"}):
        return True
    admitted = [piece for piece in _pieces(listed) if _escapes(oracle, policies, {"aws:SourceIp": str(piece[0])})]
    for family, bound in BOUNDS.items():
        count, everything = _public_count(admitted, family)
        if everything or count > 2 ** ((32 if family == 4 else 128) - bound):
            return True
    return False


# -- verdicts ----------------------------------------------------------------------------------------


def oracle_verdicts(oracle: Oracle, role: GeneratedRole) -> dict[str, bool]:
    trust = role.trust
    third = ("vendor", "other-vendor", "unrelated")
    no_mfa = (None, "false")
    external_id = _gets_in(oracle, trust, third, [False, *OTHER_IDS], no_mfa)
    wildcard = _gets_in(oracle, trust, ("unrelated",), [False, PINNED, *OTHER_IDS], (*no_mfa, "true"))
    assumable = external_id or _gets_in(oracle, trust, third, [PINNED], no_mfa)
    source_ip = assumable and leaks(oracle, role.policies)
    return {"ISL001/002": external_id, "ISL004": wildcard, "ISL005/006": source_ip}


def linter_verdicts(role: GeneratedRole) -> dict[str, bool]:
    findings = lint_role(role.trust, role.policies, config=CONFIG)
    errors = {f.rule for f in findings if f.severity == Severity.ERROR}
    return {
        "ISL001/002": bool(errors & {"ISL001", "ISL002"}),
        "ISL004": "ISL004" in errors,
        "ISL005/006": bool(errors & {"ISL005", "ISL006"}),
    }


def _smaller(role: GeneratedRole) -> Iterator[GeneratedRole]:
    """Roles with one part fewer: a statement, a condition entry, a list value."""
    documents = [role.trust, *role.policies]
    for d, document in enumerate(documents):
        statements = document["Statement"]
        for s in range(len(statements)):
            if d == 0 and len(statements) == 1:
                continue
            smaller = role.copy()
            [smaller.trust, *smaller.policies][d]["Statement"].pop(s)
            yield smaller
            statement = statements[s]
            for operator, block in statement.get("Condition", {}).items():
                for key, values in block.items():
                    smaller = role.copy()
                    condition = [smaller.trust, *smaller.policies][d]["Statement"][s]["Condition"]
                    del condition[operator][key]
                    if not condition[operator]:
                        del condition[operator]
                    if not condition:
                        del [smaller.trust, *smaller.policies][d]["Statement"][s]["Condition"]
                    yield smaller
                    if isinstance(values, list) and len(values) > 1:
                        for v in range(len(values)):
                            smaller = role.copy()
                            [smaller.trust, *smaller.policies][d]["Statement"][s]["Condition"][operator][key].pop(v)
                            yield smaller
    for d in range(len(role.policies)):
        smaller = role.copy()
        smaller.policies.pop(d)
        yield smaller


def minimise(role: GeneratedRole, disagrees: Callable[[GeneratedRole], bool]) -> GeneratedRole:
    changed = True
    while changed:
        changed = False
        for candidate in _smaller(role):
            if disagrees(candidate):
                role, changed = candidate, True
                break
    return role


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=3, help="minimised disagreements to print per group")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    oracle = Oracle()
    agree = dict.fromkeys(GROUPS, 0)
    disagreements: dict[str, list[GeneratedRole]] = {g: [] for g in GROUPS}
    for _ in range(args.roles):
        role = generate(rng)
        expected, got = oracle_verdicts(oracle, role), linter_verdicts(role)
        for group in GROUPS:
            if expected[group] == got[group]:
                agree[group] += 1
            else:
                disagreements[group].append(role)
    print(f"{args.roles} roles (seed {args.seed}), {oracle.calls} simulator calls")
    for group in GROUPS:
        print(f"{group}: {agree[group]}/{args.roles} agree ({100 * agree[group] / args.roles:.1f}%)")
    for group in GROUPS:
        for role in disagreements[group][: args.show]:

            def disagrees(candidate: GeneratedRole, group: str = group) -> bool:
                return oracle_verdicts(oracle, candidate)[group] != linter_verdicts(candidate)[group]

            small = minimise(role, disagrees)
            print(f"\n{group}: simulator says {oracle_verdicts(oracle, small)[group]}, linter says "
                  f"{linter_verdicts(small)[group]}")  # fmt: skip
            print(json.dumps({"trust": small.trust, "policies": small.policies}, indent=None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
