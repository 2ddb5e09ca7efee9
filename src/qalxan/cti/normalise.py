"""The kinds of observable that correlation knows, and the one normal form of each value.

An indicator's pattern and a report's text meet only through these forms: whatever the pattern
wrote (``'198.51.100.7/32'``, ``'Example.COM.'``, an upper-case hash) and whatever the analyst
wrote (``198[.]51[.]100[.]7``, ``hxxp://``) become the same string, and lookups are exact.

- addresses: :mod:`ipaddress`'s compressed form; a ``/32`` (``/128``) is the address itself;
- domains and e-mail addresses: lower case, no trailing dot, IDNA (punycode) for non-ASCII;
- hashes: lower-case hex, the kind named by the algorithm (``file:sha-256``);
- URLs: scheme and host lower case, the scheme's default port dropped, an empty path as ``/``,
  the fragment dropped (it never reaches a server); path and query are kept as written.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

IPV4, IPV6 = "ipv4-addr", "ipv6-addr"
DOMAIN, URL, EMAIL = "domain-name", "url", "email-addr"
MD5, SHA1, SHA256 = "file:md5", "file:sha-1", "file:sha-256"
FILE_NAME = "file:name"
# Networks of an indicator (ISSUBSET, or a CIDR block as an address value): indexed apart.
NETWORK = {IPV4: "ipv4-net", IPV6: "ipv6-net"}
KINDS = (IPV4, IPV6, DOMAIN, URL, EMAIL, MD5, SHA1, SHA256)
HASH_LENGTHS = {32: MD5, 40: SHA1, 64: SHA256}
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
MAX_VALUE = 500  # the index's column


def address(text: str) -> tuple[str, str] | None:
    """(kind, value) of an IP address, or None."""
    try:
        parsed = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return (IPV4 if parsed.version == 4 else IPV6), parsed.compressed


def network(text: str) -> tuple[str, str] | None:
    """(kind, value) of a CIDR block (host bits cleared), or None. A single address is not a
    network: ``/32`` and ``/128`` are read as the address by :func:`address_or_network`."""
    try:
        parsed = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    if parsed.prefixlen == parsed.max_prefixlen:
        return None
    return NETWORK[IPV4 if parsed.version == 4 else IPV6], parsed.with_prefixlen


def address_or_network(text: str) -> tuple[str, str] | None:
    if "/" not in text:
        return address(text)
    found = network(text)
    if found is not None:
        return found
    head, _, bits = text.partition("/")
    return address(head) if bits.strip() in ("32", "128") else None


def covering(kind: str, value: str) -> list[str]:
    """Every network, from /0 to the longest prefix, that contains the address: what an
    address is looked up under among the indexed networks (33 keys for IPv4, 129 for IPv6)."""
    parsed = ipaddress.ip_address(value)
    longest = 32 if kind == IPV4 else 128
    return [
        ipaddress.ip_network(f"{parsed}/{bits}", strict=False).with_prefixlen
        for bits in range(longest)
    ]


def domain(text: str) -> str | None:
    value = text.strip().rstrip(".").lower()
    if not value or " " in value:
        return None
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return value if len(value) <= 253 else None


def email(text: str) -> str | None:
    local, at, host = text.strip().rpartition("@")
    if not at or not local:
        return None
    host_value = domain(host)
    return f"{local.lower()}@{host_value}" if host_value else None


def hash_value(text: str) -> tuple[str, str] | None:
    value = text.strip().lower()
    kind = HASH_LENGTHS.get(len(value))
    if kind is None or any(c not in "0123456789abcdef" for c in value):
        return None
    return kind, value


def url(text: str) -> str | None:
    """The canonical form of an absolute URL, or None when it has no scheme and host."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    hostname = parts.hostname
    if not scheme or not hostname:
        return None
    ip = address(hostname)
    host = (f"[{ip[1]}]" if ip[0] == IPV6 else ip[1]) if ip else domain(hostname)
    if host is None:
        return None
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def value_of(kind: str, text: str) -> str | None:
    """``text`` in the normal form of ``kind`` (None when it is not one)."""
    if kind in (IPV4, IPV6):
        found = address_or_network(text)
        return found[1] if found and found[0] == kind else None
    if kind == DOMAIN:
        return domain(text)
    if kind == EMAIL:
        return email(text)
    if kind == URL:
        return url(text)
    if kind in (MD5, SHA1, SHA256):
        found_hash = hash_value(text)
        return found_hash[1] if found_hash and found_hash[0] == kind else None
    return None
