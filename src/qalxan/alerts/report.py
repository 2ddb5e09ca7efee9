"""What reading or checking an alert found: errors and warnings, each naming its element.

A problem's path is the element's place in the alert, XPath-like with 1-based positions on the
elements that may repeat: ``alert/info[2]/area[1]/polygon[1]``. Errors make an alert invalid;
warnings point at what the standard advises against (a headline over 160 characters...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from qalxan.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    reason: str
    line: int | None = field(default=None, compare=False)  # in the document read, when known

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Report:
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def __add__(self, other: Report) -> Report:
        return Report(self.errors + other.errors, self.warnings + other.warnings)

    @classmethod
    def error(cls, path: str, reason: str, line: int | None = None) -> Report:
        return cls(errors=(Problem(path, reason, line),))

    @classmethod
    def of(cls, errors: Iterable[Problem] = (), warnings: Iterable[Problem] = ()) -> Report:
        return cls(tuple(errors), tuple(warnings))


class Rejected(InvalidInput):
    """A document rejected for the problems in ``report`` (the first one is the message)."""

    def __init__(self, report: Report) -> None:
        first = report.errors[0]
        more = len(report.errors) - 1
        suffix = f" (and {more} more)" if more else ""
        super().__init__(f"{first}{suffix}", field=first.path)
        self.report = report


class InvalidAlert(Rejected):
    """An alert that breaks CAP 1.2."""


class InvalidFeed(Rejected):
    """An Atom or RSS feed that breaks its format."""
