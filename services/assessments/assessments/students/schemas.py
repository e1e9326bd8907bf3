"""One student's record as their teachers and leaders read it: who they are and their results, newest first."""

from __future__ import annotations

import uuid
from datetime import date

from plc_shared.events.assessments import ScoreStatus
from pydantic import Field

from assessments.schemas import Schema


class StudentSchool(Schema):
    school_id: str
    name: str


class StudentClass(Schema):
    class_id: str
    title: str
    school_id: str


class StandardResult(Schema):
    standard_id: str
    code: str | None = Field(description="the standard's code (humanCodingScheme)")
    title: str | None = Field(description="the standard's statement")
    points: float
    max_points: float
    percent: float
    proficient: bool
    mastered: bool


class StudentResult(Schema):
    result_id: uuid.UUID
    assessment_id: str
    assessment_title: str
    assessed_on: date
    attempt: int
    score_status: ScoreStatus
    total_score: float | None
    max_score: float
    percent: float | None
    performance_level: str | None
    standards: list[StandardResult]


class StudentRecord(Schema):
    student_id: str
    given_name: str | None
    family_name: str | None
    name: str = Field(description="given and family name, or the id when the roster has no name")
    grades: list[str]
    schools: list[StudentSchool] = Field(description="the student's schools the caller sees")
    classes: list[StudentClass] = Field(description="the student's active classes in those schools")
    results: list[StudentResult] = Field(description="live results in those schools, newest first")
