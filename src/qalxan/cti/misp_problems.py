"""What is wrong with a MISP document: each problem names its JSON path and the reason.

Validation collects every problem it finds before it raises, so that an analyst fixing an
export sees them all at once; the message lists the first :data:`LISTED` of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from qalxan.errors import InvalidInput

LISTED = 20


@dataclass(frozen=True)
class Problem:
    """One rule broken at ``path`` (``Event.Attribute[3].type``)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


class InvalidMispEvent(InvalidInput):
    """A MISP document that is not a valid event; ``problems`` holds every rule it breaks."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("InvalidMispEvent needs at least one problem")
        shown = "; ".join(str(p) for p in problems[:LISTED])
        more = len(problems) - LISTED
        message = f"{shown}; and {more} more" if more > 0 else shown
        super().__init__(message, field=problems[0].path or None)
        self.problems = tuple(problems)


def join(path: str, key: str | int) -> str:
    """``path`` extended by a member name or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
