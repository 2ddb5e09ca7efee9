"""MISP events to STIX 2.1 objects and back, through the MISP project's own converter.

:func:`to_stix` validates a MISP document (:mod:`qalxan.cti.misp_schema`), settles the ids and
times misp-stix would otherwise draw from ``uuid4()`` and the clock
(:mod:`qalxan.cti.misp_prepare`), converts each event with ``MISPtoSTIX21Parser``, moves
TLP 1.0 markings to TLP 2.0 (:mod:`qalxan.cti.misp_tlp`) and corrects what misp-stix gets
wrong (:mod:`qalxan.cti.misp_fixes`). The same event always gives the
same objects, so storing them twice stores nothing new. :func:`to_misp` turns STIX objects
back into one MISP event (:mod:`qalxan.cti.misp_export`). Bad input, and anything misp-stix
cannot convert, raises :class:`~qalxan.cti.misp_problems.InvalidMispEvent` (an
``InvalidInput``) with the reason; what misp-stix converts only in part is reported in
:attr:`Conversion.notes`. docs/misp.md lists the mapping and what survives a round trip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from misp_stix_converter import MISPtoSTIX21Parser

from qalxan.cti.misp_document import Located
from qalxan.cti.misp_export import to_misp
from qalxan.cti.misp_fixes import corrected
from qalxan.cti.misp_prepare import prepared
from qalxan.cti.misp_problems import InvalidMispEvent, Problem
from qalxan.cti.misp_schema import validate
from qalxan.cti.misp_tlp import with_tlp2

__all__ = ["Conversion", "convert", "to_misp", "to_stix"]


@dataclass(frozen=True)
class Conversion:
    """The STIX objects of a MISP document, and what misp-stix said it could not convert."""

    objects: list[dict[str, Any]]
    notes: tuple[str, ...]


def to_stix(document: object) -> list[dict[str, Any]]:
    """The STIX 2.1 objects (plain JSON dicts, as in a bundle) of every event in ``document``."""
    return convert(document).objects


def convert(document: object) -> Conversion:
    """Like :func:`to_stix`, with misp-stix's notes on records it dropped or kept as custom."""
    objects: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for one in validate(document):
        converted, said = _event_to_stix(one)
        notes.extend(said)
        for stix_object in converted:
            # Events share identities and marking definitions: each is kept once.
            objects.setdefault(stix_object["id"], stix_object)
    return Conversion(list(objects.values()), tuple(notes))


def _event_to_stix(one: Located) -> tuple[list[dict[str, Any]], list[str]]:
    event = prepared(one)
    parser = _Parser()
    try:
        parser.parse_misp_event({"Event": event})
        bundle = json.loads(parser.bundle.serialize())
    except Exception as exc:  # misp-stix and stix2 raise many kinds; all mean the same here
        reason = f"misp-stix cannot convert it: {_first_line(str(exc))}"
        raise InvalidMispEvent([Problem(one.path, reason)]) from exc
    objects: list[dict[str, Any]] = bundle.get("objects", [])
    if not any(o["type"] in ("report", "grouping") for o in objects):
        # misp-stix drops an event it cannot load and says why in its errors.
        why = "; ".join(_said(parser.errors)) or "no STIX object came out"
        raise InvalidMispEvent([Problem(one.path, f"misp-stix cannot convert it: {why}")])
    comments = {a["uuid"]: a["comment"] for a in event.get("Attribute") or [] if a.get("comment")}
    objects, fixes = corrected(with_tlp2(objects), comments)
    said = [*_said(parser.errors), *_said(parser.warnings), *fixes]
    return objects, [f"{one.path}: {note}" for note in said]


class _Parser(MISPtoSTIX21Parser):  # type: ignore[misc]
    """misp-stix, with the event's time where it would read the clock.

    The identity of a sighting's organisation and a sighting or opinion without a date are
    made without ``created``/``modified``, which stix2 then takes from the clock.
    """

    def _create_identity(self, identity_args: dict[str, Any]) -> Any:
        return super()._create_identity(self._dated(identity_args))

    def _create_sighting(self, sighting_args: dict[str, Any]) -> Any:
        return super()._create_sighting(self._dated(sighting_args))

    def _create_opinion(self, opinion_args: dict[str, Any]) -> Any:
        return super()._create_opinion(self._dated(opinion_args))

    def _dated(self, args: dict[str, Any]) -> dict[str, Any]:
        args.setdefault("created", self.event_timestamp)
        args.setdefault("modified", args["created"])
        return args


def _said(messages: dict[str, Any]) -> list[str]:
    return [_brief(str(m)) for found in messages.values() for m in found]


def _brief(message: str) -> str:
    """misp-stix appends a traceback to some messages: keep the head and the cause."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) <= 1:
        return message.strip()
    return f"{lines[0]} {lines[-1]}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "no reason given"
