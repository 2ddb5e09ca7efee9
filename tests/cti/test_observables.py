"""Observables in what analysts write: defanged forms, not inside words, once each."""

from __future__ import annotations

from qalxan.cti import normalise as n
from qalxan.cti.observables import extract, refang, registrable


def found(text: str) -> set[tuple[str, str]]:
    return {(o.kind, o.value) for o in extract([text])}


def test_defanged_addresses_domains_urls_and_mailboxes_are_refanged() -> None:
    text = (
        "C2 198[.]51[.]100[.]7, beacon hxxp://evil[.]example[.]com/p?x=1 and "
        "hxxps[:]//cdn(.)evil(.)az/a; mail from boss[at]phish[.]az; example{.}org"
    )
    got = found(text)
    assert (n.IPV4, "198.51.100.7") in got
    assert (n.URL, "http://evil.example.com/p?x=1") in got
    assert (n.URL, "https://cdn.evil.az/a") in got
    assert (n.EMAIL, "boss@phish.az") in got
    assert (n.DOMAIN, "evil.example.com") in got  # a URL's host is a domain too
    assert (n.DOMAIN, "example.org") in got


def test_the_text_as_written_is_kept_for_explanations() -> None:
    (ip,) = [o for o in extract(["seen 198[.]51[.]100[.]7"]) if o.kind == n.IPV4]
    assert ip.found_as == "198[.]51[.]100[.]7"


def test_nothing_is_taken_from_inside_words() -> None:
    md5 = "d41d8cd98f00b204e9800998ecf8427e"
    got = found(f"abc198.51.100.7 x{md5} {md5}ff id198.51.100.8x")
    assert not [k for k, _ in got if k in (n.IPV4, n.MD5)]
    assert (n.MD5, md5) in found(f"hash: {md5.upper()}.")


def test_hashes_are_told_apart_by_length() -> None:
    sha1, sha256 = "a" * 40, "b" * 64
    got = found(f"{sha1} {sha256} {'c' * 48}")
    assert got == {(n.SHA1, sha1), (n.SHA256, sha256)}


def test_invalid_addresses_and_times_are_not_addresses() -> None:
    got = found("999.1.1.1 at 10:30:00 on 2026-01-05, version 1.2.3.4.5")
    assert not [k for k, _ in got if k in (n.IPV4, n.IPV6)]
    assert (n.IPV6, "2001:db8::1") in found("from 2001:DB8:0::1 today")


def test_domains_need_a_public_suffix_and_a_label_before_it() -> None:
    got = found("see report.pdf, notes.txt, gov.az, mail.gov.az and xn--bak-lua.az")
    assert (n.DOMAIN, "mail.gov.az") in got
    assert (n.DOMAIN, "xn--bak-lua.az") in got
    assert all(v not in ("report.pdf", "notes.txt", "gov.az") for _, v in got)
    assert registrable("evil.co.uk") and not registrable("co.uk")


def test_the_domain_of_an_email_address_is_not_a_domain_observable() -> None:
    got = found("from ops@mail.phish.az")
    assert got == {(n.EMAIL, "ops@mail.phish.az")}


def test_each_value_once_and_urls_in_canonical_form() -> None:
    observables = extract(["HTTP://Evil.EXAMPLE.com:80/a", "http://evil.example.com/a."])
    urls = [o for o in observables if o.kind == n.URL]
    assert [u.value for u in urls] == ["http://evil.example.com/a"]
    assert urls[0].found_as == "HTTP://Evil.EXAMPLE.com:80/a"


def test_refang_restores_schemes_and_separators() -> None:
    assert refang("hxxps://a[.]b[.]az/x") == "https://a.b.az/x"
    assert refang("user[@]mail(.)az") == "user@mail.az"
