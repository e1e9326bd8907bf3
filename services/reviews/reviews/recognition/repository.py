"""SQL of recognitions, narratives, state results and the achievement criterion (from result events)."""

from __future__ import annotations

from plc_shared.db import Repository
from sqlalchemy import Float, Integer, Text, and_, cast, extract, func, select
from sqlalchemy.dialects.postgresql import distinct_on

from reviews import models

R = models.Review


def school_year(on):
    """The school year (July to June) of a date column, as the year it starts in."""
    return cast(extract("year", on - func.make_interval(0, 6)), Integer)


def counted_summative(*where, per_year: bool = False):
    """The summative results that count (`plc_shared.counting`): per student and assessment (and school year),
    the latest live scored one by assessment date, then attempt, then result id. Exempt results arrive
    without a percent. Results stored before their student was kept (no `student_id`) count each alone."""
    res, a = models.Result, models.Assessment
    who = func.coalesce(res.student_id, cast(res.result_id, Text))
    keys = [res.district_id, res.assessment_id, who, *([school_year(res.assessed_on)] if per_year else [])]
    stmt = (
        select(res.district_id, res.school_id, res.assessed_on, res.percent, res.cut)
        .join(a, and_(a.district_id == res.district_id, a.assessment_id == res.assessment_id))
        .where(a.kind == "common_summative", ~res.voided, res.percent.is_not(None), *where)
        .ext(distinct_on(*keys))
        .order_by(*keys, res.assessed_on.desc(), res.attempt.desc(), res.result_id.desc())
    )
    return stmt.subquery()


class RecognitionRepository(Repository[models.Recognition]):
    model = models.Recognition

    async def of_school(self, district_id: str, school_id: str) -> list[models.Recognition]:
        return await self.list(
            models.Recognition.district_id == district_id,
            models.Recognition.school_id == school_id,
            order_by=(models.Recognition.school_year, models.Recognition.recognized_at),
        )

    async def of_district(self, district_id: str) -> list[models.Recognition]:
        return await self.list(
            models.Recognition.district_id == district_id,
            order_by=(models.Recognition.school_id, models.Recognition.school_year),
        )

    async def latest_site_review(self, district_id: str, school_id: str) -> models.Review | None:
        stmt = (
            select(R)
            .where(
                R.district_id == district_id,
                R.school_id == school_id,
                R.kind == "site",
                R.status == "finalized",
                R.superseded_by_id.is_(None),
            )
            .order_by(R.on.desc(), R.created_at.desc())
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    async def narrative(self, district_id: str, school_id: str, year: int) -> bool:
        return await self.session.get(models.Narrative, (district_id, school_id, year)) is not None

    async def state_result(self, district_id: str, school_id: str, year: int) -> models.StateResult | None:
        return await self.session.get(models.StateResult, (district_id, school_id, year))

    async def percent_proficient(
        self, district_id: str, school_id: str, year: int
    ) -> tuple[float | None, int]:
        """Percent of the school's students' summative results of the school year at or above their cut, and n
        (each student once per assessment: the result that counts)."""
        counted = counted_summative(
            models.Result.district_id == district_id,
            models.Result.school_id == school_id,
            models.Result.assessed_on >= func.make_date(year, 7, 1),
            models.Result.assessed_on < func.make_date(year + 1, 7, 1),
        )
        proficient = func.count().filter(counted.c.percent >= counted.c.cut)
        stmt = select(cast(proficient, Float) * 100 / func.nullif(func.count(), 0), func.count())
        value, n = (await self.session.execute(stmt.select_from(counted))).one()
        return (float(value) if value is not None else None), int(n)

    async def goals_achieved(self, district_id: str, school_id: str, year: int) -> tuple[float | None, int]:
        """Percent of the school's goals decided (achieved or missed) in the school year that were achieved."""
        g = models.Goal
        stmt = select(
            cast(func.count().filter(g.status == "achieved"), Float) * 100 / func.nullif(func.count(), 0), func.count()
        ).where(
            g.district_id == district_id, g.school_id == school_id, g.status.in_(("achieved", "missed")),
            g.decided_on >= func.make_date(year, 7, 1), g.decided_on < func.make_date(year + 1, 7, 1),
        )  # fmt: skip
        value, n = (await self.session.execute(stmt)).one()
        return (float(value) if value is not None else None), int(n)
