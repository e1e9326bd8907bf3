"""Bodies of teams: a school's leadership team and its collaborative (grade-level / course) teams."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from goals.schemas import Schema


class TeamWrite(Schema):
    kind: Literal["leadership", "collaborative"]
    name: str = Field(min_length=1, max_length=200)
    member_ids: list[str] = Field(min_length=1, max_length=50, description="roster user ids (sourcedIds)")
    grades: list[str] = Field(default_factory=list, max_length=20)
    class_ids: list[str] = Field(default_factory=list, max_length=500)
    standard_ids: list[str] = Field(default_factory=list, max_length=500, description="essential standards")


class Member(Schema):
    user_id: str
    role: str = Field(description="the user's roster role at the school")


class TeamRead(Schema):
    id: uuid.UUID
    school_id: str
    kind: str
    name: str
    members: list[Member]
    grades: list[str]
    class_ids: list[str]
    standard_ids: list[str]
