"""SQL of recognitions, narratives, state results and the achievement criterion (from result events)."""

from __future__ import annotations

from plc_shared.db import Repository
from sqlalchemy import Float, and_, cast, func, select

from reviews import models

R = models.Review


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
        """Percent of the school's summative results of the school year at or above their cut, and n."""
        res, a = models.Result, models.Assessment
        proficient = func.count().filter(res.percent >= res.cut)
        stmt = (
            select(cast(proficient, Float) * 100 / func.nullif(func.count(), 0), func.count())
            .select_from(res)
            .join(a, and_(a.district_id == res.district_id, a.assessment_id == res.assessment_id))
            .where(
                res.district_id == district_id,
                res.school_id == school_id,
                a.kind == "common_summative",
                ~res.voided,
                res.percent.is_not(None),
                res.assessed_on >= func.make_date(year, 7, 1),
                res.assessed_on < func.make_date(year + 1, 7, 1),
            )
        )
        value, n = (await self.session.execute(stmt)).one()
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
