"""SQL of the assessments, their objectives and items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plc_shared.db import Repository
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from assessments import models


class AssessmentRepository(Repository[models.Assessment]):
    model = models.Assessment

    async def in_district(self, district_id: str, ids: Sequence[str]) -> list[models.Assessment]:
        a = models.Assessment
        return list(
            (await self.session.scalars(select(a).where(a.district_id == district_id, a.id.in_(ids)))).all()
        )

    async def for_update(self, district_id: str, id_: str) -> models.Assessment | None:
        a = models.Assessment
        stmt = select(a).where(a.district_id == district_id, a.id == id_).with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()

    async def objectives(self, district_id: str, assessment_ids: Sequence[str]) -> list[models.Objective]:
        o = models.Objective
        stmt = select(o).where(o.district_id == district_id, o.assessment_id.in_(set(assessment_ids)))
        return list((await self.session.scalars(stmt.order_by(o.id))).all())

    async def items(self, district_id: str, assessment_ids: Sequence[str]) -> list[models.Item]:
        i = models.Item
        stmt = select(i).where(i.district_id == district_id, i.assessment_id.in_(set(assessment_ids)))
        return list((await self.session.scalars(stmt.order_by(i.id))).all())

    async def replace_structure(
        self, district_id: str, assessment_id: str, objectives: list[dict], items: list[dict]
    ) -> None:
        i, o = models.Item, models.Objective
        await self.session.execute(
            delete(i).where(i.district_id == district_id, i.assessment_id == assessment_id)
        )
        await self.session.execute(
            delete(o).where(o.district_id == district_id, o.assessment_id == assessment_id)
        )
        # Parents come before their children in `objectives` (depth-first), so one insert keeps the FK valid.
        if objectives:
            await self.session.execute(insert(models.Objective), objectives)
        if items:
            await self.session.execute(insert(models.Item), items)

    async def set_status(self, assessment: models.Assessment, status: str, **stamps: Any) -> None:
        await self.session.execute(
            update(models.Assessment)
            .where(
                models.Assessment.district_id == assessment.district_id, models.Assessment.id == assessment.id
            )
            .values(status=status, **stamps)
        )
