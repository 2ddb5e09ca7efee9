"""Checking a doctrine version against its source documents.

Each provenance quote must stand in the source it names. Comparison ignores whitespace, case
and typographic quote styles, because the sources are extracted from PDF and HTML with stray
spaces and line breaks ("NA TO", "security , economic").
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from qalxan.doctrine.model import Provenance
from qalxan.doctrine.registry import Doctrine

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """The comparison form: no whitespace, lower case, plain quotes and dashes."""
    return _SPACE.sub("", text.translate(_FOLD)).lower()


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def verify(doctrine: Doctrine, sources_dir: Path) -> list[Problem]:
    """Every problem found checking ``doctrine`` against the source files in ``sources_dir``.

    A source whose file is missing, or whose SHA-256 differs from the manifest, is a problem;
    so is every quote that does not stand in its source.
    """
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for key, source in doctrine.manifest.sources.items():
        path = sources_dir / source.file
        if not path.is_file():
            problems.append(Problem(f"manifest.sources.{key}", f"{path} does not exist"))
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != source.sha256:
            problems.append(Problem(f"manifest.sources.{key}", f"{path} has another SHA-256"))
        texts[key] = fold(data.decode("utf-8"))

    def check(where: str, entries: list[Provenance]) -> None:
        for index, entry in enumerate(entries):
            text = texts.get(entry.source)
            if text is not None and entry.quote and fold(entry.quote) not in text:
                problems.append(
                    Problem(
                        f"{where}.provenance[{index}]",
                        f"quote not in {entry.source}: {entry.quote[:80]!r}",
                    )
                )

    for item in doctrine.items.values():
        check(item.id, item.provenance)
    for relation in doctrine.relations:
        check(relation.key, relation.provenance)
        if relation.justification:
            text = texts.get(relation.provenance[0].source)
            if text is not None and fold(relation.justification) not in text:
                problems.append(
                    Problem(
                        f"{relation.key}.justification",
                        f"is not a quote of {relation.provenance[0].source}",
                    )
                )
    return problems
