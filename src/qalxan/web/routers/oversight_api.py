"""Oversight views: ``/api/v1/oversight/...`` (access statistics, anomalies, summary, report).

Every route needs ``oversight:read`` (403 without it) and is itself audited. Times without a
zone are read in the installation's time zone (``QALXAN_TIMEZONE``); the period defaults to the
last 30 days.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from qalxan.access import anomalies, oversight, reports
from qalxan.access.oversight_rules import rules
from qalxan.access.periods import Clock, Period
from qalxan.errors import Conflict
from qalxan.web.deps import CtxDep, SettingsDep

router = APIRouter(prefix="/oversight", tags=["oversight"])


async def get_clock(settings: SettingsDep) -> Clock:
    return Clock.parse(settings.working_hours, settings.timezone)


ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_period(
    clock: ClockDep,
    since: Annotated[
        datetime | None, Query(description="Start (inclusive); default: 30 days before until")
    ] = None,
    until: Annotated[datetime | None, Query(description="End (exclusive); default: now")] = None,
) -> Period:
    return Period.of(since, until, clock.zone)


PeriodDep = Annotated[Period, Depends(get_period)]


@router.get("/access", summary="Reads and changes per agency, per user and per record type")
def access(ctx: CtxDep, period: PeriodDep) -> dict[str, Any]:
    return oversight.access(ctx, period).to_dict()


@router.get("/access.csv", summary="The access statistics as CSV (level: agency, user, ...)")
def access_csv(ctx: CtxDep, period: PeriodDep) -> Response:
    stats = oversight.access(ctx, period, view="access.csv")
    return Response(
        oversight.access_csv(stats),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="oversight-access.csv"'},
    )


@router.get("/anomalies", summary="Access outside normal patterns, each with its rule and reason")
def list_anomalies(ctx: CtxDep, period: PeriodDep, clock: ClockDep) -> dict[str, Any]:
    found = anomalies.anomalies(ctx, period, clock)
    return {
        "period": period.to_dict(),
        "working_hours": clock.describe(),
        "rules": rules().anomalies.model_dump(),
        "anomalies": [a.to_dict() for a in found],
    }


@router.get("/summary", summary="Screening dispositions, cases, complaints open and overdue")
def summary(ctx: CtxDep, period: PeriodDep) -> dict[str, Any]:
    return oversight.summary(ctx, period)


@router.get("/report", summary="The signed oversight report of the period (canonical JSON)")
def report(ctx: CtxDep, period: PeriodDep, clock: ClockDep) -> Response:
    signer = ctx.trail.signer
    if signer is None:
        raise Conflict("the platform has no signing key; reports cannot be signed")
    document = reports.build(ctx, period, clock, signer)
    return Response(
        reports.dumps(document),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="oversight-report.json"'},
    )
