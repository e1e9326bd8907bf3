"""Result bodies: one result written on its natural key, what is read back, the bulk report."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from plc_shared.events.assessments import ScoreStatus
from pydantic import Field, StrictFloat

from assessments.schemas import Schema


class ResultScores(Schema):
    score_status: ScoreStatus = "fully graded"
    # Strict numbers: `false` is not a score of 0 (numeric strings are accepted, as CSV-minded clients send them).
    total_score: StrictFloat | str | None = Field(
        None, description="0..max_score; computed from parts when absent"
    )
    objective_scores: dict[str, StrictFloat | str] = Field(
        default_factory=dict, description="by objective code"
    )
    item_scores: dict[str, StrictFloat | str] = Field(default_factory=dict, description="by item code")
    assessed_on: date | None = Field(None, description="defaults to today")
    school_id: str | None = Field(None, min_length=1, description="defaults to the student's school")
    source_modified_at: datetime | None = Field(
        None,
        description="when the source (the SIS gradebook) last changed this result; a write older than the "
        "stored one is not applied and is reported as stale, so re-sending an old file never undoes a correction",
    )


class ResultWrite(ResultScores):
    assessment_id: str = Field(min_length=1)
    student_id: str = Field(min_length=1)
    attempt: int = Field(1, ge=1)


class BulkResults(Schema):
    """The body of POST /assessments/results/bulk. Rows are checked one by one by the service (a bad row is
    reported with its index, never fails the request), so this documents the body rather than parsing it."""

    results: list[ResultWrite] = Field(max_length=50_000, description="up to 50,000 results")


BULK_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BulkResults"}}},
}


class StandardScoreRead(Schema):
    standard_id: str
    code: str | None
    essential: bool
    points: float
    max_points: float
    percent: float
    proficiency_cut: float
    mastery_cut: float
    proficient: bool
    mastered: bool


class ResultRead(Schema):
    id: uuid.UUID
    assessment_id: str
    student_id: str
    attempt: int
    district_id: str
    school_id: str
    class_ids: list[str]
    score_status: ScoreStatus
    total_score: float | None
    percent: float | None
    performance_level: str | None
    objective_scores: dict[str, float]
    item_scores: dict[str, float]
    standard_scores: list[StandardScoreRead]
    assessed_on: date
    revision: int
    recorded_at: datetime
    source_modified_at: datetime | None = None


class RowError(Schema):
    index: int = Field(description="0-based position of the row in the request")
    field: str | None = Field(None, description="the offending field (column)")
    reason: str


class Duplicate(Schema):
    index: int = Field(description="the row that was dropped")
    superseded_by: int = Field(description="the later row with the same key that was kept (last wins)")


class StaleRow(Schema):
    index: int
    source_modified_at: datetime
    stored_source_modified_at: datetime
    reason: str


class BulkReport(Schema):
    received: int
    accepted: int
    created: int
    updated: int
    unchanged: int
    rejected: list[RowError]
    duplicates: list[Duplicate]
    stale: list[StaleRow] = Field(default_factory=list, description="rows older than the stored result")
