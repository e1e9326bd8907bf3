"""Bodies of the analytics: every figure with its n and the method named."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from reviews.schemas import Schema

Scope = Literal["district", "program"]


class Comparison(Schema):
    a: dict[str, Any]
    b: dict[str, Any]
    method: str
    difference: float | None
    newcombe_95: list[float] | None = None
    z: float | None = None
    p: float | None = None
    fisher_p: float | None = None
    significant: bool | None = None
    verdict: str


class DistrictImplementation(Schema):
    scope: Scope
    schools: int
    districts: int
    program_vs_recognized: Comparison = Field(
        description="share in district implementations: all program schools (a) vs Exemplary/Sustaining (b); "
        "b is a subset of a, so the test is descriptive"
    )
    non_recognized_vs_recognized: Comparison = Field(
        description="share in district implementations: non-Exemplary (a) vs Exemplary/Sustaining (b) schools"
    )


class ImplementationAchievement(Schema):
    scope: Scope
    n: int
    method: str
    pearson: dict[str, Any] | None
    spearman: dict[str, Any] | None
    verdict: str
    points: list[dict[str, Any]] = Field(
        description="per school: rubric percent proficient vs achievement percent"
    )


class Trend(Schema):
    group: str
    value: str
    n: int = Field(description="finalized site reviews")
    strands: dict[str, dict[str, float | None]]
    indicators: dict[str, dict[str, float | None]]


class Trends(Schema):
    scope: Scope
    method: str
    by_year: list[Trend]
    by_training_year: list[Trend]
    by_district_implementation: list[Trend]
