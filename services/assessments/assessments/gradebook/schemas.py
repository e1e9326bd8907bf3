"""Bodies of the OneRoster 1.2 gradebook REST binding: a line item and a result as a SIS sends them (extra
members are allowed, as the binding's extensions are). On the service's Schema, so text with a NUL is refused."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ConfigDict, Field

from assessments.schemas import Schema


class Ref(Schema):
    model_config = ConfigDict(extra="allow")
    sourcedId: str


class LearningObjectiveIds(Schema):
    model_config = ConfigDict(extra="ignore")
    source: str = "case"
    learningObjectiveIds: list[str] = Field(default_factory=list)


class LineItemIn(Schema):
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


class LearningObjectiveResult(Schema):
    model_config = ConfigDict(extra="ignore")
    learningObjectiveId: str
    score: float | None = None
    textScore: str | None = None


class LearningObjectiveScores(Schema):
    model_config = ConfigDict(extra="ignore")
    source: str = "case"
    learningObjectiveResults: list[LearningObjectiveResult] = Field(default_factory=list)


class ResultIn(Schema):
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
