"""From a checked draft to a report ready to store: typed, placed and fingerprinted.

Pure work, no database: the bulk import prepares a whole chunk (typing it in one batch, in a
worker process) before it opens a transaction. The typing is given in its stored form (JSON
text), so that the storing process does less; the fingerprint is taken by the storing process
(:func:`joined`), so that the worker does less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from qalxan.intake import routing
from qalxan.intake.classify import Classifier, Typing
from qalxan.intake.dedup import Sighting, words
from qalxan.intake.draft import Draft
from qalxan.intake.encoded import encoded
from qalxan.intake.placing import Placement, place
from qalxan.intake.taxonomy import taxonomy
from qalxan.lang.script import language_of
from qalxan.store.rows import Json


@dataclass(frozen=True)
class Prepared:
    draft: Draft
    event_type: str
    typed_by: str
    # How the type was found, as stored (JSON text: a worker process sends it encoded).
    typing: Json
    placement: Placement
    language: str | None
    words: frozenset[str]

    @property
    def observed_at(self) -> datetime:
        return self.draft.observed_at

    @cached_property
    def sighting(self) -> Sighting:
        """The report as dedup compares it (looked at several times while it is stored)."""
        p = self.placement
        at = self.draft.observed_at
        return Sighting(self.event_type, at, at, p.lat, p.lon, p.admin1, p.country, self.words)


# What typing and placing a draft found, in plain values (what a worker process sends back):
# the type, how it was typed, the typing as stored, the placement's values, the language.
Parts = tuple[str, str, str, tuple[Any, ...], str | None]


def prepare_many(
    drafts: Sequence[Draft], classifier: Classifier, border_km: float | None = None
) -> list[Prepared]:
    """Type (in one batch, for the drafts without a type) and place every draft."""
    found = parts_of(drafts, classifier, border_km)
    return [joined(d, p) for d, p in zip(drafts, found, strict=True)]


def joined(draft: Draft, parts: Parts) -> Prepared:
    """The prepared report from its draft and the :func:`parts_of` it. The fingerprint is
    taken here: cheap to take, and dearer to send from a worker process than to take again."""
    event_type, typed_by, typing, placement, language = parts
    return Prepared(
        draft=draft,
        event_type=event_type,
        typed_by=typed_by,
        typing=Json(typing),
        placement=Placement(*placement),
        language=language,
        words=words(draft.narrative),
    )


def parts_of(
    drafts: Sequence[Draft], classifier: Classifier, border_km: float | None = None
) -> list[Parts]:
    """What typing (in one batch) and placing each draft found: the costly part."""
    known = taxonomy()
    zone = routing.rules().border_zone_km if border_km is None else border_km
    untyped = [d for d in drafts if d.event_type is None]
    typings = iter(classifier.classify_many([_text(d) for d in untyped]) if untyped else [])
    found: list[Parts] = []
    for draft in drafts:
        if draft.event_type is not None:
            known.get(draft.event_type)
            event_type, typed_by, typing = draft.event_type, "reporter", _REPORTER
        else:
            result = next(typings)
            event_type, typed_by, typing = result.event_type, result.method, _typing(result)
        found.append(
            (
                event_type,
                typed_by,
                typing,
                place(draft, zone).values(),
                draft.language or language_of(draft.narrative),
            )
        )
    return found


def _text(draft: Draft) -> str:
    return f"{draft.title}. {draft.narrative}" if draft.title else draft.narrative


_REPORTER = "{}"


def _typing(result: Typing) -> str:
    typing: dict[str, Any] = {
        "method": result.method,
        "scores": [[code, round(score, 4)] for code, score in result.scores[:5]],
        "acled_event_type": result.acled_event_type,
        "explanation": result.explanation,
        "evidence": list(result.evidence[:10]),
    }
    return str(encoded(typing))
