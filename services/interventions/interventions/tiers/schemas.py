"""Tiers: a leader's decision, a student's tier, the school's distribution and the overdue list."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from interventions.schemas import Schema


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


class TierShare(Schema):
    tier: int
    count: int
    share: float
    guidance: float


class Distribution(Schema):
    school_id: str
    students: int = Field(
        description="the school's students: on its roster, or first seen in a result there (tier 1 unless decided)"
    )
    tiers: list[TierShare]


class WeekTiers(Schema):
    week_ending: date
    tiers: list[TierShare]


class TierHistory(Schema):
    """The distribution at the end of each week, from the students' tier changes; every week counts today's
    students of the school (tier 1 unless a change says otherwise)."""

    school_id: str
    students: int
    weeks: list[WeekTiers] = Field(description="oldest first; the last week ends today")


class OverdueRead(Schema):
    student_id: str
    tier: int
    since: datetime
    school_days: int
