"""What one folder of thousands of roles shares between them, and what it must not (issue 15): the
statements of identical documents, a scan of identical texts, the source-IP judge's answers for
the pieces of the address space, the verdict of trust policies that differ only in the accounts
they name and the answers for Denies that differ only in their CIDRs, each the same as computed
afresh; and a CIDR read from its octets as ``ipaddress`` reads it."""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint.model import account_names, cidrs, memo, trust_verdict
from iam_saas_lint.model import coverage as coverage_module
from iam_saas_lint.model.address_space import address
from iam_saas_lint.model.conditions import OneOf
from iam_saas_lint.model.coverage import _Judge, denies_of
from iam_saas_lint.model.document import PolicyDocument, Role
from iam_saas_lint.model.settings import Settings
from iam_saas_lint.model.statements import statements_of
from iam_saas_lint.model.values import OWN_ACCOUNT, Anchor, SensitiveText
from iam_saas_lint.model.vendors import registry
from iam_saas_lint.sources.text.json_locations import SHARED_TEXT_CHARS, JsonLocations

OUTSIDE_VENDOR = {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}


def _trust(external_id: str) -> dict[str, object]:
    condition = {"StringEquals": {"sts:ExternalId": external_id}}
    allow = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"}, "Condition": condition}
    return {"Version": "2012-10-17", "Statement": [{**allow, "Action": "sts:AssumeRole"}]}


def test_identical_documents_share_their_statements_and_a_sensitive_one_does_not() -> None:
    memo.forget()
    first, second = statements_of(_trust("x-1234")), statements_of(_trust("x-1234"))
    assert first == second and first[0] is second[0]  # parsed once for both roles
    sensitive = statements_of(_trust(SensitiveText("x-1234")))
    (value,) = sensitive[0].conditions[0].values
    assert isinstance(value, SensitiveText)  # the same JSON, but its own statements: never shown
    assert statements_of(_trust("x-9999"))[0].conditions[0].values == ("x-9999",)


def test_identical_small_texts_share_one_scan_and_large_ones_are_not_kept() -> None:
    text = json.dumps(_trust("x-1234"), indent=2)
    one, other = JsonLocations(text), JsonLocations("".join(text))
    path = ("Statement", 0, "Condition", "StringEquals", "sts:ExternalId")
    assert one.locate(path) == other.locate(path) == JsonLocations(text + " ").locate(path)
    assert one._scanned() is other._scanned()
    large = text.replace('"x-1234"', json.dumps("x" * SHARED_TEXT_CHARS))
    assert JsonLocations(large)._scanned() is not JsonLocations(large)._scanned()


CIDRS = st.lists(
    st.sampled_from(
        ["203.0.113.0/24", "198.51.100.0/25", "10.0.0.0/8", "2001:db8:1000::/36", "0.0.0.0/0", "203.0.113.7",
         "not-a-cidr", "203.0.113.0/33", "::/0", "100.64.0.0/10"]
    ),
    min_size=1,
    max_size=3,
)  # fmt: skip
OPERATORS = st.sampled_from(["NotIpAddress", "IpAddress", "NotIpAddressIfExists"])


@settings(max_examples=60, deadline=None)
@given(
    CIDRS,
    OPERATORS,
    st.lists(st.integers(0, 2**32 - 1), max_size=6),
    st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 2**128 - 1), max_size=3),
)
def test_the_answer_for_a_piece_is_the_answer_for_its_address_written_out(
    cidrs: list[str], operator: str, v4: list[int], v6: list[int]
) -> None:
    """``admitted_from`` keys an address by the listed CIDRs that hold it, from its number; the answer
    must be the one ``admitted`` gives the address as text, asked of a judge that saw nothing before."""
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {operator: {"aws:SourceIp": cidrs}}}
    data = {"Version": "2012-10-17", "Statement": [deny]}
    document = PolicyDocument(data, "permissions", "policy", Anchor("p.json", (), None))  # type: ignore[arg-type]
    session = {"aws:principalaccount": ("123456789012",), "aws:viaawsservice": ("false",)}
    denies = denies_of([document])
    shared = _Judge(denies, session)
    for family, number in [*((4, n) for n in v4), *((6, n) for n in v6)]:
        written = address(family, number)
        assert int(ipaddress.ip_address(written)) == number and ipaddress.ip_address(written).version == family
        expected = _Judge(denies, session).admitted({"aws:sourceip": (written,)})
        assert shared.admitted_from(family, number) == expected
        assert _Judge(denies, session).admitted_from(family, number) == expected


