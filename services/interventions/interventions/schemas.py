"""Request and response bodies (Create / Update / Read on shared bases)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["support", "enrichment"]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class RulesBase(Schema):
    proficiency_cut: float | None = Field(None, ge=0, le=100, description="overrides the events' cut")
    mastery_cut: float | None = Field(None, ge=0, le=100)
    escalation_open_flags: int = Field(3, ge=1, description="N open support flags move a student up a tier")
    reflag_weeks: int = Field(6, ge=0, description="flagged again on a standard within M weeks: up a tier")
    overdue_school_days: int = Field(5, ge=0, description="Tier 2/3 without an intervention after K days")

    @model_validator(mode="after")
    def _cuts_together(self) -> RulesBase:
        if (self.proficiency_cut is None) != (self.mastery_cut is None):
            raise ValueError("give both cuts or neither")
        if self.proficiency_cut is not None and self.mastery_cut < self.proficiency_cut:
            raise ValueError("the mastery cut cannot be below the proficiency cut")
        return self


class RulesUpdate(RulesBase):
    pass


class RulesRead(RulesBase):
    school_id: str


class AssessmentCuts(Schema):
    proficiency_cut: float = Field(ge=0, le=100)
    mastery_cut: float = Field(ge=0, le=100)


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


class InterventionRead(InterventionBase):
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


class ProgressCreate(Schema):
    measured_on: date
    score: float


class ProgressRead(Schema):
    assignment_id: uuid.UUID
    points: list[ProgressCreate]
    rate_of_improvement: float | None = Field(description="points per week (least-squares slope)")
    goal_rate: float = Field(description="points per week the goal line asks for")
    on_track: bool | None


class ExitCreate(Schema):
    exited_on: date
    reason: str = Field(min_length=1)
    evidence: str = Field(min_length=1, description="what shows the student no longer needs it")
    to_tier: int | None = Field(None, ge=1, le=3, description="the student's tier after the exit")


class TierDecision(Schema):
    tier: int = Field(ge=1, le=3)
    reason: str = Field(min_length=1)


class TierRead(Schema):
    student_id: str
    school_id: str
    tier: int
    reason: str
    rule: str | None
    since: datetime


class FlagResolutionRead(Schema):
    reason: Literal["result", "correction", "void", "decision"]
    result_id: uuid.UUID | None = Field(description="the result (or correction / void) that resolved it")
    event_at: datetime | None = Field(description="when that result, correction or void was recorded")
    resolved_at: datetime | None = Field(description="when this service resolved the flag")
    by: str | None = Field(description="who decided (subject id), for a decision")
    note: str | None = Field(description="the team's reason, for a decision")


class FlagRead(Schema):
    id: uuid.UUID
    student_id: str
    school_id: str
    class_ids: list[str]
    standard_id: str
    kind: Kind
    status: Literal["open", "resolved"]
    rule: str
    result_id: uuid.UUID = Field(description="evidence: the latest result behind the flag")
    score: float
    cut: float
    opened_at: datetime
    age_days: float = Field(description="days open (until its resolution for a resolved flag)")
    tier: int
    resolution: FlagResolutionRead | None = None


class FlagChanges(Schema):
    flags: list[FlagRead] = Field(description="flags opened or resolved after the cursor, in change order")
    next_cursor: str = Field(description="pass it back as `cursor` to get the changes after these")


class FlagResolution(Schema):
    reason: str = Field(min_length=1, description="why the team resolves the flag")


class TierShare(Schema):
    tier: int
    count: int
    share: float
    guidance: float


class Distribution(Schema):
    school_id: str
    students: int
    tiers: list[TierShare]


class OverdueRead(Schema):
    student_id: str
    tier: int
    since: datetime
    school_days: int


class EffectivenessRead(Schema):
    intervention_id: uuid.UUID
    name: str
    assigned: int
    with_next_result: int
    reached_proficiency: int
    share: float | None
