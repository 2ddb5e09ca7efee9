"""Observables in what a report says: IP addresses, domains, URLs, hashes, e-mail addresses.

Analysts defang what they write (``198[.]51[.]100[.]7``, ``hxxp://``, ``example[.]com``,
``user[at]example[.]com``); each pattern below accepts those forms and the value is refanged
before it is put in normal form (:mod:`qalxan.cti.normalise`). A value is never taken from
inside a word (``abc198.51.100.7``, a hash inside a longer hex run). Each value is given once,
with the text the report wrote for it (the first time), which explanations quote.

A domain must end in a public suffix of the Public Suffix List (the snapshot bundled with
``publicsuffixlist``, read from the package, never fetched) and have a registrable label in
front of it: ``report.pdf`` and ``gov.az`` alone are not domains, ``mail.gov.az`` is. Hosts of
URLs are domains too (so a URL in a report also matches a domain indicator); the domain of an
e-mail address is not (a mail provider's domain is rarely what an indicator means).

Extraction errs towards too many candidates: a candidate is only looked up, and matching is
exact, so a value that is no indicator costs one index probe and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from qalxan.cti import normalise as n
from qalxan.cti.patterns import Seen

DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
AT = r"(?:@|\[@\]|\(@\)|\[at\]|\(at\))"
LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
TLD = r"(?:xn--[a-z0-9-]{1,59}|[^\W\d_]{2,63})"
DOMAIN = rf"(?:{LABEL}{DOT})+{TLD}"
FLAGS = re.IGNORECASE

URL_RE = re.compile(r"(?<![\w.-])(?:h[tx]{2}ps?|ftp|fxp)(?::|\[:\])//[^\s<>\"'`{}|\\^]+", FLAGS)
EMAIL_RE = re.compile(rf"(?<![\w.+-])[\w.+-]{{1,64}}{AT}{DOMAIN}(?![\w-])", FLAGS)
IPV4_RE = re.compile(rf"(?<![\w.])(?:\d{{1,3}}{DOT}){{3}}\d{{1,3}}(?![\w]|{DOT}\d)")
IPV6_RE = re.compile(r"(?<![\w:.])(?:[0-9a-f]{0,4}(?::|\[:\])){2,7}[0-9a-f.]{0,15}(?![\w:])", FLAGS)
HASH_RE = re.compile(r"\b(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})\b", FLAGS)
DOMAIN_RE = re.compile(rf"(?<![\w@.-]){DOMAIN}(?![\w-]|{DOT}[^\W_])", FLAGS)
# A dot between a letter or digit and a letter: what every domain has, and prose rarely does.
DOTTED = re.compile(rf"[^\W_]{DOT}[^\W\d_]")
REFANG = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\[:\]|\[@\]|\(@\)|\[at\]|\(at\)", FLAGS)
REFANGED = {"[:]": ":", "[@]": "@", "(@)": "@", "[at]": "@", "(at)": "@"}
SCHEMES = {"hxxp": "http", "hxxps": "https", "hxtp": "http", "htxp": "http", "fxp": "ftp"}
TRAILING = ".,;:!?'\")]}>"


@dataclass(frozen=True)
class Observable:
    kind: str
    value: str
    found_as: str


class _Found:
    """Observables in the order first found, each (kind, value) once."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Observable] = {}

    def add(self, kind: str, value: str | None, written: str) -> None:
        if value and len(value) <= n.MAX_VALUE:
            self.items.setdefault((kind, value), Observable(kind, value, written))

    def address(self, written: str) -> None:
        found = n.address(refang(written))
        if found is not None:
            self.add(found[0], found[1], written)


def extract(texts: Iterable[str | None]) -> list[Observable]:
    """The observables in the texts, each (kind, value) once, in the order first found."""
    found = _Found()
    for text in texts:
        if not text:
            continue
        # Cheap tests first: most reports have no URL, mailbox or IPv6 address at all.
        lowered = text.lower()
        for written in _urls(text) if "//" in text else ():
            found.add(n.URL, n.url(refang(written)), written)
        mailboxes = []
        if "@" in text or "at]" in lowered or "at)" in lowered:
            for match in EMAIL_RE.finditer(text):
                found.add(n.EMAIL, n.email(refang(match.group())), match.group())
                mailboxes.append(match.span())
        for match in IPV4_RE.finditer(text):
            found.address(match.group())
        for match in IPV6_RE.finditer(text) if text.count(":") >= 2 else ():
            found.address(match.group())
        for match in HASH_RE.finditer(text):
            hashed = n.hash_value(match.group())
            if hashed:
                found.add(hashed[0], hashed[1], match.group())
        for match in DOMAIN_RE.finditer(text) if DOTTED.search(text) else ():
            if any(start <= match.start() < end for start, end in mailboxes):
                continue
            value = n.domain(refang(match.group()))
            if value and registrable(value):
                found.add(n.DOMAIN, value, match.group())
    return list(found.items.values())


def seen(
    observables: Iterable[Observable], texts: Iterable[str | None], at: datetime | None = None
) -> Seen:
    """What :meth:`qalxan.cti.patterns.Pattern.holds` is evaluated against."""
    values: dict[str, dict[str, str]] = {}
    for o in observables:
        values.setdefault(o.kind, {}).setdefault(o.value, o.found_as)
    return Seen(values, "\n".join(t for t in texts if t).lower(), at)


def refang(text: str) -> str:
    """The value an analyst defanged, as it really is."""
    value = REFANG.sub(lambda m: REFANGED.get(m.group().lower(), "."), text)
    scheme, sep, rest = value.partition("://")
    if sep and scheme.lower() in SCHEMES:
        value = f"{SCHEMES[scheme.lower()]}://{rest}"
    return value


def registrable(domain: str) -> bool:
    """Whether the name ends in a known public suffix with a label in front of it."""
    return _psl().privatesuffix(domain) is not None


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    # The bundled snapshot: unknown TLDs are not accepted (a file extension is not a TLD).
    return PublicSuffixList(accept_unknown=False)


def _urls(text: str) -> list[str]:
    found = []
    for match in URL_RE.finditer(text):
        written = match.group()
        while written and written[-1] in TRAILING and not written.endswith(("[.]", "(.)")):
            if written[-1] in ")]}" and written.count("([{"[")]}".index(written[-1])]) >= (
                written.count(written[-1])
            ):
                break
            written = written[:-1]
        found.append(written)
    return found