# -- policies that differ only in what a verdict can share -------------------------------------------

SLOTS = 3
PRINCIPALS = st.sampled_from(
    ["arn:aws:iam::{0}:root", "{1}", "arn:aws:iam::{2}:role/vendor-{0}", "arn:aws:sts::{0}:assumed-role/r/s",
     "arn:aws:iam::464622532012:root", "*", "<own-account>", "arn:aws:iam::{1}:user/{1}x", "AROA{2}ABCD",
     "{0}{{x}}", "arn:aws:iam::{2}7:root", "{0}-{{{1}}}"]
)  # fmt: skip
CONDITIONS = st.sampled_from(
    [{}, {"StringEquals": {"sts:ExternalId": "xid-1"}}, {"StringLike": {"sts:ExternalId": "xid-*"}},
     {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
     {"StringNotEquals": {"sts:ExternalId": "xid-1"}}, {"StringEquals": {"sts:ExternalId": "{0}"}},
     {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::1*"}}, {"StringEquals": {"aws:PrincipalAccount": "{1}"}}]
)  # fmt: skip
TRUST_STATEMENTS = st.lists(
    st.tuples(
        st.sampled_from(["Allow", "Allow", "Deny"]),
        st.sampled_from(["Principal", "Principal", "NotPrincipal"]),
        st.lists(PRINCIPALS, min_size=1, max_size=3),
        CONDITIONS,
        st.sampled_from(["sts:AssumeRole", "*", ["sts:AssumeRole", "sts:TagSession"]]),
    ),
    min_size=1,
    max_size=3,
)
OWN = "111111111111"
PLAIN_ACCOUNT = st.integers(10**11, 9 * 10**11).filter(
    lambda n: f"{n:012d}" != OWN and not registry().by_account(f"{n:012d}")
)
ACCOUNTS = st.lists(PLAIN_ACCOUNT, min_size=SLOTS, max_size=SLOTS, unique=True)


def _written(template: object, accounts: list[str]) -> object:
    if isinstance(template, str):
        return template.format(*accounts)
    if isinstance(template, dict):
        return {key: _written(value, accounts) for key, value in template.items()}
    if isinstance(template, list):
        return [_written(value, accounts) for value in template]
    return template


def _trust_policy(statements: list[tuple[Any, ...]], accounts: list[str]) -> dict[str, object]:
    written = []
    for effect, element, principals, condition, action in statements:
        statement: dict[str, object] = {"Effect": effect, element: {"AWS": principals}, "Action": action}
        if condition:
            statement["Condition"] = condition
        written.append(_written(statement, accounts))
    return {"Version": "2012-10-17", "Statement": written}


@settings(max_examples=150, deadline=None)
@given(TRUST_STATEMENTS, ACCOUNTS, ACCOUNTS, st.permutations(range(SLOTS)))
def test_a_trust_policy_naming_other_accounts_is_judged_as_afresh(
    statements: list[tuple[Any, ...]], first: list[int], second: list[int], order: list[int]
) -> None:
    """Trust policies that differ only in their accounts (in the same order) share one verdict, renamed:
    it must be the verdict judged afresh, and a policy whose accounts are more than names (a condition
    reads them) is judged on its own."""
    one, other = ([f"{sorted(found)[slot]:012d}" for slot in order] for found in (first, second))
    policies = [_trust_policy(statements, one), _trust_policy(statements, other)]
    settings_ = Settings(own_accounts=frozenset({OWN}))
    memo.forget()
    trust_verdict._SHAPES.clear()
    trust_verdict.judge_trust(policies[0], settings_)
    shared = trust_verdict.judge_trust(policies[1], settings_)
    assert shared == trust_verdict._judge(policies[1], settings_)
    if any(_names_accounts(condition) for *_, condition, _ in statements):
        assert account_names.shape(policies[1], settings_) is None  # judged on its own


def test_trust_policies_of_other_accounts_share_one_verdict_renamed() -> None:
    """The reproduction's folder: each trust names another account, in a policy alike otherwise."""
    statements = [("Allow", "Principal", ["arn:aws:iam::{0}:root", "{1}"], {}, "sts:AssumeRole")]
    policies = [_trust_policy(statements, [f"{n:012d}", f"{n + 1:012d}"]) for n in (100000007919, 100000015838)]
    memo.forget()
    first = trust_verdict.judge_trust(policies[0], Settings())
    shape = account_names.shape(policies[1], Settings())
    kept = trust_verdict._SHAPES.kept(shape[0], Settings()) if shape is not None else None
    assert kept is not None and kept[:2] == (first, ("100000007919", "100000007920"))
    second = trust_verdict.judge_trust(policies[1], Settings())
    assert second.who == "account 100000015838, account 100000015839" and second.accounts == shape[1]
    assert second.missing[0].statement is statements_of(policies[1])[0]
    assert second == trust_verdict._judge(policies[1], Settings())


def _names_accounts(condition: dict[str, object]) -> bool:
    written = json.dumps(condition)
    return any(f"{{{slot}}}" in written for slot in range(SLOTS)) or "aws:PrincipalA" in written


V4_CIDRS = st.builds(
    lambda n, bits: f"{ipaddress.IPv4Network((n, bits), strict=False)}",
    st.integers(11 << 24, 99 << 24),
    st.integers(6, 32),
)  # public, mostly
V6_CIDRS = st.builds(
    lambda n, bits: f"{ipaddress.IPv6Network((n, bits), strict=False)}",
    st.integers(2**125, 2**126),
    st.integers(4, 128),
)
SOURCE_LISTS = st.lists(st.lists(V4_CIDRS | V6_CIDRS, min_size=3, max_size=3), min_size=2, max_size=2)
EXTRA = st.sampled_from(
    [{}, {"Bool": {"aws:ViaAWSService": "false"}}, {"NotIpAddress": {"aws:VpcSourceIp": ["10.0.0.0/8"]}},
     {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}, {"BoolIfExists": {"aws:ViaAWSService": "false"}}]
)  # fmt: skip
DENIES = st.lists(
    st.tuples(
        st.sampled_from(
            ["NotIpAddress", "NotIpAddress", "IpAddress", "NotIpAddressIfExists", "ForAnyValue:NotIpAddress"]
        ),
        EXTRA,
        st.sampled_from(["*", "s3:*", ["s3:GetObject", "ec2:*"]]),
        st.sampled_from(["*", "arn:aws:s3:::logs/*"]),
    ),
    min_size=1,
    max_size=2,
)


def _deny_role(denies: list[tuple[Any, ...]], cidrs: list[str]) -> Role:
    statements = []
    for operator, extra, action, resource in denies:
        condition = {operator: {"aws:SourceIp": cidrs}, **extra}
        statements.append({"Effect": "Deny", "Action": action, "Resource": resource, "Condition": condition})
    data = {"Version": "2012-10-17", "Statement": statements}
    document = PolicyDocument(data, "permissions", "policy", Anchor("policy.json", (), None))  # type: ignore[arg-type]
    return Role("role", Anchor("trust.json", (), None), None, (document,))  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(DENIES, SOURCE_LISTS, st.integers(1, 3))
def test_denies_listing_other_cidrs_are_judged_as_afresh(
    denies: list[tuple[Any, ...]], lists: list[list[str]], length: int
) -> None:
    """Denies that differ only in the CIDRs they list for aws:SourceIp share the judge's answers by
    which CIDRs hold an address: what is left open must be what a judge that saw nothing finds."""
    first, second = (found[:length] for found in lists)
    roles = [_deny_role(denies, first), _deny_role(denies, second)]
    session = {"aws:principalaccount": (OneOf(frozenset({OWN_ACCOUNT})),), "aws:viaawsservice": ("false",)}
    memo.forget()
    for kept in (coverage_module._COVERAGES, coverage_module._SHAPES):
        kept.clear()
    coverage_module.coverage(roles[0], Settings())
    shared, denied = coverage_module.coverage(roles[1], Settings())
    assert shared == coverage_module._judged(denied, session)[0]


OCTETS = st.integers(0, 300).map(str) | st.sampled_from(["0", "00", "01", "007"])
IPV4_TEXTS = st.builds(
    lambda octets, prefix, end: ".".join(octets) + prefix + end,
    st.lists(OCTETS, min_size=4, max_size=4),
    st.sampled_from(["", "/", "/0", "/00", "/08"]) | st.integers(0, 40).map(lambda n: f"/{n}"),
    st.sampled_from(["", "", "", "\n", " "]),
)


@settings(max_examples=300, deadline=None)
@given(IPV4_TEXTS)
def test_an_ipv4_cidr_read_from_its_number_is_the_one_ipaddress_reads(text: str) -> None:
    """Each role's Deny lists another CIDR: it is read from its octets, never differently from
    ``ipaddress`` (which refuses leading zeros, octets over 255 and prefixes over 32)."""
    try:
        expected: ipaddress.IPv4Network | ipaddress.IPv6Network | None = ipaddress.ip_network(text, strict=False)
    except ValueError:
        expected = None
    found = cidrs._ipv4_span(text)
    if found is not None:
        assert expected is not None
        assert found == ((4, int(expected.network_address), int(expected.broadcast_address)), expected.prefixlen)
    elif expected is not None and not re.search(r"(^|[./])0[0-9]|\s", text):
        raise AssertionError(f"{text!r}, written plainly, was left to ipaddress")
    _assert_parsed_as_ipaddress_reads(text, expected)


@settings(max_examples=200, deadline=None)
@given(
    V6_CIDRS
    | st.builds(lambda n, bits: f"{ipaddress.IPv6Address(n)}/{bits}", st.integers(0, 2**128 - 1), st.integers(0, 130))
)
def test_an_ipv6_cidr_is_parsed_as_ipaddress_reads(text: str) -> None:
    try:
        expected: ipaddress.IPv4Network | ipaddress.IPv6Network | None = ipaddress.ip_network(text, strict=False)
    except ValueError:
        expected = None
    _assert_parsed_as_ipaddress_reads(text, expected)


def _assert_parsed_as_ipaddress_reads(
    text: str, expected: ipaddress.IPv4Network | ipaddress.IPv6Network | None
) -> None:
    """``parse_cidr``'s addresses and (lazily made) network are ``ip_network(text, strict=False)``'s."""
    cidrs.parse_cidr.cache_clear()
    parsed = cidrs.parse_cidr(text)
    if parsed.span is None:
        assert parsed.network is None and parsed.prefixlen == -1 and parsed.problem
        return
    assert expected is not None
    assert parsed.span == (expected.version, int(expected.network_address), int(expected.broadcast_address))
    assert parsed.prefixlen == expected.prefixlen and bool(parsed.problem) == (expected.prefixlen == 0)
    network = parsed.network
    assert network == expected and str(network) == str(expected) and type(network) is type(expected)
    assert parsed.network is network  # made once


def _reference_coverage(role: Role, session: dict[str, tuple[object, ...]]) -> coverage_module.Coverage:
    """What a role's Denies leave open, asked address by address as text of a judge that saw nothing
    before (the pieces cut at the networks' bounds, as ``ipaddress`` reads them)."""
    from iam_saas_lint.model.address_space import Breadth, public_space, union
    from iam_saas_lint.model.logic import Doubt

    denies = denies_of(coverage_module.permission_documents(role))
    judge = _Judge(denies, session)  # type: ignore[arg-type]
    texts = [
        v for d in denies for e in d.statement.conditions if e.key_lower == "aws:sourceip" for v in e.literal_strings()
    ]
    networks = [n for n in (cidrs.parse_cidr(text).network for text in texts) if n is not None]
    admitted: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    maybe: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    witness = first_doubt = None
    for family in (4, 6):
        of_family = [n for n in networks if n.version == family]
        cuts = sorted({b for n in of_family for b in (int(n.network_address), int(n.broadcast_address) + 1)})
        for start, end in public_space(family):
            bounds = [start, *(c for c in cuts if start < c <= end), end + 1]
            for first, after in itertools.pairwise(bounds):
                truth, target = judge.admitted({"aws:sourceip": (address(family, first),)})
                if truth is not False:
                    maybe[family].append((first, after - 1))
                if truth is True:
                    admitted[family].append((first, after - 1))
                    outside = not any(ipaddress.ip_address(address(family, first)) in n for n in of_family)
                    if target is not None and outside and witness is None:
                        witness = coverage_module.Escape(target[0], target[1], address(family, first), None)
                elif isinstance(truth, Doubt) and first_doubt is None:
                    first_doubt = truth
    vpc_escape, vpc_doubt = coverage_module._through_vpc(denies, judge)
    first_doubt = vpc_doubt if first_doubt is None else first_doubt
    doubt = None
    if first_doubt is not None:
        origin = judge.origin.get(id(first_doubt))
        doubt = coverage_module.DocumentDoubt(origin[1] if origin and origin[0] is first_doubt else None, first_doubt)
    return coverage_module.Coverage(
        {f: Breadth(f, tuple(union(admitted[f]))) for f in (4, 6)},
        {f: Breadth(f, tuple(union(maybe[f]))) for f in (4, 6)},
        vpc_escape,
        witness,
        doubt,
    )


MIXED_LISTS = st.lists(
    st.lists(V4_CIDRS | V6_CIDRS | CIDRS.map(lambda found: found[0]), min_size=1, max_size=4), min_size=2, max_size=2
)


@settings(max_examples=150, deadline=None)
@given(DENIES, MIXED_LISTS)
def test_what_denies_leave_open_is_what_each_address_written_out_finds(
    denies: list[tuple[Any, ...]], lists: list[list[str]]
) -> None:
    """The pieces of the address space with the CIDRs holding them found in one sweep, judged or
    answered from the answers of Denies alike but for their CIDRs: the same as asking a judge about
    the first address of each piece as text."""
    session = {"aws:principalaccount": (OneOf(frozenset({OWN_ACCOUNT})),), "aws:viaawsservice": ("false",)}
    memo.forget()
    for kept in (coverage_module._COVERAGES, coverage_module._SHAPES):
        kept.clear()
    for cidr_list in lists:  # the first judged, the second answered from its shape when it has one
        role = _deny_role(denies, cidr_list)
        found, _ = coverage_module.coverage(role, Settings())
        assert found == _reference_coverage(role, session)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        V4_CIDRS | V6_CIDRS | st.sampled_from(["10.0.0.0/8", "0.0.0.0/0", "9.255.255.255", "11.0.0.0/8", "::/0"]),
        max_size=5,
    )
)
def test_the_public_space_is_cut_at_every_bound_of_the_networks(texts: list[str]) -> None:
    """Each piece lies inside or outside every listed network, is held by the networks that hold its
    first address, and the pieces are the public space cut at every bound inside it."""
    from iam_saas_lint.model.address_space import held_pieces, holding, public_space

    spans = [cidrs.parse_cidr(text).span for text in texts]
    parsed = [span for span in spans if span is not None]
    for family in (4, 6):
        bounds = {bound for version, first, last in parsed if version == family for bound in (first, last + 1)}
        expected = []
        for start, end in public_space(family):
            inner = sorted(bound for bound in bounds if start < bound <= end)
            expected.extend(itertools.pairwise([start, *inner, end + 1]))
        found = held_pieces(family, parsed, spans)
        assert [(first, last + 1) for (first, last), _ in found] == expected
        for piece, held in found:
            assert held == holding(spans, family, piece[0]) == holding(spans, family, piece[1])


def test_denies_listing_the_same_cidrs_split_otherwise_share_no_coverage() -> None:
    """A coverage is kept under the Denies' shape and the CIDR texts in order: the shape keeps how many
    each entry lists, so the same texts split otherwise between two Denies are judged on their own."""
    texts = ["198.51.100.0/24", "198.51.0.0/16", "203.0.113.0/24"]

    def role(split: int) -> Role:
        statements = [
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": part}}}
            for part in (texts[:split], texts[split:])
        ]
        data = {"Version": "2012-10-17", "Statement": statements}
        document = PolicyDocument(data, "permissions", "policy", Anchor("policy.json", (), None))  # type: ignore[arg-type]
        return Role("role", Anchor("trust.json", (), None), None, (document,))  # type: ignore[arg-type]

    session = {"aws:principalaccount": (OneOf(frozenset({OWN_ACCOUNT})),), "aws:viaawsservice": ("false",)}
    memo.forget()
    for kept in (coverage_module._COVERAGES, coverage_module._SHAPES):
        kept.clear()
    first, _ = coverage_module.coverage(role(1), Settings())
    second, denies = coverage_module.coverage(role(2), Settings())
    assert first.admitted[4].shown() == "198.51.100.0/24" and second.admitted[4].count == 0
    assert second == coverage_module._judged(denies, session)[0]
