"""Events of the reviews service (topic `plc.reviews.reviews`, keyed by district id/school id). IDs only (SIS
sourcedIds and our own uuids), scores and timestamps: no names, no notes, no narratives."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from plc_shared.events.envelope import Event
from plc_shared.topics import REVIEWS

SOURCE = "/plc/reviews"


class _SchoolEvent(Event):
    district_id: str
    school_id: str

    topic = REVIEWS.name
    source = SOURCE

    def key(self) -> str:
        return f"{self.district_id}/{self.school_id}"


class ReviewFinalized(_SchoolEvent):
    """A site review was finalized (immutable from now on); a correction names the review it replaces."""

    type = "org.plc.reviews.review.finalized.v1"

    review_id: uuid.UUID
    rubric_id: uuid.UUID
    kind: Literal["pre", "interim", "site"]
    on: date
    school_year: int
    training_year: str
    version: int
    corrects_id: uuid.UUID | None = None
    indicators: int = Field(description="indicators rated")
    percent_proficient: float | None = Field(description="percent of rated indicators at Proficient or Deep")
    points: float | None = Field(description="levels summed ÷ 3n (0-1)")
    finalized_at: datetime

    def subject(self) -> str:
        return f"reviews/{self.review_id}"


class SchoolRecognized(_SchoolEvent):
    """A school was recognized Exemplary, or Sustaining Exemplary, on a finalized site review."""

    type = "org.plc.reviews.school.recognized.v1"

    recognition_id: uuid.UUID
    level: Literal["exemplary", "sustaining"]
    review_id: uuid.UUID
    school_year: int
    recognized_at: datetime

    def subject(self) -> str:
        return f"recognitions/{self.recognition_id}"
