"""The threat picture for analysts: the dashboard (threat levels nationally or in a region,
with their reasons and the incidents behind each, the analysts' indicators, the regions by
their highest level, the trends and the map) and the risk register (the current assessments,
the risk matrix, a new assessment).

Everything goes through :mod:`qalxan.picture` (``view.picture``, ``register``), which checks
the ``assessment`` permissions, counts and shows only what the reader is cleared for, and audits
every read and change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from qalxan.access.markings import scheme
from qalxan.errors import InvalidInput
from qalxan.geo import admin_units
from qalxan.geo.model import AdminUnit
from qalxan.intake import feed
from qalxan.picture import (
    charts,
    indicator_readings,
    narratives,
    periods,
    register,
    report,
    view,
    warning_review,
)
from qalxan.picture.contribution import watched
from qalxan.picture.levels import scale
from qalxan.picture.tables import RiskRow
from qalxan.web.forms import PageFormDep, local_day
from qalxan.web.routers.incident_pages import (
    FORM_ERRORS,
    Desk,
    DeskDep,
    echo,
    fields,
    see_other,
)
from qalxan.web.templating import request_language

router = APIRouter(include_in_schema=False)
WARNINGS = 20
WarningId = Annotated[str, Path(min_length=1, max_length=64)]
PeriodPath = Annotated[str, Path(min_length=7, max_length=8, pattern=r"^\d{4}-(\d{2}|W\d{2})$")]
FileKind = Annotated[Literal["html", "pdf"], Path()]


@router.get("/picture", response_class=HTMLResponse)
def dashboard(
    desk: DeskDep,
    day: Annotated[str, Query(alias="date", max_length=10)] = "",
    region: Annotated[str, Query(max_length=8)] = "",
) -> HTMLResponse:
    error: InvalidInput | None = None
    try:
        today = local_day(day, "date") or datetime.now(UTC).astimezone(desk.zone).date()
    except InvalidInput as exc:
        error, today = exc, datetime.now(UTC).astimezone(desk.zone).date()
    found = view.picture(desk.ctx, today, list(watched()))
    region = region.upper()
    if region and region not in found.regions:
        # A region with no incident the reader may see: every threat at its lowest.
        cells = []
    else:
        cells = found.regions[region] if region else found.national
    units = {u.code: u for u in admin_units()}
    open_warnings = warning_review.listing(desk.ctx, status="open", limit=WARNINGS).rows
    labels = {
        t: f"{desk.doctrine.items[t].code} {desk.doctrine.items[t].name.en}" for t in watched()
    }
    context: dict[str, Any] = {
        "map": charts.choropleth({r: n for r, (n, _) in found.region_totals().items()}),
        "trends": [
            (t, charts.trend(labels[t], [(w, n) for w, n, _ in weeks], (found.since, found.today)))
            for t, weeks in found.trends.items()
        ],
        "warnings": open_warnings,
        "indicators": indicator_readings.current(desk.ctx, today),
        "feed_after": feed.latest_id(desk.ctx),
        "error": error,
        "picture": found,
        "cells": cells,
        "region": region,
        "region_name": region_name(units, region, desk),
        "units": units,
        "totals": sorted(
            found.region_totals().items(), key=lambda item: (-item[1][1], -item[1][0], item[0])
        ),
        "threat_names": {t: desk.doctrine.items[t].name for t in watched()},
        "threat_codes": {t: desk.doctrine.items[t].code for t in watched()},
        "level_names": scale().names,
    }
    return desk.show("picture/dashboard.html", context, 422 if error else 200)


def region_name(units: dict[str, AdminUnit], region: str, desk: Desk) -> str | None:
    unit = units.get(region)
    if unit is None:
        return None
    return unit.names.get(request_language(desk.request)) or unit.name


RISK_FIELDS = {
    "threat": 80,
    "region": 8,
    "likelihood": 2,
    "impact": 2,
    "justification": register.MAX_JUSTIFICATION,
    "classification": 40,
    "tlp": 20,
}


@router.get("/picture/risks", response_class=HTMLResponse)
def risks(desk: DeskDep, region: Annotated[str, Query(max_length=8)] = "") -> HTMLResponse:
    return risks_page(desk, region.upper(), {"region": region.upper()})


@router.post("/picture/risks", response_class=HTMLResponse)
def assess(desk: DeskDep, form: PageFormDep) -> Response:
    values = echo(form, RISK_FIELDS)
    try:
        typed = fields(form, RISK_FIELDS)
        register.assess(
            desk.ctx,
            typed["threat"],
            typed["region"],
            _point(typed["likelihood"], "likelihood"),
            _point(typed["impact"], "impact"),
            typed["justification"],
            typed["classification"],
            typed["tlp"] or None,
        )
    except FORM_ERRORS as exc:
        return risks_page(desk, values["region"].upper(), values, exc)
    query = urlencode({"region": typed["region"].upper(), "done": "assessed"})
    return see_other(f"/picture/risks?{query}")


def _point(value: str, field: str) -> int:
    if not value.isdigit():
        raise InvalidInput(f"{field}: a whole number from 1 to 5", field)
    return int(value)


def risks_page(
    desk: Desk,
    region: str,
    values: dict[str, str],
    error: Exception | None = None,
) -> HTMLResponse:
    listing_error: InvalidInput | None = None
    rows: dict[str, RiskRow] = {}
    try:
        rows = register.current(desk.ctx, region)
    except InvalidInput as exc:
        listing_error, region = exc, ""
    units = {u.code: u for u in admin_units()}
    context = {
        "error": error,
        "listing_error": listing_error,
        "values": values,
        "region": region,
        "region_name": region_name(units, region, desk),
        "units": units,
        "rows": rows,
        "matrix": register.matrix_of(rows, region),
        "threats": list(watched()),
        "threat_names": {t: desk.doctrine.items[t].name for t in watched()},
        "threat_codes": {t: desk.doctrine.items[t].code for t in watched()},
        "clearances": [c for c in scheme().classifications if c.rank <= desk.principal.clearance],
        "tlps": scheme().tlp,
    }
    status = 422 if error is not None or listing_error is not None else 200
    return desk.show("picture/risks.html", context, status)


@router.post("/picture/warnings/{warning_id}", response_class=HTMLResponse)
def close_warning(desk: DeskDep, form: PageFormDep, warning_id: WarningId) -> Response:
    """Acknowledge or dismiss an open warning with a note, from the dashboard."""
    sizes = {"status": 16, "note": 2000}
    try:
        typed = fields(form, sizes)
        warning_review.close(desk.ctx, warning_id, typed["status"], typed["note"])
    except FORM_ERRORS as exc:
        return see_other(f"/picture?{urlencode({'problem': str(exc)})}")
    return see_other(f"/picture?{urlencode({'done': typed['status']})}")


NARRATIVE_FIELDS = {"period": 10, "narrative": narratives.MAX_NARRATIVE, "classification": 40}


@router.get("/picture/assessment", response_class=HTMLResponse)
def assessment(desk: DeskDep, period: Annotated[str, Query(max_length=10)] = "") -> HTMLResponse:
    """The National Threat Assessment of a period: preview, downloads, the narrative."""
    chosen = period or periods.of_day(datetime.now(UTC).date(), "month").label
    return assessment_page(desk, chosen, {"period": chosen})


@router.post("/picture/assessment", response_class=HTMLResponse)
def write_narrative(desk: DeskDep, form: PageFormDep) -> Response:
    values = echo(form, NARRATIVE_FIELDS)
    try:
        typed = fields(form, NARRATIVE_FIELDS)
        narratives.write(desk.ctx, typed["period"], typed["narrative"], typed["classification"])
    except FORM_ERRORS as exc:
        return assessment_page(desk, values["period"], values, exc)
    query = urlencode({"period": typed["period"], "done": "written"})
    return see_other(f"/picture/assessment?{query}")


@router.get("/picture/assessment/{period}.{kind}")
def assessment_file(desk: DeskDep, period: PeriodPath, kind: FileKind) -> Response:
    """The assessment as HTML (to read, print) or PDF (marked on every page)."""
    made = report.assessment(desk.ctx, period)
    if kind == "pdf":
        return Response(
            report.render_pdf(made),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="assessment-{period}.pdf"'},
        )
    return HTMLResponse(report.render_html(made))


def assessment_page(
    desk: Desk, period: str, values: dict[str, str], error: Exception | None = None
) -> HTMLResponse:
    problem: InvalidInput | None = None
    made = None
    try:
        made = report.assessment(desk.ctx, period)
    except InvalidInput as exc:
        problem = exc
    context = {
        "error": error,
        "problem": problem,
        "period": period,
        "report": made,
        "values": values,
        "clearances": [c for c in scheme().classifications if c.rank <= desk.principal.clearance],
    }
    status = 422 if error is not None or problem is not None else 200
    return desk.show("picture/assessment.html", context, status)
