"""STIX patterns: what they look for (index keys) and whether a report's observables hold them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from stix2patterns.v21.pattern import Pattern as ParsedPattern

from qalxan.cti import normalise as n
from qalxan.cti import pattern_tree
from qalxan.cti.observables import extract, seen
from qalxan.cti.patterns import compile_pattern
from qalxan.errors import InvalidInput
from tests.conftest import SHARED

AT = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
OASIS = SHARED / "data" / "cti" / "stix" / "examples" / "indicator-for-c2-ip-address.json"


def holds(pattern: str, text: str, at: datetime = AT) -> bool:
    shown = seen(extract([text]), [text], at)
    return compile_pattern(pattern).holds(shown) is not None


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ("[ipv4-addr:value = '198.51.100.7']", (n.IPV4, "198.51.100.7")),
        ("[ipv4-addr:value = '198.51.100.7/32']", (n.IPV4, "198.51.100.7")),
        ("[ipv6-addr:value = '2001:DB8:0:0::7']", (n.IPV6, "2001:db8::7")),
        ("[domain-name:value = 'Evil.Example.COM.']", (n.DOMAIN, "evil.example.com")),
        (
            "[url:value = 'HTTP://Evil.example.com:80/a?b=1#frag']",
            (n.URL, "http://evil.example.com/a?b=1"),
        ),
        ("[file:hashes.'SHA-256' = '" + "AB" * 32 + "']", (n.SHA256, "ab" * 32)),
        ("[file:hashes.MD5 = '" + "CD" * 16 + "']", (n.MD5, "cd" * 16)),
        ("[file:hashes.'SHA-1' = '" + "EF" * 20 + "']", (n.SHA1, "ef" * 20)),
        ("[email-addr:value = 'Boss@Phish.AZ']", (n.EMAIL, "boss@phish.az")),
        ("[email-message:from_ref.value = 'boss@phish.az']", (n.EMAIL, "boss@phish.az")),
        ("[ipv4-addr:value ISSUBSET '198.51.100.9/24']", ("ipv4-net", "198.51.100.0/24")),
        ("[ipv6-addr:value ISSUBSET '2001:db8::/32']", ("ipv6-net", "2001:db8::/32")),
        ("[ipv4-addr:value = '10.0.0.0/8']", ("ipv4-net", "10.0.0.0/8")),
        ("[network-traffic:dst_ref.value = '203.0.113.5']", (n.IPV4, "203.0.113.5")),
        ("[domain-name:value LIKE '%.evil.az']", ("~domain-name", "%.evil.az")),
    ],
)
def test_each_kind_is_indexed_in_its_normal_form(pattern: str, key: tuple[str, str]) -> None:
    assert compile_pattern(pattern).keys == [key]


def test_set_values_are_each_indexed_and_negations_are_not() -> None:
    pattern = compile_pattern(
        "[ipv4-addr:value IN ('198.51.100.1', '198.51.100.2')"
        " AND ipv4-addr:value != '198.51.100.3']"
    )
    assert pattern.keys == [(n.IPV4, "198.51.100.1"), (n.IPV4, "198.51.100.2")]


def test_a_bad_pattern_is_refused_with_the_parser_reason() -> None:
    with pytest.raises(InvalidInput) as caught:
        compile_pattern("[ipv4-addr:value = ]")
    assert caught.value.field == "pattern"


def test_an_address_matches_by_value_and_by_network() -> None:
    text = "Beaconing to 198[.]51[.]100[.]7 observed."
    assert holds("[ipv4-addr:value = '198.51.100.7']", text)
    assert not holds("[ipv4-addr:value = '198.51.100.8']", text)
    assert holds("[ipv4-addr:value ISSUBSET '198.51.100.0/24']", text)
    assert not holds("[ipv4-addr:value ISSUBSET '198.51.101.0/24']", text)
    assert holds("[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", text)


def test_like_and_matches_are_evaluated_against_the_reports_values() -> None:
    text = "The dropper came from cdn.evil.az and mail.good.az"
    assert holds("[domain-name:value LIKE '%.evil.az']", text)
    assert not holds("[domain-name:value LIKE '%.bad.az']", text)
    assert holds("[domain-name:value MATCHES '^cdn\\\\.evil\\\\.']", text)
    assert not holds("[domain-name:value MATCHES '^www\\\\.']", text)


def test_the_whole_pattern_must_hold_against_one_report() -> None:
    both = "Seen 198.51.100.7 and evil.example.com"
    one = "Seen 198.51.100.7 only"
    anded = "[ipv4-addr:value = '198.51.100.7'] AND [domain-name:value = 'evil.example.com']"
    followed = anded.replace(" AND ", " FOLLOWEDBY ")
    ored = anded.replace(" AND ", " OR ")
    for pattern in (anded, followed):
        assert holds(pattern, both)
        assert not holds(pattern, one)
    assert holds(ored, one)
    # Inside one observation too: a file's hash and its name must both be shown.
    file_pattern = "[file:hashes.MD5 = '" + "ab" * 16 + "' AND file:name = 'loader.exe']"
    assert holds(file_pattern, "hash " + "AB" * 16 + " of loader.exe")
    assert not holds(file_pattern, "hash " + "AB" * 16 + " of another file")


def test_qualifiers_within_start_stop_and_repeats() -> None:
    text = "C2 198.51.100.7"
    assert holds("[ipv4-addr:value = '198.51.100.7'] WITHIN 60 SECONDS", text)
    window = (
        "[ipv4-addr:value = '198.51.100.7']"
        " START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'"
    )
    assert holds(window, text)
    assert not holds(window, text, datetime(2026, 3, 1, tzinfo=UTC))
    assert not holds("[ipv4-addr:value = '198.51.100.7'] REPEATS 3 TIMES", text)


def test_what_a_report_cannot_show_never_holds() -> None:
    assert not holds("[process:name = 'evil.exe']", "the process evil.exe ran")
    assert not holds("[ipv4-addr:value = '1.2.3.4' AND process:pid = 4]", "seen 1.2.3.4")


def test_a_type_term_holds_when_the_report_shows_that_kind() -> None:
    pattern = (
        "[network-traffic:dst_ref.type = 'ipv4-addr'"
        " AND network-traffic:dst_ref.value = '203.0.113.5']"
    )
    assert holds(pattern, "outbound to 203.0.113.5:443")
    assert not holds(pattern, "outbound to 203.0.113.6")


def test_proofs_name_the_term_and_the_value_as_the_report_wrote_it() -> None:
    text = "Analyst note: hxxp://evil[.]example[.]com/x"
    proofs = compile_pattern("[url:value = 'http://evil.example.com/x']").holds(
        seen(extract([text]), [text], AT)
    )
    assert proofs is not None
    assert proofs[0].found_as == "hxxp://evil[.]example[.]com/x"
    assert proofs[0].term == "url:value = 'http://evil.example.com/x'"


@pytest.mark.parametrize(
    "pattern",
    [
        "[ipv4-addr:value = '198.51.100.7']",
        "[file:hashes.'SHA-256' = 'ab' AND file:name = 'x.exe' OR url:value = 'http://a/b\\'c']",
        "[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']",
        "[domain-name:value LIKE '%.evil.az' OR email-addr:value = 'a@b.az']",
        "[network-traffic:dst_ref.value = '1.2.3.4'"
        " AND network-traffic:dst_ref.type = 'ipv4-addr']",
        "[domain-name:resolves_to_refs[*].value = '1.2.3.4']",
    ],
)
def test_the_fast_reading_agrees_with_the_grammar(pattern: str) -> None:
    fast = pattern_tree._simple(pattern)
    assert fast is not None
    slow = pattern_tree._convert(ParsedPattern(pattern)._Pattern__parse_tree)
    assert _leaves(fast) == _leaves(slow)
    for text in ("1.2.3.4 and x.exe", "a@b.az", "cdn.evil.az 10.1.1.1", "203.0.113.1"):
        shown = seen(extract([text]), [text], AT)
        left = compile_pattern(pattern).holds(shown) is not None
        right = _holds_slow(slow, pattern, shown)
        assert left == right, text


def test_the_fast_reading_leaves_anything_else_to_the_grammar() -> None:
    for pattern in (
        "[a:b = 'x'] AND [c:d = 'y']",
        "[ipv4-addr:value = '1.2.3.4' AND ]",
        "[ipv4-addr:value = '1.2.3.4'] REPEATS 2 TIMES",
        "[file:size > 10]",
    ):
        assert pattern_tree._simple(pattern) is None


def test_the_oasis_c2_indicator() -> None:
    if not OASIS.exists():
        pytest.skip(f"the OASIS examples are not at {OASIS}")
    (obj,) = json.loads(OASIS.read_text("utf-8"))["objects"]
    pattern = compile_pattern(obj["pattern"])
    assert pattern.keys == [(n.IPV4, "10.0.0.0")]
    assert holds(obj["pattern"], "callback to 10[.]0[.]0[.]0 seen")


def _leaves(tree: object) -> list[object]:
    if isinstance(tree, pattern_tree.Comparison):
        return [(tree.object_type, tree.path, tree.op, tree.values, tree.negated)]
    if isinstance(tree, pattern_tree.Node):
        return sorted((x for i in tree.items for x in _leaves(i)), key=repr)
    return []


def _holds_slow(tree: pattern_tree.Tree, text: str, shown: object) -> bool:
    from qalxan.cti.patterns import Pattern, _comparisons, term_of

    pattern = Pattern(text, tree, {c: term_of(c) for c in _comparisons(tree)})
    return pattern.holds(shown) is not None  # type: ignore[arg-type]
