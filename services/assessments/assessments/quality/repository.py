"""SQL of assessments' quality ratings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models


class QualityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ratings(self, district_id: str, assessment_ids: Sequence[str]) -> list[models.QualityRating]:
        q = models.QualityRating
        stmt = select(q).where(q.district_id == district_id, q.assessment_id.in_(list(assessment_ids)))
        return list((await self.session.scalars(stmt)).all())

    def add(self, row: models.QualityRating) -> None:
        self.session.add(row)
