"""SQL of the OneRoster bindings: results by their OneRoster sourcedId, and a bulk file's retirement of the
district's rows it does not name."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models


class GradebookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_sourced_id(self, district_id: str, sourced_id: str) -> models.Result | None:
        r = models.Result
        stmt = select(r).where(r.district_id == district_id, r.sourced_id == sourced_id)
        return (await self.session.scalars(stmt)).one_or_none()

    async def results(
        self,
        district_id: str,
        kinds: Sequence[str],
        *,
        schools: frozenset[str] | None,
        limit: int,
        offset: int,
    ) -> list[models.Result]:
        """Live results written through the binding (they have a sourcedId) on line items of these kinds."""
        r = models.Result
        stmt = (
            select(r)
            .join(
                models.Assessment,
                (models.Assessment.district_id == r.district_id) & (models.Assessment.id == r.assessment_id),
            )
            .where(
                r.district_id == district_id,
                r.sourced_id.is_not(None),
                r.voided_at.is_(None),
                models.Assessment.kind.in_(kinds),
            )
            .order_by(r.recorded_at, r.id)
            .limit(limit)
            .offset(offset)
        )
        if schools is not None:
            stmt = stmt.where(r.school_id.in_(schools))
        return list((await self.session.scalars(stmt)).all())


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def retire(self, model: type[models.Base], district_id: str, kept: list[str]) -> None:
        """A bulk file is the whole set: the district's rows it does not name are marked tobedeleted."""
        await self.session.execute(
            text(
                f"UPDATE {model.__tablename__} SET status = 'tobedeleted'"
                " WHERE district_id = :d AND NOT (sourced_id = ANY(:kept))"
            ),
            {"d": district_id, "kept": kept},
        )
