"""Bodies of the evidence from data."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from reviews.schemas import Schema


class EvidenceRead(Schema):
    school_id: str
    school_year: int
    goals: dict[str, Any] = Field(description="collaborative teams with an active SMART goal; share on track")
    common_assessments: dict[str, dict[str, int]] = Field(
        description="team id → standard id → common formative assessments given to the team's classes"
    )
    support: dict[str, Any] = Field(description="median days flag → intervention; shares assigned and exited")
    informs: dict[str, list[str]] = Field(description="indicator id → the evidence keys next to it")
