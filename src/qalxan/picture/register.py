"""The risk register: the analysts' judgement of each threat, nationally or in a region.

An assessment rates how likely a threat is to materialise and how much harm it would do, each
on a 5-point scale, with the analyst's justification. The register is append-only (the
database refuses UPDATE and DELETE on ``picture_risks``): a new assessment of a threat in a
region is its next version, and the earlier ones stay as its history.

Assessments are protected records (record type ``assessment``): every read filters in SQL with
:func:`qalxan.access.policy.visible`, so a caller sees the newest version *they may read*,
never one above their clearance or out of their need-to-know. Every call is audited; the audit
names the assessments written or disclosed, not what they say (the trail is read by overseers
who may hold a lower clearance).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qalxan.access import audit, policy
from qalxan.access.markings import scheme
from qalxan.access.principal import Principal
from qalxan.errors import Conflict, InvalidInput, required_text
from qalxan.geo.data_files import load_gazetteer
from qalxan.picture.contribution import watched
from qalxan.picture.levels import risk_level
from qalxan.picture.tables import RiskRow
from qalxan.store.ids import new_id

RECORD_TYPE = RiskRow.record_type
NATIONAL = ""
POINTS = range(1, 6)
MAX_JUSTIFICATION = 5_000


def check_threat(threat: str) -> str:
    key = threat.strip().lower()
    if key not in watched():
        raise InvalidInput(f"threat: {threat!r} is not a threat the picture watches", "threat")
    return key


def check_region(region: str) -> str:
    """``""`` (national) or a known ISO 3166-2:AZ unit code, upper-cased."""
    code = region.strip().upper()
    if code != NATIONAL and code not in load_gazetteer().units:
        raise InvalidInput(
            f"region: {region!r} is not an ISO 3166-2:AZ code ('' for national)", "region"
        )
    return code


def check_point(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in POINTS:
        raise InvalidInput(f"{field}: an integer from 1 to 5", field)
    return value


def assess(
    ctx: audit.Context,
    threat: str,
    region: str,
    likelihood: int,
    impact: int,
    justification: str,
    classification: str,
    tlp: str | None = None,
) -> RiskRow:
    """Store the next version of the assessment of ``threat`` in ``region``.

    Two analysts assessing the same threat and region at once: the one who commits second
    gets :class:`Conflict` (naming ``version``) and should read the register again, rather
    than overwrite a judgement they have not seen.
    """
    principal = ctx.principal
    risk_id = new_id()
    with audit.recorded(ctx, f"{RECORD_TYPE}.create", RECORD_TYPE, risk_id) as rec:
        policy.require(principal, RECORD_TYPE, "create")
        key, where = check_threat(threat), check_region(region)
        points = check_point(likelihood, "likelihood"), check_point(impact, "impact")
        text = required_text(justification, "justification", MAX_JUSTIFICATION)
        rank = scheme().classification(classification).rank
        marking = scheme().tlp_code(tlp)
        owner = policy.check_create(principal, RECORD_TYPE, None, rank)
        rec.entry.record_agency = owner
        row = RiskRow(
            id=risk_id,
            owner_agency=owner,
            owner_unit=principal.unit_id,
            classification=rank,
            tlp=marking,
            threat=key,
            region=where,
            version=_next_version(rec.session, key, where),
            likelihood=points[0],
            impact=points[1],
            justification=text,
            assessed_by=principal.username[:200],
            assessed_at=datetime.now(UTC),
        )
        rec.session.add(row)
        try:
            rec.session.flush()
        except IntegrityError as exc:  # the unique (threat, region, version): another won
            raise Conflict(
                f"version: another assessment of {key} ({where or 'national'}) was stored as "
                f"version {row.version} meanwhile; read the register again",
                field="version",
            ) from exc
        rec.entry.detail = {
            "threat": key,
            "region": where,
            "version": row.version,
            "classification": classification,
            "tlp": row.tlp,
        }
    return row


def current(ctx: audit.Context, region: str = NATIONAL) -> dict[str, RiskRow]:
    """The newest assessment the caller may read of each threat in ``region`` (only those
    assessed there: see :func:`judgements` for the national fallback), in doctrine order."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.list", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        where = check_region(region)
        rows = latest(rec.session, ctx.principal, where)
        rec.entry.detail = {"region": where, "count": len(rows), "ids": _ids(rows.values())}
    return rows


