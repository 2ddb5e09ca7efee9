"""From a checked draft to a report ready to store: typed, placed and fingerprinted.

Pure work, no database: the bulk import prepares a whole chunk (typing it in one batch) before
it opens a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qalxan.intake import routing
from qalxan.intake.classify import Classifier, Typing
from qalxan.intake.dedup import words
from qalxan.intake.draft import Draft
from qalxan.intake.placing import Placement, place
from qalxan.intake.taxonomy import taxonomy
from qalxan.lang.script import language_of


@dataclass(frozen=True)
class Prepared:
    draft: Draft
    event_type: str
    typed_by: str
    typing: dict[str, Any]
    placement: Placement
    language: str | None
    words: frozenset[str]

    @property
    def observed_at(self) -> datetime:
        return self.draft.observed_at


def prepare_many(
    drafts: Sequence[Draft], classifier: Classifier, border_km: float | None = None
) -> list[Prepared]:
    """Type (in one batch, for the drafts without a type) and place every draft."""
    known = taxonomy()
    zone = routing.rules().border_zone_km if border_km is None else border_km
    untyped = [d for d in drafts if d.event_type is None]
    typings = iter(classifier.classify_many([_text(d) for d in untyped]) if untyped else [])
    prepared = []
    for draft in drafts:
        if draft.event_type is not None:
            known.get(draft.event_type)
            event_type, typed_by, typing = draft.event_type, "reporter", {}
        else:
            result = next(typings)
            event_type, typed_by, typing = result.event_type, result.method, _typing(result)
        prepared.append(
            Prepared(
                draft=draft,
                event_type=event_type,
                typed_by=typed_by,
                typing=typing,
                placement=place(draft, zone),
                language=draft.language or language_of(draft.narrative),
                words=words(draft.narrative),
            )
        )
    return prepared


def _text(draft: Draft) -> str:
    return f"{draft.title}. {draft.narrative}" if draft.title else draft.narrative


def _typing(result: Typing) -> dict[str, Any]:
    return {
        "method": result.method,
        "scores": [[code, round(score, 4)] for code, score in result.scores[:5]],
        "acled_event_type": result.acled_event_type,
        "explanation": result.explanation,
        "evidence": list(result.evidence[:10]),
    }
