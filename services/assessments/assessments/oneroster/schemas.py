"""OneRoster bodies: the gradebook REST binding's line items and results, and the CSV import's report."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assessments.schemas import Schema


class Ref(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str


class LineItemIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str | None = None
    status: str = "active"
    title: str
    resultValueMin: float | None = None
    resultValueMax: float | None = Field(None, gt=0)
    school: Ref | None = None
    # `class` is a Python keyword; it is read from the extra fields.


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    sourcedId: str | None = None
    status: str = "active"
    lineItem: Ref | None = None
    assessmentLineItem: Ref | None = None
    student: Ref
    scoreStatus: str
    score: float | str | None = None
    scoreDate: str | None = None
    dateLastModified: str | None = None


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
    rejected: int
    files: dict[str, ImportFileCount]
    problems: list[ImportProblem]
