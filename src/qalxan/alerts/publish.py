"""What the public sees: the Atom feed of active public alerts and each alert's CAP document.

Public means issued by this desk with CAP scope ``Public``. Such an alert's document is served
at :func:`cap_path` for ever, also once it is superseded, cancelled or expired (a receiver may
follow an update's ``references``); the feed lists those still *active*: issued, not replaced,
and not past the expiry of every info block. Anything else answers exactly like a missing
alert. Nothing here needs a caller: these are the platform's published messages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from lxml import etree  # type: ignore[import-untyped]  # no stubs among the dev deps
from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from qalxan.alerts.rows import AUTHORED, ISSUED, WAS_ISSUED
from qalxan.alerts.tables import AlertRow
from qalxan.alerts.xmldoc import ATOM, CAP12, parse_xml
from qalxan.errors import NotFound
from qalxan.settings import Settings
from qalxan.store.engine import session_factory

FEED_PATH = "/alerts/feed.atom"
CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
GEORSS = "http://www.georss.org/georss"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the feed's "updated" before anything was issued
MAX_ENTRIES = 500


def cap_path(sender: str, identifier: str) -> str:
    """The alert's CAP document, relative to the public base URL; it never changes."""
    return f"/alerts/cap/{quote(sender, safe='')}/{quote(identifier, safe='')}.xml"


def public_base(settings: Settings, request_base: str | None = None) -> str:
    """The public base URL (no trailing slash): the configured one, else the request's, else
    the address the server listens on."""
    base = settings.alerts_public_url or request_base or f"http://{settings.host}:{settings.port}"
    return base.rstrip("/")


def _public() -> ColumnElement[bool]:
    return and_(
        AlertRow.origin == AUTHORED,
        AlertRow.scope == "Public",
        AlertRow.state.in_(WAS_ISSUED),
    )


def is_active(row: AlertRow, now: datetime | None = None) -> bool:
    """Issued, not replaced, and not past its expiry."""
    now = now or datetime.now(UTC)
    return row.state == ISSUED and (row.expires is None or _aware(row.expires) > now)


def public_alert(engine: Engine, sender: str, identifier: str) -> AlertRow:
    """The public alert ``sender``/``identifier``; :class:`NotFound` for any other."""
    query = select(AlertRow).where(
        _public(), AlertRow.sender == sender, AlertRow.identifier == identifier
    )
    with session_factory(engine)() as session:
        row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFound(f"no public alert {sender}/{identifier}", field="identifier")
    return row


def active_public(engine: Engine, now: datetime | None = None) -> list[AlertRow]:
    """The active public alerts, newest first."""
    now = (now or datetime.now(UTC)).astimezone(UTC)  # SQLite compares UTC wall times
    active = and_(
        _public(),
        AlertRow.state == ISSUED,
        or_(AlertRow.expires.is_(None), AlertRow.expires > now),
    )
    query = select(AlertRow).where(active).order_by(AlertRow.sent.desc(), AlertRow.id)
    with session_factory(engine)() as session:
        return list(session.scalars(query.limit(MAX_ENTRIES)))


def feed_updated(engine: Engine, now: datetime | None = None) -> datetime:
    """When the feed last changed: the latest issue, or the latest expiry already past."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    issued = select(func.max(AlertRow.issued_at)).where(_public())
    expired = select(func.max(AlertRow.expires)).where(_public(), AlertRow.expires <= now)
    with session_factory(engine)() as session:
        times = [session.scalar(issued), session.scalar(expired)]
    return max((_aware(t) for t in times if t is not None), default=EPOCH)


def atom_feed(rows: list[AlertRow], base: str, title: str, author: str, updated: datetime) -> bytes:
    """The Atom 1.0 document listing ``rows``; ``base``: the public base URL."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "georss": GEORSS})
    _add(feed, "id", f"{base}{FEED_PATH}")
    _add(feed, "title", title)
    _add(feed, "updated", _rfc3339(updated))
    _add(etree.SubElement(feed, f"{{{ATOM}}}author"), "name", author)
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}{FEED_PATH}")
    for row in rows:
        _entry(feed, row, base)
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _entry(feed: etree._Element, row: AlertRow, base: str) -> None:
    url = f"{base}{cap_path(row.sender, row.identifier)}"
    entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
    _add(entry, "id", url)
    _add(entry, "title", row.headline or row.event)
    _add(entry, "updated", _rfc3339(_aware(row.issued_at or row.updated_at)))
    if row.sent is not None:
        _add(entry, "published", _rfc3339(_aware(row.sent)))
    _add(entry, "summary", "; ".join(x for x in (row.event, row.area_desc) if x))
    etree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type=CAP_MEDIA_TYPE, href=url)
    polygon = _first_polygon(row.xml)
    if polygon:
        etree.SubElement(entry, f"{{{GEORSS}}}polygon").text = polygon


def _first_polygon(xml: str) -> str | None:
    """GeoRSS Simple's polygon (``lat lon lat lon ...``) of the alert's first CAP polygon."""
    found = parse_xml(xml.encode("utf-8"), "alert").find(f".//{{{CAP12}}}polygon")
    if found is None or not found.text:
        return None
    return " ".join(pair.replace(",", " ") for pair in found.text.split())


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive UTC times.
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
