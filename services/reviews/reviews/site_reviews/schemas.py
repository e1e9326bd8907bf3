"""Bodies of site reviews: the review, its ratings, the computed scores and the change since the previous."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from reviews.schemas import Schema

Kind = Literal["pre", "interim", "site"]
Status = Literal["draft", "submitted", "finalized"]
IndicatorId = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class ReviewCreate(Schema):
    kind: Kind
    on: date
    reviewer_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=20, description="the reviewers (users with the reviewer role)"
    )


class Rating(Schema):
    level: int = Field(ge=0, le=3, description="0 Minimal/No, 1 Partial, 2 Proficient, 3 Deep Implementation")
    notes: str = Field("", max_length=5000)
    evidence: list[Annotated[str, StringConstraints(min_length=1, max_length=2000)]] = Field(
        default_factory=list, max_length=50, description="what was seen: documents, links, observations"
    )


class RatingsWrite(Schema):
    ratings: dict[IndicatorId, Rating] = Field(max_length=200)


class Cell(Schema):
    n: int
    proficient_or_above: int
    percent_proficient: float | None
    points: float | None = Field(description="levels summed ÷ 3n")


class Scores(Schema):
    overall: Cell
    strands: dict[str, Cell]


class Delta(Schema):
    percent_proficient: float | None
    points: float | None


class Change(Schema):
    previous_review_id: uuid.UUID
    overall: Delta
    strands: dict[str, Delta]


class IndicatorRating(Schema):
    indicator_id: str
    strand_id: str
    targeted: bool = Field(description="targeted in the school's training year (listed first)")
    level: int | None
    level_name: str | None
    notes: str = ""
    evidence: list[str] = Field(default_factory=list)
    evidence_required: bool | None = Field(description="at the rated level")


class Reviewer(Schema):
    id: str
    name: str | None = Field(
        description="the name the reviewer signed in with (recorded when they act on the review); None until then"
    )


class ReviewRead(Schema):
    id: uuid.UUID
    school_id: str
    rubric_id: uuid.UUID
    kind: Kind
    on: date
    school_year: int
    training_year: str
    status: Status
    version: int
    corrects_id: uuid.UUID | None
    superseded_by_id: uuid.UUID | None
    reviewer_ids: list[str]
    reviewers: list[Reviewer] = Field(
        default_factory=list, description="the reviewers in the order of reviewer_ids, each with their name"
    )
    indicators: list[IndicatorRating]
    scores: Scores
    change: Change | None
    data_evidence: dict[str, Any] | None
    finalized_at: datetime | None
