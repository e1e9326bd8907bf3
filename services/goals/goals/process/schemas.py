"""Bodies of the process steps before goals: a school's foundation, a team's norms and protocols and its
checklist of the 18 critical issues, and the school's standing on the process chart."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from goals.process.rules import CRITICAL_ISSUES, Status
from goals.schemas import Schema

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Statement = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class FoundationWrite(Schema):
    mission: Statement = Field(description="the school's fundamental purpose: learning for all")
    vision: Statement = Field(description="the school the staff want to become")
    values: list[Line] = Field(min_length=1, max_length=30, description="what the staff hold to")
    collective_commitments: list[Line] = Field(
        min_length=1, max_length=30, description="what each staff member will do to make the mission real"
    )


class FoundationRead(FoundationWrite):
    school_id: str
    version: int
    saved_by: str
    saved_at: datetime


class NormsWrite(Schema):
    norms: list[Line] = Field(min_length=1, max_length=30, description="how the team works together")
    protocols: list[Line] = Field(default_factory=list, max_length=30, description="how it runs its meetings")


class NormsRead(Schema):
    team_id: uuid.UUID
    norms: list[str]
    protocols: list[str]
    updated_by: str | None = None
    updated_at: datetime | None = None


class IssueWrite(Schema):
    issue: int = Field(ge=1, le=len(CRITICAL_ISSUES), description="1-18, as in process.rules")
    status: Status
    note: Note = ""


class ChecklistWrite(Schema):
    items: list[IssueWrite] = Field(min_length=1, max_length=len(CRITICAL_ISSUES))

    @field_validator("items")
    @classmethod
    def _once_each(cls, items: list[IssueWrite]) -> list[IssueWrite]:
        if len({i.issue for i in items}) != len(items):
            raise ValueError("each issue once")
        return items


class IssueRead(Schema):
    issue: int
    text: str
    status: Status
    note: str
    updated_by: str | None = None
    updated_at: datetime | None = None


class ChecklistRead(Schema):
    team_id: uuid.UUID
    items: list[IssueRead]
    progress: dict[str, int] = Field(description="issues done, in progress, not started")


class TeamStanding(Schema):
    team_id: uuid.UUID
    name: str
    kind: str
    has_norms: bool
    issues: dict[str, int] = Field(description="critical issues done, in progress, not started")


class ProcessRead(Schema):
    """What the goals service knows of the school's place on the process chart (the other steps' evidence
    is the other services')."""

    school_id: str
    foundation_version: int | None
    foundation_saved_at: datetime | None
    teams: list[TeamStanding]
    goals_active: dict[str, int] = Field(description="active SMART goals: school, team")
    cycles: dict[str, int] = Field(description="PDSA cycles of active goals: open, closed")
