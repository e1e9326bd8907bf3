"""Bodies of progress views: a goal's series with the aimline, its status and projection."""

from __future__ import annotations

import uuid
from datetime import date

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
