"""The analysis of one assessment, as the data meeting reads it."""

from __future__ import annotations

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
