"""The lawful lists: a list is declared, with the law that makes screening against it lawful and
the uses it may serve, before anything is imported into it.

The platform bundles the international lists in ``data/lists.yaml`` (validated on load, loaded
once); :func:`ensure_bundled` declares those not yet in the database. An agency declares a
national list with :func:`declare`, which needs ``screening:create`` (the permission of a
screening officer): the agency owns the list, and only it imports into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.errors import Conflict, InvalidInput, required_text
from qalxan.screening.tables import ListRow
from qalxan.store.engine import transaction

RECORD_TYPE = "screening_list"
CODE_PATTERN = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"
BUNDLED_BY = "system:bundled-lists"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _BundledList(_Strict):
    code: str
    title: str
    authority: str
    legal_basis: str
    uses: tuple[str, ...] | None = None
    url: str | None = None


class _Bundle(_Strict):
    uses: dict[str, str]
    lists: tuple[_BundledList, ...]


@lru_cache(maxsize=1)
def _bundle() -> _Bundle:
    text = resources.files("qalxan.screening").joinpath("data/lists.yaml").read_text("utf-8")
    bundle = _Bundle.model_validate(yaml.safe_load(text))
    for item in bundle.lists:  # the same rules as a declared list; a bad file fails loudly
        ListSpec(**item.model_dump(exclude_none=True)).checked(tuple(bundle.uses))
    return bundle


def uses() -> tuple[str, ...]:
    """The screening uses (``border``, ``customs``, ``fiu``) as ``lists.yaml`` names them."""
    return tuple(_bundle().uses)


def check_use(use: str) -> str:
    if use not in uses():
        raise InvalidInput(f"use: {use!r} is not one of {', '.join(uses())}", "use")
    return use


@dataclass(frozen=True)
class ListSpec:
    """A list as declared. ``uses`` empty means every use."""

    code: str
    title: str
    authority: str
    legal_basis: str
    uses: tuple[str, ...] = field(default_factory=tuple)
    url: str | None = None

    def checked(self, known_uses: tuple[str, ...] | None = None) -> ListSpec:
        known = known_uses if known_uses is not None else uses()
        if not re.fullmatch(CODE_PATTERN, self.code):
            raise InvalidInput(
                f"code: {self.code!r} is not a slug (a-z, 0-9 and '-', 2-40 characters)", "code"
            )
        unknown = [u for u in self.uses if u not in known]
        if unknown:
            raise InvalidInput(f"uses: {unknown[0]!r} is not one of {', '.join(known)}", "uses")
        url = self.url.strip() if self.url else None
        return ListSpec(
            code=self.code,
            title=required_text(self.title, "title", 300),
            authority=required_text(self.authority, "authority", 300),
            legal_basis=required_text(
                self.legal_basis,
                "legal_basis",
                5000,
                "required: the law or resolution that makes screening against the list lawful",
            ),
            uses=tuple(u for u in known if u in self.uses) if self.uses else known,
            url=required_text(url, "url", 500) if url else None,
        )


def bundled() -> tuple[ListSpec, ...]:
    return tuple(ListSpec(**i.model_dump(exclude_none=True)).checked() for i in _bundle().lists)


def declare(ctx: audit.Context, spec: ListSpec) -> ListRow:
    """Declare a list owned by the caller's agency (``screening_list.create``). Declaring the
    same list again changes nothing; a different list under a code in use is a Conflict."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE, spec.code) as rec:
        policy.require(ctx.principal, "screening", "create")
        spec = spec.checked()
        agency = ctx.principal.agency_id
        if agency is None:
            raise InvalidInput("owner_agency: a list is declared by an agency", "owner_agency")
        rec.entry.record_agency = agency
        existing = rec.session.get(ListRow, spec.code)
        if existing is not None:
            if _spec_of(existing) != spec or existing.owner_agency != agency:
                raise Conflict(
                    f"code: the list {spec.code!r} is already declared otherwise", "code"
                )
            rec.entry.detail = {"declared": False}
            return existing
        row = _row(spec, agency, ctx.principal.username)
        rec.session.add(row)
        rec.entry.detail = {"declared": True, "uses": list(spec.uses)}
    return row


def ensure_bundled(engine: Engine) -> list[str]:
    """Declare the bundled lists not yet declared; the codes declared now (none the second
    time). A bundled list already in the database is left as it is."""
    with transaction(engine) as session:
        known = set(session.scalars(select(ListRow.code)))
        added = [spec for spec in bundled() if spec.code not in known]
        session.add_all(_row(spec, None, BUNDLED_BY) for spec in added)
    return [spec.code for spec in added]


def get(source: Session | Engine, code: str) -> ListRow | None:
    with _session(source) as session:
        return session.get(ListRow, code)


def declared(session: Session, code: str) -> ListRow:
    """The list ``code``, or InvalidInput: nothing is imported into an undeclared list."""
    row = session.get(ListRow, code)
    if row is None:
        raise InvalidInput(
            f"list: {code!r} is not declared; declare it first with its title, issuing "
            "authority and legal basis (qalxan.screening.lists.declare, or lists.yaml)",
            "list",
        )
    return row


def all_lists(source: Session | Engine) -> list[ListRow]:
    with _session(source) as session:
        return list(session.scalars(select(ListRow).order_by(ListRow.code)))


def lists_for(source: Session | Engine, use: str) -> list[str]:
    """The codes of the lists that may be screened against for ``use``."""
    check_use(use)
    return [row.code for row in all_lists(source) if use in row.uses]


def _spec_of(row: ListRow) -> ListSpec:
    return ListSpec(row.code, row.title, row.authority, row.legal_basis, tuple(row.uses), row.url)


def _row(spec: ListSpec, agency: str | None, actor: str) -> ListRow:
    return ListRow(
        code=spec.code,
        title=spec.title,
        authority=spec.authority,
        legal_basis=spec.legal_basis,
        uses=list(spec.uses),
        url=spec.url,
        owner_agency=agency,
        declared_by=actor[:200],
    )


@contextmanager
def _session(source: Session | Engine) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
        return
    with transaction(source) as session:
        yield session
