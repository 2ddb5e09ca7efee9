"""Situation reports: ``/api/v1/reports``.

Submitting a report types and places it, joins it to an incident or starts one, grades and
routes it; the answer says which incident it joined and why. A report the caller may not see
answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, UploadFile
from pydantic import BaseModel, Field

from qalxan.intake import curation, reports
from qalxan.intake import draft as drafts
from qalxan.intake.submit import submit
from qalxan.intake.tables import ReportRow
from qalxan.web import files
from qalxan.web.deps import ClassifierDep, CtxDep, DoctrineDep, SettingsDep

router = APIRouter(prefix="/reports", tags=["reports"])

ReportId = Annotated[str, Path(min_length=1, max_length=64)]
People = Annotated[int, Field(ge=0, le=drafts.MAX_PEOPLE)]


class ObjectIn(BaseModel):
    kind: Literal[drafts.OBJECT_KINDS]  # type: ignore[valid-type]
    description: Annotated[str, Field(min_length=1, max_length=500)]
    identifier: Annotated[str | None, Field(max_length=120)] = None
    infrastructure_id: Annotated[str | None, Field(max_length=80)] = None


class ReportIn(BaseModel):
    narrative: Annotated[str, Field(min_length=1, max_length=drafts.MAX_NARRATIVE)]
    observed_at: Annotated[datetime, Field(description="When it happened, with a UTC offset")]
    reported_at: datetime | None = None
    title: Annotated[str | None, Field(max_length=drafts.MAX_TITLE)] = None
    event_type: Annotated[
        str | None,
        Field(
            max_length=64,
            description="A code of GET /api/v1/event-types; "
            "worked out from the narrative when omitted",
        ),
    ] = None
    language: Literal["az", "ru", "en"] | None = None
    place_text: Annotated[str | None, Field(max_length=drafts.MAX_PLACE)] = None
    lat: Annotated[float | None, Field(ge=-90, le=90)] = None
    lon: Annotated[float | None, Field(ge=-180, le=180)] = None
    admin1: Annotated[str | None, Field(max_length=8, examples=["AZ-BA"])] = None
    country: Annotated[str | None, Field(max_length=2, examples=["AZ"])] = None
    source: Annotated[str | None, Field(max_length=drafts.MAX_SOURCE)] = None
    source_reliability: Annotated[str | None, Field(max_length=1, examples=["B"])] = None
    info_credibility: Annotated[int | None, Field(ge=1, le=6)] = None
    killed: People = 0
    injured: People = 0
    missing: People = 0
    damage: Annotated[str | None, Field(max_length=drafts.MAX_DAMAGE)] = None
    objects: Annotated[list[ObjectIn], Field(max_length=drafts.MAX_OBJECTS)] = []
    classification: Annotated[str, Field(min_length=1, max_length=40)] = "unclassified"
    tlp: Annotated[str | None, Field(max_length=20)] = "AMBER"
    owner_unit: Annotated[str | None, Field(max_length=32)] = None
    origin_ref: Annotated[
        str | None,
        Field(max_length=120, description="The sender's own id: sending it again stores nothing"),
    ] = None

    def draft(self) -> drafts.Draft:
        values = self.model_dump(exclude={"objects"})
        objects = tuple(drafts.InvolvedObject(**o.model_dump()) for o in self.objects)
        return drafts.Draft(**values, objects=objects)


@router.post("", status_code=201, summary="Submit a situation report")
def submit_report(
    ctx: CtxDep, doctrine: DoctrineDep, classifier: ClassifierDep, body: ReportIn
) -> dict[str, Any]:
    stored = submit(ctx, doctrine, classifier, body.draft())
    return {
        "report_id": stored.report_id,
        "incident_id": stored.incident_id,
        "joined": stored.joined,
        "repeated": stored.repeated,
        "reason": stored.reason,
    }


@router.get("", summary="Reports the caller may read, newest first")
def list_reports(
    ctx: CtxDep,
    limit: Annotated[int, Query(ge=1, le=reports.MAX_LIMIT)] = 50,
    before: Annotated[str | None, Query(max_length=80, description="next cursor")] = None,
    event_type: Annotated[str | None, Query(max_length=64)] = None,
    agency: Annotated[str | None, Query(max_length=80)] = None,
) -> dict[str, Any]:
    page = reports.listing(
        ctx, reports.Filters(event_type=event_type, agency=agency), limit, before
    )
    return {"results": [reports.out(r) for r in page.rows], "next": page.next}


@router.get("/{report_id}", summary="One report (the read is audited)")
def get_report(ctx: CtxDep, report_id: ReportId) -> dict[str, Any]:
    return reports.detail_out(reports.get(ctx, report_id))


class LabelIn(BaseModel):
    event_type: Annotated[str, Field(min_length=1, max_length=64)]
    note: Annotated[str | None, Field(max_length=curation.MAX_REASON)] = None


@router.post(
    "/{report_id}/label",
    status_code=201,
    summary="Confirm or correct the report's type (the classifier learns from labels)",
)
def label_report(ctx: CtxDep, report_id: ReportId, body: LabelIn) -> dict[str, Any]:
    row = curation.label(ctx, report_id, body.event_type, body.note)
    return {"report_id": row.report_id, "event_type": row.event_type, "previous": row.previous}


@router.post("/{report_id}/attachments", status_code=201, summary="Attach a file to a report")
async def attach(
    ctx: CtxDep, settings: SettingsDep, report_id: ReportId, file: UploadFile
) -> dict[str, Any]:
    return await files.receive(ctx, settings, ReportRow, report_id, file)


@router.get("/{report_id}/attachments/{attachment_id}", summary="Download an attachment")
def download(
    ctx: CtxDep, settings: SettingsDep, report_id: ReportId, attachment_id: ReportId
) -> Response:
    return files.send(ctx, settings, ReportRow, report_id, attachment_id)
