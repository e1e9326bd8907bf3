"""SQL of the analytics: program schools with their districts' counts, recognitions, finalized site reviews and
percent proficient on summative results, for one district or (analysts) the whole program."""

from __future__ import annotations

from typing import Any

from plc_shared.db import Repository
from sqlalchemy import Float, Integer, Text, case, cast, column, func, select, true, tuple_
from sqlalchemy.dialects.postgresql import JSONB

from reviews import models
from reviews.recognition.repository import counted_summative, school_year

PS, R = models.ProgramSchool, models.Review


def _in(column, district: str | None) -> list:
    return [] if district is None else [column == district]


class AnalyticsRepository(Repository[models.ProgramSchool]):
    model = PS

    async def schools(self, district: str | None) -> list[tuple[str, str, int]]:
        stmt = select(PS.district_id, PS.school_id, PS.entry_year).where(
            PS.active, *_in(PS.district_id, district)
        )
        return [
            tuple(r) for r in (await self.session.execute(stmt.order_by(PS.district_id, PS.school_id))).all()
        ]

    async def buildings(self, district: str | None) -> dict[str, int]:
        """Per district: its entered building count, else its rostered active schools."""
        rostered = (
            select(models.School.district_id, func.count().label("n"))
            .where(models.School.status == "active", *_in(models.School.district_id, district))
            .group_by(models.School.district_id)
        )
        found = {d: n for d, n in (await self.session.execute(rostered)).all()}
        entered = select(models.ProgramDistrict.district_id, models.ProgramDistrict.building_count).where(
            models.ProgramDistrict.building_count.is_not(None),
            *_in(models.ProgramDistrict.district_id, district),
        )
        found.update({d: n for d, n in (await self.session.execute(entered)).all()})
        return found

    async def recognized(self, district: str | None) -> set[tuple[str, str]]:
        rec = models.Recognition
        stmt = select(rec.district_id, rec.school_id).where(*_in(rec.district_id, district)).distinct()
        return {tuple(r) for r in (await self.session.execute(stmt)).all()}

    async def site_review_percents(self, district: str | None) -> list[tuple[str, str, int, float | None]]:
        """(district, school, school year, overall percent Proficient+) of the finalized current site reviews,
        oldest first per school (only the figures, not the reviews' ratings and notes)."""
        percent = cast(R.scores["overall"]["percent_proficient"].astext, Float)
        stmt = select(R.district_id, R.school_id, R.school_year, percent).where(
            R.kind == "site",
            R.status == "finalized",
            R.superseded_by_id.is_(None),
            *_in(R.district_id, district),
        )
        stmt = stmt.order_by(R.district_id, R.school_id, R.on, R.created_at)
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]

    async def achievement(self, district: str | None) -> dict[tuple[str, str, int], dict[str, Any]]:
        """(district, school, school year) → percent of the students' summative results at or above their cut
        (each student once per assessment and year: the result that counts), and n."""
        c = counted_summative(*_in(models.Result.district_id, district), per_year=True)
        year = school_year(c.c.assessed_on)
        stmt = select(
            c.c.district_id, c.c.school_id, year,
            cast(func.count().filter(c.c.percent >= c.c.cut), Float) * 100 / func.count(), func.count(),
        ).group_by(c.c.district_id, c.c.school_id, year)  # fmt: skip
        return {
            (d, s, y): {"percent": p, "n": n} for d, s, y, p, n in (await self.session.execute(stmt)).all()
        }

    async def trend_cells(
        self, district: str | None, group: str, implementation: set[tuple[str, str]]
    ) -> tuple[dict[str, int], list[tuple], list[tuple]]:
        """Finalized current site reviews grouped by school year, training year or district implementation
        (`implementation`: the (district, school) pairs that are part of one): n per group, per strand the mean
        points and percent Proficient+, per indicator the mean level and share Proficient+ (SQL aggregates)."""
        key = {
            "year": cast(R.school_year, Text),
            "training_year": R.training_year,
            "district_implementation": case(
                (tuple_(R.district_id, R.school_id).in_(sorted(implementation)), "district implementation"),
                else_="single school",
            ),
        }[group]
        where = (
            R.kind == "site",
            R.status == "finalized",
            R.superseded_by_id.is_(None),
            *_in(R.district_id, district),
        )
        n = select(key, func.count()).where(*where).group_by(key)
        strand = func.jsonb_each(R.scores["strands"]).table_valued(
            column("key", Text), column("value", JSONB)
        )
        strands = (
            select(key, strand.c.key, func.avg(cast(strand.c.value["points"].astext, Float)),
                   func.avg(cast(strand.c.value["percent_proficient"].astext, Float)))
            .select_from(R).join(strand, true()).where(*where).group_by(key, strand.c.key)
        )  # fmt: skip
        rating = func.jsonb_each(R.ratings).table_valued(column("key", Text), column("value", JSONB))
        level = cast(rating.c.value["level"].astext, Integer)
        indicators = (
            select(key, rating.c.key, func.avg(cast(level, Float)), func.avg(cast(level >= 2, Integer).cast(Float)))
            .select_from(R).join(rating, true()).where(*where).group_by(key, rating.c.key)
        )  # fmt: skip
        run = self.session.execute
        return (
            {g: c for g, c in (await run(n)).all()},
            [tuple(r) for r in (await run(strands)).all()],
            [tuple(r) for r in (await run(indicators)).all()],
        )