def history(ctx: audit.Context, threat: str, region: str = NATIONAL) -> list[RiskRow]:
    """Every version of the assessment of ``threat`` in ``region`` the caller may read,
    newest first."""
    with audit.recorded(ctx, f"{RECORD_TYPE}.read", RECORD_TYPE) as rec:
        policy.require(ctx.principal, RECORD_TYPE, policy.READ)
        key, where = check_threat(threat), check_region(region)
        query = (
            select(RiskRow)
            .where(
                RiskRow.threat == key,
                RiskRow.region == where,
                policy.visible(ctx.principal, RiskRow),
            )
            .order_by(RiskRow.version.desc())
        )
        rows = list(rec.session.scalars(query))
        rec.entry.detail = {"threat": key, "region": where, "count": len(rows), "ids": _ids(rows)}
    return rows


def latest(session: Session, principal: Principal, region: str) -> dict[str, RiskRow]:
    """The newest readable version per threat in ``region`` (already checked), unaudited:
    for callers inside their own audited transaction."""
    readable = policy.visible(principal, RiskRow)
    newest = session.execute(
        select(RiskRow.threat, func.max(RiskRow.version))
        .where(RiskRow.region == region, readable)
        .group_by(RiskRow.threat)
    ).all()
    if not newest:
        return {}
    # The versions were picked among readable rows; (threat, region, version) is unique.
    picked = or_(*(and_(RiskRow.threat == t, RiskRow.version == v) for t, v in newest))
    rows = session.scalars(select(RiskRow).where(RiskRow.region == region, picked))
    order = {threat: n for n, threat in enumerate(watched())}
    return {r.threat: r for r in sorted(rows, key=lambda r: (order.get(r.threat, 99), r.threat))}


@dataclass(frozen=True)
class Judgements:
    """The analysts' likelihood and impact per region (``""``: national) and threat, as the
    picture's levels take them. A region without its own assessment of a threat takes the
    national one: straight to the national register, not through a parent unit (a district of
    Nakhchivan falls back to the national assessment, not to ``AZ-NX``'s)."""

    by_region: Mapping[str, Mapping[str, tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def national(cls, rows: Mapping[str, RiskRow]) -> Judgements:
        """The judgements of a national register (threat -> its assessment)."""
        return cls({NATIONAL: {t: (r.likelihood, r.impact) for t, r in rows.items()}})

    def of(self, region: str, threat: str) -> tuple[int, int] | None:
        found = self.by_region.get(region, {}).get(threat)
        return found or self.by_region.get(NATIONAL, {}).get(threat)


def every_region(session: Session, principal: Principal) -> Judgements:
    """The newest readable assessment's likelihood and impact per region and threat, for the
    picture of every region at once (inside the caller's audited transaction). A caller who may
    not read assessments gets none (the policy's condition is false)."""
    readable = policy.visible(principal, RiskRow)
    newest = session.execute(
        select(RiskRow.region, RiskRow.threat, func.max(RiskRow.version))
        .where(readable)
        .group_by(RiskRow.region, RiskRow.threat)
    ).all()
    if not newest:
        return Judgements()
    picked = or_(
        *(
            and_(RiskRow.region == r, RiskRow.threat == t, RiskRow.version == v)
            for r, t, v in newest
        )
    )
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for row in session.scalars(select(RiskRow).where(picked)):
        found.setdefault(row.region, {})[row.threat] = (row.likelihood, row.impact)
    return Judgements(found)


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    threats: tuple[str, ...]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> int:
        """The threat level this cell gives (the cuts of ``data/levels.yaml``)."""
        return risk_level(self.likelihood, self.impact)


@dataclass(frozen=True)
class Matrix:
    """The 5x5 risk matrix: 25 cells, most likely first (as drawn, top row), each row from the
    least to the most harmful impact."""

    region: str
    cells: tuple[Cell, ...]

    def cell(self, likelihood: int, impact: int) -> Cell:
        return self.cells[(5 - likelihood) * 5 + impact - 1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "cells": [
                {
                    "likelihood": c.likelihood,
                    "impact": c.impact,
                    "score": c.score,
                    "level": c.level,
                    "threats": list(c.threats),
                }
                for c in self.cells
            ],
        }


def matrix_of(rows: Mapping[str, RiskRow], region: str = NATIONAL) -> Matrix:
    """``rows`` (threat -> its current assessment) placed in the cells of a risk matrix."""
    placed: dict[tuple[int, int], list[str]] = {}
    for threat, row in rows.items():
        placed.setdefault((row.likelihood, row.impact), []).append(threat)
    cells = tuple(
        Cell(likelihood, impact, tuple(placed.get((likelihood, impact), ())))
        for likelihood in reversed(POINTS)
        for impact in POINTS
    )
    return Matrix(region, cells)


def _next_version(session: Session, threat: str, region: str) -> int:
    # Over every version, readable or not: the numbering is the register's, not the caller's.
    query = select(func.max(RiskRow.version)).where(
        RiskRow.threat == threat, RiskRow.region == region
    )
    return int(session.scalar(query) or 0) + 1


def _ids(rows: Iterable[RiskRow]) -> list[str]:
    return [r.id for r in rows]
