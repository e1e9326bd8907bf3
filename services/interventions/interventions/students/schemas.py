"""One student's interventions record: tier and its history, flags open and resolved with their evidence, and
the interventions assigned with their progress."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from interventions.flags.schemas import FlagRead
from interventions.pyramid.schemas import AssignmentRead, ProgressCreate
from interventions.schemas import Schema


class TierChangeRead(Schema):
    from_tier: int | None = Field(description="the tier before (null: held before history began)")
    to_tier: int
    reason: str = Field(description="escalation | decision | exit")
    rule: str | None = Field(description="why: the escalation rule, or the decision's reason")
    decided_by: str | None = Field(description="who decided (subject id); null for an escalation")
    changed_at: datetime


class StudentTierRead(Schema):
    tier: int = Field(description="the current tier (1 when none was ever recorded)")
    school_id: str | None
    reason: str | None
    rule: str | None
    decided_by: str | None
    since: datetime | None
    history: list[TierChangeRead] = Field(description="newest first")


class StudentFlagRead(FlagRead):
    assessment_id: str = Field(description="evidence: the assessment of the result behind the flag")
    evidence_recorded_at: datetime


class StudentAssignmentRead(AssignmentRead):
    intervention_name: str
    intervention_tier: int
    points: list[ProgressCreate]
    rate_of_improvement: float | None = Field(description="points per week (least-squares slope)")
    goal_rate: float
    on_track: bool | None


class StudentInterventionsRead(Schema):
    student_id: str
    school_ids: list[str] = Field(description="the student's schools the caller sees")
    tier: StudentTierRead
    tier_in_force: int = Field(
        description="the tier the student is served at now: the recorded tier, or the highest tier of an active "
        "intervention when that is higher (a tier-2 intervention makes a tier-1 record tier 2 in force)"
    )
    open_flags: list[StudentFlagRead] = Field(description="oldest first")
    resolved_flags: list[StudentFlagRead] = Field(description="most recently resolved first")
    assignments: list[StudentAssignmentRead] = Field(description="newest first")
