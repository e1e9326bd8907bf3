"""The pyramid's catalog of interventions, assignments, progress points, exits and effectiveness."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from interventions.schemas import Patch, Schema


class InterventionBase(Schema):
    name: str = Field(min_length=1, max_length=200)
    tier: int = Field(ge=1, le=3)
    kind: str = Field(description="reteach, small group, tutoring, enrichment, ...", min_length=1)
    delivery: str = Field(description="who/where: in class, pull-out, after school, online, ...")
    dosage_minutes_per_week: int = Field(ge=0)
    staff: list[str] = Field(default_factory=list, description="staff ids")
    schedule: str = ""
    directive: bool = Field(True, description="required (directive) or invitational")


class InterventionCreate(InterventionBase):
    pass


class InterventionRetirable(InterventionBase):
    """A stored catalog entry's editable state: what a PATCH is merged into."""

    retired: bool = Field(False, description="no longer offered for new assignments")


class InterventionUpdate(Patch):
    """JSON merge patch of a catalog entry: a field left out keeps its value; `null` is a 422 (nothing here
    can be cleared). `retired: true` retires the entry (not offered for new assignments; the assignments made
    keep it), `retired: false` offers it again."""

    name: str = Field(None, min_length=1, max_length=200)
    tier: int = Field(None, ge=1, le=3)
    kind: str = Field(None, description="reteach, small group, tutoring, enrichment, ...", min_length=1)
    delivery: str = Field(None, description="who/where: in class, pull-out, after school, online, ...")
    dosage_minutes_per_week: int = Field(None, ge=0)
    staff: list[str] = Field(None, description="staff ids")
    schedule: str = None
    directive: bool = Field(None, description="required (directive) or invitational")
    retired: bool = Field(None, description="no longer offered for new assignments")


class InterventionRead(InterventionRetirable):
    id: uuid.UUID
    school_id: str
    district_id: str


class AssignmentCreate(Schema):
    intervention_id: uuid.UUID
    student_id: str
    standard_id: str | None = None
    start_on: date
    planned_weeks: int = Field(ge=1, le=52)
    champion: str = Field(description="staff id of the champion")
    baseline: float
    goal: float
    goal_date: date
    monitoring_every_days: int = Field(7, ge=1)


class AssignmentRead(AssignmentCreate):
    id: uuid.UUID
    school_id: str
    status: str
    exited_on: date | None = None
    exit_reason: str | None = None
    exit_evidence: str | None = None


# Words a person must give: blank or spaces only is no answer (422), surrounding spaces are dropped.
Said = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ProgressCreate(Schema):
    measured_on: date = Field(description="not before the assignment's start, not after today")
    score: float = Field(ge=0, le=100, description="percent, on the scale of the baseline and the goal")


class ProgressPointRead(Schema):
    measured_on: date
    score: float


class ProgressRead(Schema):
    assignment_id: uuid.UUID
    points: list[ProgressPointRead]
    rate_of_improvement: float | None = Field(description="points per week (least-squares slope)")
    goal_rate: float = Field(description="points per week the goal line asks for")
    on_track: bool | None


class ExitCreate(Schema):
    exited_on: date
    reason: Said = Field(description='"Goal met" needs the last progress point at or above the goal')
    evidence: Said = Field(description="what shows the student no longer needs it (not blank)")
    goal_met_confirmed: bool = Field(
        False, description='"Goal met" although the last progress point is below the goal (or there is none)'
    )
    to_tier: int | None = Field(None, ge=1, le=3, description="the student's tier after the exit")


class EffectivenessRead(Schema):
    intervention_id: uuid.UUID
    name: str
    assigned: int
    with_next_result: int
    reached_proficiency: int
    share: float | None
    exited: int = Field(0, description="assignments exited")
    exited_goal_met: int = Field(0, description="exits with the reason 'goal met'")
    goal_met_share: float | None = Field(None, description="exited_goal_met / exited (None: no exit yet)")
    monitored: int = Field(0, description="assignments with two progress points or more")
    median_rate_of_improvement: float | None = Field(
        None, description="median over the monitored assignments of their points gained per week"
    )
