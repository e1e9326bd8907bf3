"""Events of the interventions service (topic `plc.interventions.flags`, keyed by district id/student id).

IDs only (SIS sourcedIds and our own uuids), codes, scores and timestamps: never names, and no free text about
a student (an exit's reason and evidence, a tier decision's or a flag resolution's words stay in the service,
behind its scoped and audited API). Scores and cuts are percentages of the maximum points (0-100), as in the
assessments events.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from plc_shared.events.envelope import Event
from plc_shared.topics import FLAGS

SOURCE = "/plc/interventions"
FlagKind = Literal["support", "enrichment"]
Resolution = Literal["result", "correction", "void", "decision"]
# Why a student left an intervention, as a code: the service maps its documented reasons to these (README).
ExitReason = Literal[
    "goal_met", "goal_not_met_more_intensive", "goal_not_met_different", "left_school", "other"
]


class _StudentEvent(Event):
    student_id: str
    district_id: str
    school_id: str

    def key(self) -> str:
        return f"{self.district_id}/{self.student_id}"


class StudentFlagged(_StudentEvent):
    """A student was flagged for extra time and support (below proficiency) or enrichment (at mastery)."""

    type = "org.plc.interventions.student.flagged.v1"
    source = SOURCE
    topic = FLAGS.name

    flag_id: uuid.UUID
    kind: FlagKind
    standard_id: str
    result_id: uuid.UUID = Field(description="the evidence: the result that raised the flag")
    result_revision: int
    assessment_id: str
    score: float = Field(description="percent on the standard")
    cut: float = Field(description="the cut the score was compared with")
    rule: str = Field(description="e.g. 'support: percent < proficiency cut'")
    flagged_at: datetime

    def subject(self) -> str:
        return f"flags/{self.flag_id}"


class FlagResolved(_StudentEvent):
    """A flag closed: a later result reached the cut, its evidence was corrected or voided, or a decision."""

    type = "org.plc.interventions.flag.resolved.v1"
    source = SOURCE
    topic = FLAGS.name

    flag_id: uuid.UUID
    kind: FlagKind
    standard_id: str
    reason: Resolution
    result_id: uuid.UUID | None = Field(None, description="the result that resolved it (reason result)")
    result_revision: int | None = None
    score: float | None = None
    cut: float | None = None
    resolved_at: datetime

    def subject(self) -> str:
        return f"flags/{self.flag_id}"


class TierChanged(_StudentEvent):
    """A student moved in the pyramid: up by an escalation rule, down only by a decision or an exit. A
    decision's reason is the leader's own words about the student: it stays in the service (`rule` is null)."""

    type = "org.plc.interventions.tier.changed.v1"
    source = SOURCE
    topic = FLAGS.name

    from_tier: int = Field(ge=1, le=3)
    to_tier: int = Field(ge=1, le=3)
    reason: Literal["escalation", "decision", "exit"]
    rule: str | None = Field(None, description="the escalation rule that fired (escalations only)")
    decided_by: str | None = Field(None, description="subject id of the person who decided")
    changed_at: datetime


class InterventionAssigned(_StudentEvent):
    type = "org.plc.interventions.intervention.assigned.v1"
    source = SOURCE
    topic = FLAGS.name

    assignment_id: uuid.UUID
    intervention_id: uuid.UUID
    tier: int = Field(ge=1, le=3)
    directive: bool
    standard_id: str | None = None
    start_on: date
    planned_weeks: int
    assigned_at: datetime

    def subject(self) -> str:
        return f"assignments/{self.assignment_id}"


class StudentExited(_StudentEvent):
    """Version 1, no longer published: it carried the exit's reason and evidence as typed, free text about a
    student (names included) on the broker. Kept registered so events already written stay readable; the
    service publishes StudentExitedV2."""

    type = "org.plc.interventions.student.exited.v1"
    source = SOURCE
    topic = FLAGS.name

    assignment_id: uuid.UUID
    intervention_id: uuid.UUID
    reason: str
    evidence: str
    exited_on: date

    def subject(self) -> str:
        return f"assignments/{self.assignment_id}"


class StudentExitedV2(_StudentEvent):
    """A student left an intervention. The reason is a code; the reason's words and the evidence stay in the
    interventions service (`GET /interventions/v1/assignments/{id}`, scoped and audited)."""

    type = "org.plc.interventions.student.exited.v2"
    source = SOURCE
    topic = FLAGS.name

    assignment_id: uuid.UUID
    intervention_id: uuid.UUID
    reason_code: ExitReason = Field(
        description="goal_met, goal_not_met_more_intensive, goal_not_met_different, left_school; other when "
        "the reason given is none of the service's documented reasons"
    )
    exited_on: date

    def subject(self) -> str:
        return f"assignments/{self.assignment_id}"


EXITS = (StudentExited, StudentExitedV2)  # every version a consumer of exits reads
