"""The case status workflow (``workflow.yaml``): which moves are allowed, and which need a
reason."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from qalxan.errors import InvalidInput


class Workflow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    statuses: dict[str, dict[str, str]]
    initial: str
    closed: tuple[str, ...]
    transitions: dict[str, tuple[str, ...]]
    needs_reason: tuple[tuple[str, str], ...]

    @model_validator(mode="after")
    def _known(self) -> Workflow:
        named = {self.initial, *self.closed, *self.transitions}
        named |= {s for targets in self.transitions.values() for s in targets}
        named |= {s for pair in self.needs_reason for s in pair}
        unknown = named - set(self.statuses)
        if unknown:
            raise ValueError(f"unknown statuses {sorted(unknown)}")
        return self

    def check(self, current: str, target: str, reason: str | None) -> None:
        """Refuse a move the workflow does not allow, naming the moves that are allowed."""
        if target not in self.statuses:
            raise InvalidInput(
                f"status: unknown status {target!r} (one of {', '.join(self.statuses)})", "status"
            )
        allowed = self.transitions.get(current, ())
        if target not in allowed:
            raise InvalidInput(
                f"status: a case that is {current} can move to {', '.join(allowed) or 'nothing'}",
                "status",
            )
        if (current, target) in self.needs_reason and not (reason or "").strip():
            raise InvalidInput(
                f"reason: moving from {current} to {target} needs a reason", "reason"
            )


@lru_cache(maxsize=1)
def workflow() -> Workflow:
    text = resources.files("qalxan.cases").joinpath("workflow.yaml").read_text("utf-8")
    return Workflow.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))
