"""Bodies of an assessment's quality check against the five keys of quality assessment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from assessments.quality.rules import KEYS, Rating
from assessments.schemas import Schema

Key = Literal[
    "clear_purpose", "clear_targets", "sound_design", "effective_communication", "student_involvement"
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
assert set(Key.__args__) == set(KEYS)  # type: ignore[attr-defined]


class KeyWrite(Schema):
    key: Key
    rating: Rating
    note: Note = ""


class QualityWrite(Schema):
    ratings: list[KeyWrite] = Field(min_length=1, max_length=len(KEYS))

    @field_validator("ratings")
    @classmethod
    def _once_each(cls, ratings: list[KeyWrite]) -> list[KeyWrite]:
        if len({r.key for r in ratings}) != len(ratings):
            raise ValueError("each key once")
        return ratings


class KeyRead(Schema):
    key: str
    name: str
    question: str
    rating: Rating | None
    note: str
    rated_by: str | None = None
    rated_at: datetime | None = None


class QualityRead(Schema):
    assessment_id: str
    keys: list[KeyRead]
    checked: bool = Field(description="all five keys rated")


class QualitySummary(Schema):
    assessment_id: str
    school_id: str | None
    kind: str
    rated: int = Field(description="keys rated, of five")
    met: int = Field(description="keys rated met")
    checked: bool
    checked_at: datetime | None = Field(description="when the last key was rated")
