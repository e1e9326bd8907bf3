"""The implementation analytics over the program schools: a district's own (everyone who reads reviews), or the
whole program's across districts (analysts only; aggregates, never a school's or district's id)."""

from __future__ import annotations

from collections import defaultdict

from plc_shared.auth import Principal, Role
from plc_shared.errors import Forbidden
from sqlalchemy.ext.asyncio import AsyncSession

from reviews.analytics import rules, schemas
from reviews.analytics.repository import AnalyticsRepository
from reviews.program import rules as program_rules

OVERLAP = (
    "The Exemplary/Sustaining schools are part of the program schools, so this comparison (the seed's) is "
    "descriptive; the comparison with the non-Exemplary schools is the test of independent groups."
)


def _district_of(principal: Principal, scope: schemas.Scope) -> str | None:
    if scope == "district":
        return principal.tenant
    if principal.role is not Role.ANALYST:
        raise Forbidden("Program-wide analytics are for analysts.")
    return None


async def _implementation(session: AsyncSession, district: str | None) -> dict[tuple[str, str], bool]:
    """(district, school) → whether the school is part of a district implementation."""
    repo = AnalyticsRepository(session)
    schools, buildings = await repo.schools(district), await repo.buildings(district)
    counts: dict[str, int] = defaultdict(int)
    for d, _, _ in schools:
        counts[d] += 1
    return {(d, s): program_rules.district_implementation(counts[d], buildings.get(d)) for d, s, _ in schools}


async def district_implementation(
    session: AsyncSession, *, principal: Principal, scope: schemas.Scope
) -> schemas.DistrictImplementation:
    district = _district_of(principal, scope)
    di = await _implementation(session, district)
    recognized = await AnalyticsRepository(session).recognized(district) & set(di)
    others = set(di) - recognized
    k_all, k_rec = sum(di.values()), sum(di[s] for s in recognized)
    k_other, districts = sum(di[s] for s in others), len({d for d, _ in di})
    return schemas.DistrictImplementation(
        scope=scope, schools=len(di), districts=districts,
        program_vs_recognized=rules.compare(
            (k_all, len(di)), (k_rec, len(recognized)), labels=("program schools", "Exemplary/Sustaining"),
            districts=districts, note=OVERLAP,
        ),
        non_recognized_vs_recognized=rules.compare(
            (k_other, len(others)), (k_rec, len(recognized)), labels=("non-Exemplary", "Exemplary/Sustaining"),
            districts=districts,
        ),
    )  # fmt: skip


async def implementation_achievement(
    session: AsyncSession, *, principal: Principal, scope: schemas.Scope
) -> schemas.ImplementationAchievement:
    """Per school, its latest finalized site review with achievement data that year: rubric percent vs percent
    proficient on the summative assessments."""
    district = _district_of(principal, scope)
    repo = AnalyticsRepository(session)
    achievement = await repo.achievement(district)
    latest: dict[tuple[str, str], tuple[float, float]] = {}
    for d, school, year, rubric in await repo.site_review_percents(
        district
    ):  # oldest first: the last one wins
        found = achievement.get((d, school, year))
        if found and rubric is not None:
            latest[(d, school)] = (rubric, found["percent"])
    x, y = [v[0] for v in latest.values()], [v[1] for v in latest.values()]
    result = rules.correlate(x, y, districts=len({d for d, _ in latest}))
    points = [{"implementation": a, "achievement": b} for a, b in latest.values()]
    return schemas.ImplementationAchievement(scope=scope, points=points, **result)


async def trends(session: AsyncSession, *, principal: Principal, scope: schemas.Scope) -> schemas.Trends:
    district = _district_of(principal, scope)
    implementation = {k for k, v in (await _implementation(session, district)).items() if v}
    repo, out = AnalyticsRepository(session), {}
    for group, label in (("year", "school year"), ("training_year", "training year"),
                         ("district_implementation", "district implementation")):  # fmt: skip
        counts, strands, indicators = await repo.trend_cells(district, group, implementation)
        out[group] = [_trend(label, value, n, strands, indicators) for value, n in sorted(counts.items())]
    return schemas.Trends(
        scope=scope,
        method="means over finalized site reviews: per strand percent Proficient+ and points (levels ÷ 3n); "
        "per indicator mean level (0-3) and share Proficient+",
        by_year=out["year"],
        by_training_year=out["training_year"],
        by_district_implementation=out["district_implementation"],
    )


def _trend(group: str, value: str, n: int, strands: list[tuple], indicators: list[tuple]) -> schemas.Trend:
    return schemas.Trend(
        group=group, value=value, n=n,
        strands={s: {"points": p, "percent_proficient": pp} for v, s, p, pp in strands if v == value},
        indicators={i: {"mean_level": m, "share_proficient": sh} for v, i, m, sh in indicators if v == value},
    )  # fmt: skip
