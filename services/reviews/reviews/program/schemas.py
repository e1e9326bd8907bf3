"""Bodies of program schools and districts."""

from __future__ import annotations

import uuid

from pydantic import Field

from reviews.schemas import Schema


class ProgramSchoolWrite(Schema):
    regional_center: str = Field(min_length=1, max_length=200)
    entry_year: int = Field(ge=2000, le=2100, description="the school year it entered (2026 = 2026-27)")


class DistrictWrite(Schema):
    building_count: int | None = Field(None, ge=1, le=10_000, description="None: count the roster's schools")


class DistrictRead(DistrictWrite):
    district_id: str
    rostered_schools: int
    program_schools: int
    district_implementation: bool


class LeadershipTeam(Schema):
    team_id: uuid.UUID
    member_ids: list[str]
    rule_met: bool
    violations: list[str]


class CollaborativeTeam(Schema):
    team_id: uuid.UUID
    member_ids: list[str]


class ProgramSchoolRead(Schema):
    district_id: str
    school_id: str
    regional_center: str
    entry_year: int
    school_year: int
    training_year: str | None
    district_implementation: bool
    district_buildings: int
    district_program_schools: int
    leadership_team: LeadershipTeam | None
    collaborative_teams: list[CollaborativeTeam]
