"""What an indicator's STIX pattern looks for, and whether a report shows it.

Each comparison becomes a :class:`Term` on one kind of observable (:mod:`qalxan.cti.normalise`):

- ``=`` and ``IN`` on ``ipv4-addr:value``, ``ipv6-addr:value``, ``domain-name:value``,
  ``url:value``, ``email-addr:value``, ``email-message:from_ref.value`` (and ``sender_ref``,
  ``to_refs[*]``, ``cc_refs[*]``), ``file:hashes.MD5|SHA-1|SHA-256``, and the address values of
  ``network-traffic:src_ref/dst_ref`` and ``domain-name:resolves_to_refs[*]`` (kind read from the
  value): exact values, indexed;
- ``ISSUBSET '198.51.100.0/24'`` (and an address value written as a CIDR block, as producers
  do): a network, indexed, matched by containment;
- ``LIKE`` and ``MATCHES``: kept aside (indexed as "this indicator has a rule on this kind")
  and evaluated against the report's observables of that kind;
- ``network-traffic:dst_ref.type = 'ipv4-addr'``: holds when the report shows an address of
  that kind; ``file:name = 'x'`` holds when the report's text has the name as a word;
- anything else (process, registry, ``EXISTS``, ordering, ``ISSUPERSET``) cannot be seen in a
  report and never holds.

The rule of a match: the whole pattern must hold against what the one report shows. ``AND``,
both inside an observation and between observations, needs every part; ``OR`` one;
``FOLLOWEDBY`` every part (a report has one observation time, so the order is not checked, and
``WITHIN`` always holds); ``START``/``STOP`` needs the report's observed time inside the window;
``REPEATS n`` with n > 1 does not hold (one report is one observation). ``NOT`` holds when the
report shows a value of that kind that fails the test. A pattern is found only through its
positive indexed terms: a branch with none (only negations, types or file names) cannot match
alone.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from qalxan.cti import normalise as n
from qalxan.cti.pattern_tree import Comparison, Node, Tree, Window, parse

EXACT = {
    ("ipv4-addr", "value"): n.IPV4,
    ("ipv6-addr", "value"): n.IPV6,
    ("domain-name", "value"): n.DOMAIN,
    ("url", "value"): n.URL,
    ("email-addr", "value"): n.EMAIL,
    ("email-message", "from_ref.value"): n.EMAIL,
    ("email-message", "sender_ref.value"): n.EMAIL,
    ("email-message", "to_refs[*].value"): n.EMAIL,
    ("email-message", "cc_refs[*].value"): n.EMAIL,
    ("file", "hashes.md5"): n.MD5,
    ("file", "hashes.sha-1"): n.SHA1,
    ("file", "hashes.sha1"): n.SHA1,
    ("file", "hashes.sha-256"): n.SHA256,
    ("file", "hashes.sha256"): n.SHA256,
}
# Paths to an object whose kind its value tells (an address, a network or a domain).
ADDRESSES = {
    ("network-traffic", "src_ref.value"),
    ("network-traffic", "dst_ref.value"),
    ("domain-name", "resolves_to_refs[*].value"),
}
TYPES = {("network-traffic", "src_ref.type"), ("network-traffic", "dst_ref.type")}
MAX_RULE = 1000  # a longer LIKE/MATCHES literal is not evaluated (a regex is run on reports)


@dataclass(frozen=True)
class Term:
    """A comparison read for correlation: ``test`` is ``equals``, ``network``, ``like``,
    ``matches``, ``type``, ``name`` or ``unseen``; ``values`` are in normal form."""

    text: str
    test: str
    kind: str | None
    values: tuple[str, ...]
    negated: bool = False

    @property
    def keys(self) -> list[tuple[str, str]]:
        """Index rows (kind, value) under which this term is looked up."""
        if self.negated or self.kind is None:
            return []
        if self.test == "equals":
            return [(self.kind, v) for v in self.values]
        if self.test == "network":
            return [(n.NETWORK[self.kind], v) for v in self.values]
        if self.test in ("like", "matches"):
            return [(f"~{self.kind}", _short(v)) for v in self.values]
        return []


@dataclass(frozen=True)
class Proof:
    """Why a term held: its text, and the report's value (as the report wrote it)."""

    term: str
    kind: str
    value: str
    found_as: str


@dataclass(frozen=True)
class Seen:
    """What a report shows: kind -> {normal value: as written}, and its text (lower case)."""

    values: Mapping[str, Mapping[str, str]]
    text: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Pattern:
    text: str
    tree: Tree
    terms: Mapping[Comparison, Term] = field(default_factory=dict)

    @property
    def keys(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys(k for t in self.terms.values() for k in t.keys))

    def holds(self, seen: Seen) -> list[Proof] | None:
        """The proofs that the whole pattern holds against ``seen``, or None."""
        return _holds(self.tree, seen, self.terms)


