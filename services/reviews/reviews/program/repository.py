"""SQL of program schools and districts, and of the teams and staff learned from events."""

from __future__ import annotations

from plc_shared.db import Repository
from sqlalchemy import func, select

from reviews import models


class ProgramRepository(Repository[models.ProgramSchool]):
    model = models.ProgramSchool

    async def schools(
        self, district_id: str, visible: frozenset[str] | None = None
    ) -> list[models.ProgramSchool]:
        where = [models.ProgramSchool.district_id == district_id, models.ProgramSchool.active]
        if visible is not None:
            where.append(models.ProgramSchool.school_id.in_(visible))
        return await self.list(*where, order_by=(models.ProgramSchool.school_id,))

    async def rostered(self, district_id: str, school_id: str) -> bool:
        return await self.session.get(models.School, (district_id, school_id)) is not None

    async def counts(self, district_id: str) -> tuple[int, int, int | None]:
        """(program schools, rostered active schools, entered building count) of the district."""
        program = select(func.count()).where(
            models.ProgramSchool.district_id == district_id, models.ProgramSchool.active
        )
        roster = select(func.count()).where(
            models.School.district_id == district_id, models.School.status == "active"
        )
        entered = await self.session.get(models.ProgramDistrict, district_id)
        return (
            int(await self.session.scalar(program)),
            int(await self.session.scalar(roster)),
            entered.building_count if entered else None,
        )

    async def teams(self, district_id: str, school_ids: list[str]) -> list[models.Team]:
        stmt = select(models.Team).where(
            models.Team.district_id == district_id, models.Team.school_id.in_(school_ids)
        )
        return list((await self.session.scalars(stmt.order_by(models.Team.team_id))).all())

    async def staff_roles(self, district_id: str, school_ids: list[str]) -> dict[tuple[str, str], str]:
        """(school id, user id) → roster role of the active staff of these schools."""
        stmt = select(models.Staff.school_id, models.Staff.user_id, models.Staff.role).where(
            models.Staff.district_id == district_id,
            models.Staff.school_id.in_(school_ids),
            models.Staff.status == "active",
        )
        return {(s, u): r for s, u, r in (await self.session.execute(stmt)).all()}
