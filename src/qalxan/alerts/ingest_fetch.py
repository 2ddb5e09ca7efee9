"""Fetching a feed or a linked CAP document over HTTP(S), within limits.

Only ``http`` and ``https`` addresses are fetched. A fetch gives up after :data:`TIMEOUT` and
stops reading past :data:`MAX_BYTES` (the largest shared sample, a 59-alert EDXL-DE envelope,
is 316 KB). A feed is asked for conditionally: with the ``ETag`` and ``Last-Modified`` of the
last answer, an unchanged feed answers 304 and nothing is read. Any failure raises
:class:`FetchFailed` naming the address and the reason. Tests pass a client on an
``httpx.MockTransport``: nothing here opens a connection of its own when given one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from qalxan.errors import InvalidInput

TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "Qalxan-alerts/1 (CAP 1.2 ingest)"
ACCEPT = "application/cap+xml, application/atom+xml, application/rss+xml, application/xml;q=0.9, text/csv;q=0.8, */*;q=0.5"  # noqa: E501


class FetchFailed(InvalidInput):
    """An address that could not be fetched: refused, unreachable, too slow or too large."""

    code = "fetch_failed"


@dataclass(frozen=True)
class Fetched:
    """An answer: ``content`` is None when the server said the feed has not changed."""

    url: str
    content: bytes | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def unchanged(self) -> bool:
        return self.content is None


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def resolve(base: str, link: str) -> str:
    """``link`` (absolute, or relative to ``base``) as an absolute address."""
    return urljoin(base, link.strip())


def new_client() -> httpx.Client:
    return httpx.Client(
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
    )


def fetch(
    client: httpx.Client,
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """GET ``url``, conditionally when ``etag`` or ``last_modified`` is given."""
    if not is_url(url):
        raise FetchFailed(f"url: {url}: only http and https addresses are fetched", "url")
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with client.stream("GET", url, headers=headers) as answer:
            if answer.status_code == httpx.codes.NOT_MODIFIED:
                return Fetched(url, None, etag, last_modified)
            if answer.status_code != httpx.codes.OK:
                raise FetchFailed(
                    f"url: {url}: HTTP {answer.status_code} {answer.reason_phrase}", "url"
                )
            content = _read(answer, url, max_bytes)
            return Fetched(
                url,
                content,
                answer.headers.get("ETag"),
                answer.headers.get("Last-Modified"),
            )
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise FetchFailed(f"url: {url}: {reason}", "url") from exc


def _read(answer: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = answer.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(
            f"url: {url}: {int(declared):,} bytes, over the {max_bytes:,} byte limit", "url"
        )
    parts: list[bytes] = []
    size = 0
    for part in answer.iter_bytes():
        size += len(part)
        if size > max_bytes:
            raise FetchFailed(f"url: {url}: over the {max_bytes:,} byte limit", "url")
        parts.append(part)
    return b"".join(parts)
