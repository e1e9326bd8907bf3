"""Bodies of progress views: a goal's series with the aimline, its status and projection; a district's status
thresholds."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from goals.schemas import Schema


class Point(Schema):
    on: date
    value: float | None
    n: int
    version: int
    expected: float | None


class Series(Schema):
    goal_id: uuid.UUID
    version: int
    baseline: float | None
    target: float
    start: date
    deadline: date
    status: str
    projection: float | None
    points: list[Point]


class ThresholdsUpdate(Schema):
    """Share of the expected gain at or above which a goal is on track / at risk (0 < at_risk < on_track <= 1)."""

    on_track: float = Field(gt=0, le=1, allow_inf_nan=False, examples=[0.9])
    at_risk: float = Field(gt=0, lt=1, allow_inf_nan=False, examples=[0.7])


class ThresholdsRead(ThresholdsUpdate):
    source: Literal["district", "default"] = Field(description="the district's own values, or the defaults")
