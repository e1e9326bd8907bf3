"""Bodies of recognition: narratives, state results, recognitions and the readiness view."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from reviews.schemas import Schema


class NarrativeWrite(Schema):
    text: str = Field(min_length=1, max_length=50_000, description="the school's reflective narrative")


class StateResultWrite(Schema):
    met: bool = Field(description="the school met the state-accountability target that year")
    source: str = Field(min_length=1, max_length=200)


class RecognitionRead(Schema):
    id: uuid.UUID
    school_id: str
    level: Literal["exemplary", "sustaining"]
    review_id: uuid.UUID
    school_year: int
    criteria: dict
    recognized_at: datetime


class Readiness(Schema):
    school_id: str
    recognized: Literal["exemplary", "sustaining"] | None = Field(description="the latest recognition")
    next_level: Literal["exemplary", "sustaining"]
    review_id: uuid.UUID | None = Field(description="the latest finalized site review judged")
    school_year: int | None
    achievement: dict
    unmet: list[str] = Field(description="exactly which criteria are still unmet")
