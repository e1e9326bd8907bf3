"""SQL of teams and of the roster's staff, classes and grades (as goals learned them from roster events)."""

from __future__ import annotations

import uuid

from plc_shared.db import Repository
from sqlalchemy import func, select, union

from goals import models


class TeamRepository(Repository[models.Team]):
    model = models.Team

    async def staff_roles(self, district_id: str, school_id: str, user_ids: list[str]) -> dict[str, str]:
        """The active staff among `user_ids` at the school, with their roster role."""
        stmt = select(models.Staff.user_id, models.Staff.role).where(
            models.Staff.district_id == district_id,
            models.Staff.school_id == school_id,
            models.Staff.status == "active",
            models.Staff.user_id.in_(set(user_ids)),
        )
        return {u: r for u, r in (await self.session.execute(stmt)).all()}

    async def known_classes(self, district_id: str, school_id: str, class_ids: list[str]) -> set[str]:
        """The active classes of the school among `class_ids`."""
        c = models.RosterClass
        stmt = select(c.class_id).where(
            c.district_id == district_id,
            c.school_id == school_id,
            c.status == "active",
            c.class_id.in_(class_ids),
        )
        return set((await self.session.scalars(stmt)).all())

    async def known_grades(self, district_id: str) -> set[str]:
        """The grades of the district's active students and classes."""
        s, c = models.Student, models.RosterClass
        grades = union(
            select(func.unnest(s.grades)).where(s.district_id == district_id, s.status == "active"),
            select(func.unnest(c.grades)).where(c.district_id == district_id, c.status == "active"),
        )
        return set((await self.session.scalars(select(grades.subquery().c[0]))).all())

    async def of_school(self, district_id: str, school_id: str) -> list[models.Team]:
        return await self.list(
            models.Team.district_id == district_id,
            models.Team.school_id == school_id,
            order_by=(models.Team.kind.desc(), models.Team.name),
        )

    async def leadership(self, district_id: str, school_id: str) -> models.Team | None:
        found = await self.list(
            models.Team.district_id == district_id,
            models.Team.school_id == school_id,
            models.Team.kind == "leadership",
            limit=1,
        )
        return found[0] if found else None

    async def get_team(self, district_id: str, team_id: uuid.UUID) -> models.Team | None:
        return await self.get_in_district(district_id, team_id)