@lru_cache(maxsize=20_000)
def compile_pattern(text: str) -> Pattern:
    """The pattern with its terms (InvalidInput when it does not parse)."""
    tree = parse(text)
    return Pattern(text, tree, {c: term_of(c) for c in _comparisons(tree)})


def _comparisons(tree: Tree) -> list[Comparison]:
    if isinstance(tree, Comparison):
        return [tree]
    if isinstance(tree, Node):
        return [c for i in tree.items for c in _comparisons(i)]
    return _comparisons(tree.item)


def term_of(c: Comparison) -> Term:
    where = (c.object_type, c.path)
    negated = c.negated != (c.op == "!=")
    if where in TYPES and c.op in ("=", "!=") and c.values[0] in n.KINDS:
        return Term(c.text, "type", c.values[0], c.values, negated)
    if where == ("file", "name") and c.op == "=" and not c.negated:
        return Term(c.text, "name", n.FILE_NAME, (c.values[0].lower(),))
    kind = EXACT.get(where)
    if kind is None and where in ADDRESSES and c.values:
        kind = _kind_of(c.values[0])
    if kind is None:
        return Term(c.text, "unseen", None, c.values, negated)
    if c.op in ("=", "!=", "IN"):
        return _exact(c.text, kind, c.values, negated)
    if c.op == "ISSUBSET" and kind in n.NETWORK:
        found = [n.network(v) or n.address_or_network(v) for v in c.values]
        if all(found):
            return Term(c.text, "network", kind, tuple(f[1] for f in found if f), negated)
    if c.op in ("LIKE", "MATCHES") and len(c.values[0]) <= MAX_RULE:
        value = c.values[0] if kind == n.URL else c.values[0].lower()
        return Term(c.text, c.op.lower(), kind, (value,), negated)
    return Term(c.text, "unseen", None, c.values, negated)


def _exact(text: str, kind: str, values: tuple[str, ...], negated: bool) -> Term:
    if kind in n.NETWORK and any("/" in v for v in values):
        found = [n.address_or_network(v) for v in values]
        if all(f is not None and f[0] == n.NETWORK[kind] for f in found):
            return Term(text, "network", kind, tuple(f[1] for f in found if f), negated)
    normal = [n.value_of(kind, v) for v in values]
    return Term(text, "equals", kind, tuple(v for v in normal if v), negated)


def _kind_of(value: str) -> str | None:
    found = n.address_or_network(value)
    if found is not None:
        return n.IPV6 if found[0] in (n.IPV6, n.NETWORK[n.IPV6]) else n.IPV4
    return n.DOMAIN if n.domain(value) and "." in value else None


def _holds(tree: Tree, seen: Seen, terms: Mapping[Comparison, Term]) -> list[Proof] | None:
    if isinstance(tree, Comparison):
        return _term_holds(terms[tree], seen)
    if isinstance(tree, Node):
        proofs: list[Proof] = []
        for item in tree.items:
            found = _holds(item, seen, terms)
            if found is None and tree.op == "and":
                return None
            if found is not None and tree.op == "or":
                return found
            proofs += found or []
        return proofs if tree.op == "and" else None
    if isinstance(tree, Window):
        inside = seen.at is not None and tree.start <= seen.at < tree.stop
        return _holds(tree.item, seen, terms) if inside else None
    return _holds(tree.item, seen, terms) if tree.times <= 1 else None


def _term_holds(term: Term, seen: Seen) -> list[Proof] | None:
    if term.test == "name":
        found = _word(term.values[0], seen.text)
        return [Proof(term.text, n.FILE_NAME, term.values[0], term.values[0])] if found else None
    if term.kind is None or term.test == "unseen":
        return None
    present = seen.values.get(term.kind, {})
    if term.test == "type":
        if bool(present) == term.negated:
            return None
        return [Proof(term.text, term.kind, v, a) for v, a in list(present.items())[:1]]
    proofs = [
        Proof(term.text, term.kind, value, written)
        for value, written in present.items()
        if _test(term, value) != term.negated
    ]
    return proofs or None


def _test(term: Term, value: str) -> bool:
    if term.test == "equals":
        return value in term.values
    if term.test == "network":
        address = ipaddress.ip_address(value)
        return any(address in ipaddress.ip_network(v) for v in term.values)
    rule = _rule(term.test, term.values[0])
    return rule is not None and rule.search(value) is not None


@lru_cache(maxsize=4096)
def _rule(test: str, literal: str) -> re.Pattern[str] | None:
    if test == "like":
        parts = ("." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in literal)
        return re.compile("^" + "".join(parts) + "$", re.DOTALL)
    try:
        return re.compile(literal)
    except re.error:
        return None


def _word(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) is not None


def _short(value: str) -> str:
    return value if len(value) <= n.MAX_VALUE else hashlib.sha256(value.encode()).hexdigest()
