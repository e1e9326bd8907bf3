"""Request and response bodies: Create / Update / Read on shared bases."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from plc_shared.events.assessments import AssessmentKind, ScoreStatus
from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal["active", "tobedeleted"]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


# --- roster -------------------------------------------------------------------------------------------------
class RosterRecord(Schema):
    sourced_id: str = Field(min_length=1)
    status: Status = "active"


class OrgWrite(RosterRecord):
    name: str
    type: str = Field(description="district, school, department, ... (OneRoster orgType)")
    parent_id: str | None = None
    identifier: str | None = None


class AcademicSessionWrite(RosterRecord):
    title: str
    type: str = Field(description="schoolYear, semester, term, gradingPeriod")
    start_date: date | None = None
    end_date: date | None = None
    school_year: str | None = None
    parent_id: str | None = None


class CourseWrite(RosterRecord):
    title: str
    course_code: str | None = None
    school_id: str | None = None
    grades: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)


class ClassWrite(RosterRecord):
    title: str
    class_code: str | None = None
    school_id: str
    course_id: str | None = None
    term_ids: list[str] = Field(default_factory=list)
    grades: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    teacher_ids: list[str] = Field(default_factory=list)


class StudentWrite(RosterRecord):
    school_ids: list[str] = Field(min_length=1)
    grades: list[str] = Field(default_factory=list)
    identifier: str | None = None
    given_name: str | None = None
    family_name: str | None = None


class EnrollmentWrite(RosterRecord):
    class_id: str
    school_id: str
    user_id: str
    role: Literal["student", "teacher", "administrator", "aide", "guardian", "proctor"]
    primary: bool | None = None
    begin_date: date | None = None
    end_date: date | None = None


RecordT = TypeVar("RecordT", bound=RosterRecord)


class RosterUpsert(Schema, Generic[RecordT]):
    records: list[RecordT] = Field(max_length=50_000)


class SchoolRead(Schema):
    sourced_id: str
    name: str
    identifier: str | None


class ClassRead(Schema):
    sourced_id: str
    title: str
    class_code: str | None
    school_id: str
    course_id: str | None
    grades: list[str]
    subjects: list[str]
    teacher_ids: list[str]


class StudentRead(Schema):
    sourced_id: str
    school_ids: list[str]
    grades: list[str]
    identifier: str | None
    given_name: str | None
    family_name: str | None


class RosterUpserted(Schema):
    kind: str
    upserted: int
    rejected: list[dict[str, Any]] = Field(
        default_factory=list, description="records not written: index, field and reason"
    )


# --- standards ----------------------------------------------------------------------------------------------
class StandardBase(Schema):
    code: str = Field(min_length=1, description="humanCodingScheme, e.g. CCSS.MATH.CONTENT.4.NF.A.1")
    statement: str = Field(min_length=1)
    subject: str | None = None
    grade: str | None = None
    case_identifier: uuid.UUID | None = Field(None, description="CASE CFItem identifier")
    case_uri: str | None = None


class StandardCreate(StandardBase):
    id: str | None = Field(None, description="defaults to the CASE identifier, else a new UUID")


class EssentialFlag(Schema):
    scope: Literal["course", "grade"]
    value: str = Field(min_length=1, description="a course sourcedId or a grade")


class StandardRead(StandardBase):
    id: str
    district_id: str
    essential_for: list[EssentialFlag] = Field(default_factory=list)


# --- assessments --------------------------------------------------------------------------------------------
class PerformanceLevel(Schema):
    """Ed-Fi: minimum inclusive, maximum exclusive, on the score scale; no maximum = open-ended top level."""

    name: str = Field(min_length=1)
    min: float = Field(ge=0)
    max: float | None = None


class ObjectiveWrite(Schema):
    code: str = Field(min_length=1, description="unique within the assessment; results name objectives by it")
    description: str | None = None
    max_points: float = Field(gt=0)
    proficiency_cut: float | None = Field(None, ge=0, le=100)
    mastery_cut: float | None = Field(None, ge=0, le=100)
    standard_ids: list[str] = Field(default_factory=list)
    objectives: list[ObjectiveWrite] = Field(default_factory=list, description="nested objectives")


class ItemWrite(Schema):
    code: str = Field(min_length=1, description="unique within the assessment; results name items by it")
    max_points: float = Field(gt=0)
    standard_id: str | None = None
    objective_code: str | None = None


class AssessmentFields(Schema):
    title: str = Field(min_length=1)
    kind: AssessmentKind
    subject: str | None = None
    grades: list[str] = Field(default_factory=list)
    school_id: str | None = Field(None, description="owning school; none for a district-wide assessment")
    team_id: str | None = None
    window_start: date | None = None
    window_end: date | None = None
    max_score: float = Field(gt=0)
    performance_levels: list[PerformanceLevel] = Field(default_factory=list)
    proficiency_cut: float = Field(ge=0, le=100, description="percent of max_score")
    mastery_cut: float = Field(ge=0, le=100, description="percent of max_score")
    objectives: list[ObjectiveWrite] = Field(default_factory=list)
    items: list[ItemWrite] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cuts_and_window(self) -> AssessmentFields:
        if self.mastery_cut < self.proficiency_cut:
            raise ValueError("mastery_cut must be at or above proficiency_cut")
        if self.window_start and self.window_end and self.window_end < self.window_start:
            raise ValueError("window_end is before window_start")
        return self


class AssessmentCreate(AssessmentFields):
    id: str | None = Field(None, description="the SIS's lineItem sourcedId; a new UUID when absent")


class AssessmentUpdate(AssessmentFields):
    """A draft is replaced as a whole (objectives and items included)."""


class ObjectiveRead(Schema):
    id: str
    parent_id: str | None
    code: str
    description: str | None
    max_points: float
    proficiency_cut: float | None
    mastery_cut: float | None
    standard_ids: list[str]


class ItemRead(Schema):
    id: str
    objective_id: str | None
    code: str
    max_points: float
    standard_id: str | None


class AssessmentRead(Schema):
    id: str
    district_id: str
    school_id: str | None
    team_id: str | None
    title: str
    kind: AssessmentKind
    subject: str | None
    grades: list[str]
    window_start: date | None
    window_end: date | None
    max_score: float
    performance_levels: list[PerformanceLevel]
    proficiency_cut: float
    mastery_cut: float
    status: Literal["draft", "published", "closed"]
    published_at: datetime | None
    closed_at: datetime | None
    objectives: list[ObjectiveRead] = Field(default_factory=list)
    items: list[ItemRead] = Field(default_factory=list)


# --- results ------------------------------------------------------------------------------------------------
class ResultScores(Schema):
    score_status: ScoreStatus = "fully graded"
    total_score: float | str | None = Field(None, description="0..max_score; computed from parts when absent")
    objective_scores: dict[str, float | str] = Field(default_factory=dict, description="by objective code")
    item_scores: dict[str, float | str] = Field(default_factory=dict, description="by item code")
    assessed_on: date | None = Field(None, description="defaults to today")
    school_id: str | None = Field(None, description="defaults to the student's school")
    source_modified_at: datetime | None = Field(
        None,
        description="when the source (the SIS gradebook) last changed this result; a write older than the "
        "stored one is not applied and is reported as stale, so re-sending an old file never undoes a correction",
    )


class ResultWrite(ResultScores):
    assessment_id: str
    student_id: str
    attempt: int = Field(1, ge=1)


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


class ImportProblem(Schema):
    file: str
    row: int | None = Field(None, description="CSV record number; the header is row 1")
    column: str | None
    reason: str


class ImportFileCount(Schema):
    rows: int
    accepted: int


class ImportReport(Schema):
    accepted: int
    rejected: int = Field(description="the number of problems")
    files: dict[str, ImportFileCount]
    problems: list[ImportProblem] = Field(description="rows and files refused, with why")
    skipped: list[ImportProblem] = Field(
        default_factory=list,
        description="rows and files deliberately not imported (staff users, other roles, unsupported files, a "
        "row without a score that met a scored result, ...), with why",
    )
    notes: list[ImportProblem] = Field(
        default_factory=list,
        description="what was done that the SIS may not expect (a standard created from a CASE id, a student's "
        "second result kept as attempt 2, ...)",
    )


# --- analysis -----------------------------------------------------------------------------------------------
class Bin(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: int = Field(alias="from", serialization_alias="from")
    to: int
    students: int


class Distribution(Schema):
    bins: list[Bin]
    mean: float | None
    median: float | None
    min: float | None
    max: float | None


class LevelShare(Schema):
    level: str
    students: int
    percent: float | None


class StandardAnalysis(Schema):
    standard_id: str
    code: str | None
    essential: bool
    students: int
    mean_percent: float
    percent_proficient: float | None
    percent_mastered: float | None


class ClassAnalysis(Schema):
    class_id: str
    teacher_ids: list[str]
    students: int
    mean_percent: float
    percent_proficient: float | None


class TeacherAnalysis(Schema):
    teacher_id: str
    students: int
    mean_percent: float
    percent_proficient: float | None


class ItemAnalysis(Schema):
    code: str
    standard_id: str | None
    responses: int
    percent_correct: float | None
    percent_full_credit: float | None
    most_missed: bool


class BelowCut(Schema):
    """Students below the proficiency cut on one standard; essential standards come first."""

    standard_id: str
    code: str | None
    essential: bool
    students_below: int
    student_ids: list[str] | None = Field(description="absent for roles that see aggregates only")


class Analysis(Schema):
    assessment_id: str
    filters: dict[str, str | None]
    results: int
    scored: int
    distribution: Distribution
    percent_proficient: float | None
    percent_mastered: float | None
    levels: list[LevelShare]
    standards: list[StandardAnalysis]
    classes: list[ClassAnalysis]
    teachers: list[TeacherAnalysis]
    items: list[ItemAnalysis]
    below_cut: list[BelowCut]
