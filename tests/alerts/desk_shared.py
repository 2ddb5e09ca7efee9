"""The warning desk's cast (accounts of the Ministry of Emergency Situations and others) and a
small alert form to build on."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select

from qalxan.access.audit import Context
from qalxan.access.tables import AuditRow
from qalxan.alerts.desk import AlertForm, AreaForm, InfoForm
from qalxan.alerts.tables import AlertStepRow
from qalxan.settings import Settings
from qalxan.store.engine import transaction
from tests.people import Person, make_person

MES = "agency-mes"
BAKU = timezone(timedelta(hours=4))


@dataclass
class Cast:
    author: Context
    approver: Context
    third: Context
    officer: Context  # a duty officer of another agency: alert:read only
    outsider: Context  # an emergency manager of another agency
    people: dict[str, Person]


def make_cast(engine: Engine, settings: Settings) -> Cast:
    people = {
        "author": make_person(engine, settings, "author", MES, ["emergency_manager"]),
        "approver": make_person(engine, settings, "approver", MES, ["emergency_manager"]),
        "third": make_person(engine, settings, "third", MES, ["emergency_manager"]),
        "officer": make_person(engine, settings, "officer", "agency-mia", ["duty_officer"]),
        "outsider": make_person(engine, settings, "outsider", "agency-sbs", ["emergency_manager"]),
    }
    ctx = {name: person.ctx(engine, settings) for name, person in people.items()}
    return Cast(**ctx, people=people)


def later(hours: float = 24) -> datetime:
    return (datetime.now(BAKU) + timedelta(hours=hours)).replace(microsecond=0)


def info(language: str = "az", **changes: Any) -> InfoForm:
    texts = {
        "az": ("Sel təhlükəsi", "Şəkidə sel gözlənilir", "Çay kənarından uzaq durun."),
        "ru": ("Угроза селя", "В Шеки ожидается сель", "Держитесь подальше от реки."),
        "en": ("Mudflow hazard", "Mudflow expected in Shaki", "Keep away from the river."),
    }[language]
    base = InfoForm(
        language=language,
        categories=("Geo",),
        event=texts[0],
        urgency="Expected",
        severity="Severe",
        certainty="Likely",
        response_types=("Avoid",),
        expires=later(),
        sender_name="Fövqəladə Hallar Nazirliyi",
        headline=texts[1],
        description="Güclü yağışdan sonra Kiş çayında sel keçə bilər.",
        instruction=texts[2],
        areas=(AreaForm(districts=("AZ-SAK",)),),
    )
    return replace(base, **changes)


def form(*languages: str, **changes: Any) -> AlertForm:
    infos = tuple(info(language) for language in (languages or ("az", "en")))
    return replace(AlertForm(infos=infos), **changes)


def audits(engine: Engine, action: str) -> list[AuditRow]:
    with transaction(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.seq)
        return list(session.scalars(query))


def history(engine: Engine, alert_id: str) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        query = select(AlertStepRow).where(AlertStepRow.alert_id == alert_id)
        return [(s.step, s.actor) for s in session.scalars(query.order_by(AlertStepRow.id))]
