"""Events of the goals service (topic `plc.goals.goals`, keyed by district id/goal id — district id/team id
for team events). IDs only (SIS sourcedIds and our own uuids), values and timestamps: no names, no free text.
Values are in the goal's measure's unit (percent of students, or average percent: 0-100).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from plc_shared.events.envelope import Event
from plc_shared.topics import GOALS

SOURCE = "/plc/goals"
GoalStatus = Literal["insufficient data", "on track", "at risk", "off track", "achieved", "missed"]


class _GoalEvent(Event):
    district_id: str
    goal_id: uuid.UUID
    school_id: str
    team_id: uuid.UUID | None = None
    occurred_at: datetime

    topic = GOALS.name
    source = SOURCE

    def key(self) -> str:
        return f"{self.district_id}/{self.goal_id}"

    def subject(self) -> str:
        return f"goals/{self.goal_id}"


class TeamChanged(Event):
    """A leadership or collaborative team was created or changed: its members (roster user ids), classes and
    standards."""

    type = "org.plc.goals.team.changed.v1"
    topic = GOALS.name
    source = SOURCE

    district_id: str
    team_id: uuid.UUID
    school_id: str
    kind: Literal["leadership", "collaborative"]
    member_ids: list[str] = Field(default_factory=list)
    class_ids: list[str] = Field(default_factory=list)
    standard_ids: list[str] = Field(default_factory=list)
    occurred_at: datetime

    def key(self) -> str:
        return f"{self.district_id}/{self.team_id}"

    def subject(self) -> str:
        return f"teams/{self.team_id}"


class GoalActivated(_GoalEvent):
    """A goal passed the SMART check and became active: its progress is followed from now on."""

    type = "org.plc.goals.goal.activated.v1"
    version: int
    baseline: float
    target: float
    start: date
    deadline: date


class GoalVersioned(_GoalEvent):
    """An active goal's measure, target or dates changed: a new version (the old one stays readable)."""

    type = "org.plc.goals.goal.versioned.v1"
    version: int
    target: float
    start: date
    deadline: date


class GoalProgressUpdated(_GoalEvent):
    """The goal's status as the goals API shows it, from the same series of progress points: sent whenever the
    status changes (results, corrections back-dated or not, voids, a new version, the district's thresholds)
    and at most once a minute while only the value moves. `value`, `n` and `as_of` are the series' last point
    with a value. A point is the measure over the results assessed up to its date, each student counted once by
    the counting rule (see the assessments events)."""

    type = "org.plc.goals.goal.progress.updated.v1"
    version: int
    value: float | None = Field(description="the value of the last point with a value (None: none yet)")
    n: int = Field(description="students counted in the value")
    status: GoalStatus = Field(
        description="as GET /goals/v1/goals/{id}/progress shows it: on track once the last point with a value"
        " reaches the target; else fewer than 3 points with a value is insufficient data; else the last one"
        " against the aimline read at its date"
    )
    as_of: date = Field(
        description="the assessment date of that point (the day it was sent when there is none)"
    )


class GoalAchieved(_GoalEvent):
    """At its deadline the goal's value reached the target."""

    type = "org.plc.goals.goal.achieved.v1"
    value: float | None
    target: float


class GoalMissed(_GoalEvent):
    """At its deadline the goal's value had not reached the target."""

    type = "org.plc.goals.goal.missed.v1"
    value: float | None
    target: float


class PdsaCycleCompleted(_GoalEvent):
    """A PDSA cycle of the goal was closed with its Act decision."""

    type = "org.plc.goals.pdsa.cycle.completed.v1"
    cycle_id: uuid.UUID
    decision: Literal["adopt", "adapt", "abandon"]
    predicted: float | None
    observed: float | None
