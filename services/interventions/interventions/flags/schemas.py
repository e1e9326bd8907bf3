"""Flags as the API shows them: each with its age, tier and resolution; the changes feed's page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from interventions.flags.rules import Kind
from interventions.schemas import Schema


class FlagResolutionRead(Schema):
    reason: Literal["result", "correction", "void", "decision"]
    result_id: uuid.UUID | None = Field(description="the result (or correction / void) that resolved it")
    event_at: datetime | None = Field(description="when that result, correction or void was recorded")
    resolved_at: datetime | None = Field(description="when this service resolved the flag")
    by: str | None = Field(description="who decided (subject id), for a decision")
    note: str | None = Field(description="the team's reason, for a decision")


class FlagSupportRead(Schema):
    """An intervention the flagged student is in now (an active assignment), whatever its standard."""

    assignment_id: uuid.UUID
    intervention_id: uuid.UUID
    intervention_name: str
    tier: int
    standard_id: str | None


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
    supports: list[FlagSupportRead] = Field(
        default_factory=list,
        description="the student's active interventions (the support already in place); in the list, not the feed",
    )


class FlagClassCount(Schema):
    """One class's share of the flags asked for: a flag counts in every class of its student."""

    class_id: str | None = Field(description="the class (a roster class id); null for the flags of no class")
    students: int = Field(description="distinct students with such a flag in the class")
    flags: int = Field(description="such flags of the class's students")


class FlagChanges(Schema):
    flags: list[FlagRead] = Field(description="flags opened or resolved after the cursor, in change order")
    next_cursor: str = Field(description="pass it back as `cursor` to get the changes after these")
    end_cursor: str = Field(
        description="the cursor after the latest change there is now (in the caller's scope): pass it as `cursor`"
        " to follow only the changes from now on, without reading the history"
    )


class FlagResolution(Schema):
    reason: str = Field(min_length=1, description="why the team resolves the flag")
