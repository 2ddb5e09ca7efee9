"""An alert's content as the page form shows it, to edit a draft or to write an update.

The page holds once what the info blocks share (see :mod:`qalxan.web.alert_fields`). An
alert written elsewhere (the API, a pasted CAP document) may have info blocks that differ in
it, languages other than the platform's, several areas, or resources given inline: the form
takes the first block's, every language it knows and the areas merged, and :class:`Lossy`
says what saving the form would change, for the page to warn before anyone does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo

from qalxan.alerts.districts import district_name, find_district
from qalxan.alerts.form import AlertForm, AreaForm, InfoForm
from qalxan.alerts.geometry import format_circle, format_points
from qalxan.alerts.model import Pair
from qalxan.errors import InvalidInput
from qalxan.web.alert_fields import LANGUAGES, ResourceRow, Typed, local_value

# What the form holds once for every language (InfoForm's attribute names).
SHARED = (
    "categories",
    "response_types",
    "urgency",
    "severity",
    "certainty",
    "event_codes",
    "effective",
    "onset",
    "expires",
    "web",
    "contact",
    "parameters",
    "resources",
)


@dataclass(frozen=True)
class Lossy:
    """What the form cannot hold of an alert: saving it would change these."""

    differs: tuple[str, ...] = ()  # shared elements in which the info blocks differ
    languages: tuple[str, ...] = ()  # info blocks in other languages, or a language again
    areas_merged: bool = False
    inline_resources: bool = False  # derefUri or digest, which the page does not take

    def __bool__(self) -> bool:
        return bool(self.differs or self.languages or self.areas_merged or self.inline_resources)


def typed_of(form: AlertForm, zone: tzinfo) -> tuple[Typed, Lossy]:
    """The page form filled with ``form`` (an alert's, from :func:`authoring.form_of`)."""
    texts = {
        "status": form.status,
        "scope": form.scope,
        "restriction": form.restriction or "",
        "addresses": form.addresses or "",
        "codes": "\n".join(form.codes),
        "note": form.note or "",
        "source": form.source or "",
        "incidents": form.incidents or "",
    }
    if not form.infos:
        return Typed(texts), Lossy()
    first = form.infos[0]
    area = _merged(first.areas)
    texts.update(
        urgency=first.urgency,
        severity=first.severity,
        certainty=first.certainty,
        effective=local_value(first.effective, zone),
        onset=local_value(first.onset, zone),
        expires=local_value(first.expires, zone),
        web=first.web or "",
        contact=first.contact or "",
        event_codes=_pair_lines(first.event_codes),
        parameters=_pair_lines(first.parameters),
        polygons="\n\n".join(format_points(points) for points in area.polygons),
        circles="\n".join(format_circle(c.center, c.radius_km) for c in area.circles),
        geocodes=_pair_lines(area.geocodes),
        altitude=str(area.altitude) if area.altitude is not None else "",
        ceiling=str(area.ceiling) if area.ceiling is not None else "",
    )
    other: list[str] = []
    for info in form.infos:
        lang = info.language.split("-", 1)[0].lower()
        if lang not in LANGUAGES or f"{lang}_event" in texts:
            other.append(info.language)
            continue
        texts.update(_language_texts(info, lang, area.districts))
    multi = {
        "category": first.categories,
        "response_type": first.response_types,
        "district": area.districts,
    }
    resources = tuple(
        ResourceRow(r.desc, r.mime_type, r.uri or "", "" if r.size is None else str(r.size))
        for r in first.resources
    )
    lossy = Lossy(
        differs=_differences(form.infos),
        languages=tuple(other),
        areas_merged=any(len(info.areas) > 1 for info in form.infos),
        inline_resources=any(r.deref_uri or r.digest for r in first.resources),
    )
    return Typed(texts, multi, resources), lossy


def _language_texts(info: InfoForm, lang: str, districts: tuple[str, ...]) -> dict[str, str]:
    desc = info.areas[0].desc if info.areas else ""
    return {
        f"{lang}_event": info.event,
        f"{lang}_headline": info.headline or "",
        f"{lang}_description": info.description or "",
        f"{lang}_instruction": info.instruction or "",
        f"{lang}_audience": info.audience or "",
        f"{lang}_sender_name": info.sender_name or "",
        # Left blank when it is the districts' names, so that it follows a change of districts.
        f"{lang}_area_desc": "" if desc == _named(districts, lang) else desc,
    }


def _named(districts: tuple[str, ...], lang: str) -> str:
    try:
        return ", ".join(district_name(find_district(code), lang) for code in districts)
    except InvalidInput:
        return ""


def _merged(areas: tuple[AreaForm, ...]) -> AreaForm:
    merged = AreaForm()
    for area in areas:
        merged = replace(
            merged,
            districts=tuple(dict.fromkeys(merged.districts + area.districts)),
            polygons=tuple(dict.fromkeys(merged.polygons + area.polygons)),
            circles=tuple(dict.fromkeys(merged.circles + area.circles)),
            geocodes=tuple(dict.fromkeys(merged.geocodes + area.geocodes)),
            altitude=merged.altitude if merged.altitude is not None else area.altitude,
            ceiling=merged.ceiling if merged.ceiling is not None else area.ceiling,
        )
    return merged


def _geometry(area: AreaForm) -> AreaForm:
    return replace(area, desc="")


def _differences(infos: tuple[InfoForm, ...]) -> tuple[str, ...]:
    first = infos[0]
    differs = [
        name for name in SHARED if any(getattr(i, name) != getattr(first, name) for i in infos)
    ]
    shapes = {tuple(_geometry(a) for a in info.areas) for info in infos}
    if len(shapes) > 1:
        differs.append("area")
    return tuple(differs)


def _pair_lines(found: tuple[Pair, ...]) -> str:
    return "\n".join(f"{pair.name}={pair.value}" for pair in found)
