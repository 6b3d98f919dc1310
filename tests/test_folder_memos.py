"""What one folder of thousands of roles shares between them, and what it must not (issue 15): the
statements of identical documents, a scan of identical texts, and the source-IP judge's answers for
the pieces of the address space, each the same as computed afresh."""

from __future__ import annotations

import ipaddress
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iam_saas_lint.model import memo
from iam_saas_lint.model.address_space import address
from iam_saas_lint.model.coverage import _Judge, denies_of
from iam_saas_lint.model.document import PolicyDocument
from iam_saas_lint.model.statements import statements_of
from iam_saas_lint.model.values import Anchor, SensitiveText
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
