"""The OneRoster CSV import's report."""

from __future__ import annotations

from pydantic import Field

from assessments.schemas import Schema


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
