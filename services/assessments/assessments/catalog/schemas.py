"""Assessment bodies: an assessment with its objectives, items and performance levels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from plc_shared.events.assessments import AssessmentKind
from plc_shared.schemas import ID_MAX
from pydantic import Field, model_validator

from assessments.schemas import Schema


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


# An objective's or item's id is made of the assessment's and its own code ("{assessment}/item/{code}"): each part
# is an id within the input limit (plc_shared.schemas.ID_MAX), the whole may be longer.
DerivedId = Annotated[str, Field(max_length=2 * ID_MAX + len("/item/"))]


class ObjectiveRead(Schema):
    id: DerivedId
    parent_id: DerivedId | None
    code: str
    description: str | None
    max_points: float
    proficiency_cut: float | None
    mastery_cut: float | None
    standard_ids: list[str]


class ItemRead(Schema):
    id: DerivedId
    objective_id: DerivedId | None
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
