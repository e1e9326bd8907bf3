"""OneRoster bodies: the gradebook REST binding's line items and results, and the CSV import's report."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from assessments.schemas import Schema


class Ref(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str


class LearningObjectiveIds(BaseModel):
    source: str = "case"
    learningObjectiveIds: list[str] = Field(default_factory=list)


class LineItemIn(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    sourcedId: str | None = None
    status: str = "active"
    dateLastModified: datetime | None = None
    title: str
    description: str | None = None
    assignDate: datetime | date | None = None
    dueDate: datetime | date | None = None
    class_: Ref | None = Field(None, alias="class")
    school: Ref | None = None
    category: Ref | None = None
    gradingPeriod: Ref | None = None
    academicSession: Ref | None = None
    scoreScale: Ref | None = None
    resultValueMin: float | None = Field(None, ge=0)
    resultValueMax: float | None = Field(None, gt=0)
    learningObjectiveSet: list[LearningObjectiveIds] = Field(default_factory=list)


class LearningObjectiveResult(BaseModel):
    learningObjectiveId: str
    score: float | None = None
    textScore: str | None = None


class LearningObjectiveScores(BaseModel):
    source: str = "case"
    learningObjectiveResults: list[LearningObjectiveResult] = Field(default_factory=list)


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str | None = None
    status: str = "active"
    lineItem: Ref | None = None
    assessmentLineItem: Ref | None = None
    student: Ref
    scoreStatus: str
    score: float | str | None = None
    textScore: str | None = None
    scoreDate: str | None = None
    comment: str | None = None
    dateLastModified: str | None = None
    learningObjectiveSet: list[LearningObjectiveScores] = Field(default_factory=list)


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
