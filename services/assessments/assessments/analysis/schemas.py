"""The analysis of one assessment, as the data meeting reads it."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from assessments.schemas import Schema


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
    """Students below the proficiency cut on one standard (each once, by the score that counts on it);
    essential standards come first."""

    standard_id: str
    code: str | None
    essential: bool
    students_below: int
    student_ids: list[str] | None = Field(description="absent for roles that see aggregates only")


class Mastered(Schema):
    """Students at or above the mastery cut on one standard (each once); in the order of `below_cut`."""

    standard_id: str
    code: str | None
    essential: bool
    students_mastered: int
    student_ids: list[str] | None = Field(description="absent for roles that see aggregates only")


class Attempt(Schema):
    attempt: int
    assessed_on: date
    score_status: str
    percent: float | None
    performance_level: str | None


class CountedStandard(Schema):
    """A student's score on one standard: the one that counts (from attempt `attempt`)."""

    standard_id: str
    attempt: int
    points: float | None = None
    max_points: float | None = None
    percent: float
    proficient: bool
    mastered: bool


class StudentResult(Schema):
    """One student, once: the figures that count and every live attempt behind them (oldest first)."""

    student_id: str
    school_id: str
    class_ids: list[str]
    attempts: int = Field(description="live (not voided) attempts")
    counted_attempt: int | None = Field(description="the attempt whose percent counts (None: none scored)")
    percent: float | None
    performance_level: str | None
    standards: list[CountedStandard]
    history: list[Attempt]


class Analysis(Schema):
    """Every figure counts students, each once, with the attempt the counting rule picks for that figure
    (the latest live attempt that scored it; see the assessments README)."""

    assessment_id: str
    filters: dict[str, str | None]
    students: int = Field(description="students with a live result, each counted once")
    results: int = Field(
        description="the same as `students` (kept for existing readers); attempts: `attempts`"
    )
    attempts: int = Field(description="live results (attempts) behind those students")
    scored: int = Field(description="students whose counting result has a percent")
    distribution: Distribution
    percent_proficient: float | None
    percent_mastered: float | None
    levels: list[LevelShare]
    standards: list[StandardAnalysis]
    classes: list[ClassAnalysis]
    teachers: list[TeacherAnalysis]
    items: list[ItemAnalysis]
    below_cut: list[BelowCut]
    enrichment: list[Mastered]
    mastered_all: list[str] | None = Field(
        description="students at or above the mastery cut on every standard reported (absent for aggregate roles)"
    )
    student_results: list[StudentResult] | None = Field(
        description="each student once, with their attempts (absent for roles that see aggregates only)"
    )
