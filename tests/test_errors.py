"""The first problem of a pydantic refusal, as every file loader and form reports it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from qalxan.errors import first_problem


class _Item(BaseModel):
    weight: float


class _File(BaseModel):
    items: list[_Item]


def _refused(raw: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _File.model_validate(raw)
    return caught.value


def test_the_path_is_dotted_down_to_the_value() -> None:
    path, problem = first_problem(_refused({"items": [{"weight": 1}, {"weight": "heavy"}]}))
    assert path == "items.1.weight"
    assert "number" in problem


def test_a_refusal_at_the_top_has_an_empty_path() -> None:
    path, problem = first_problem(_refused(["not", "a", "mapping"]))
    assert path == ""
    assert problem
