"""SQL of the support-exit measure: students' support states and the goals measuring it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.support import rules


class SupportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def states(self, district_id: str, students: set[str]) -> dict[str, rules.State]:
        s = models.SupportState
        stmt = select(s).where(s.district_id == district_id, s.student_id.in_(students))
        rows = (await self.session.scalars(stmt)).all()
        return {r.student_id: rules.from_json(r.student_id, r.school_id, r.flags, r.exits) for r in rows}

    async def states_of_school(self, district_id: str, school_id: str) -> list[rules.State]:
        s = models.SupportState
        stmt = select(s).where(s.district_id == district_id, s.school_id == school_id)
        rows = (await self.session.scalars(stmt)).all()
        return [rules.from_json(r.student_id, r.school_id, r.flags, r.exits) for r in rows]

    async def save_states(self, district_id: str, states: list[rules.State]) -> None:
        if not states:
            return
        rows = []
        for state in states:
            flags, exits = rules.to_json(state)
            rows.append(
                {"district_id": district_id, "student_id": state.student_id, "school_id": state.school_id,
                 "flags": flags, "exits": exits}
            )  # fmt: skip
        stmt = insert(models.SupportState.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["district_id", "student_id"],
            set_={c: stmt.excluded[c] for c in ("school_id", "flags", "exits")},
        )
        # RETURNING: the rows go as multi-row VALUES statements ("insertmanyvalues"), not one execution per
        # student; a student occurs once in `states`.
        await self.session.execute(stmt.returning(models.SupportState.__table__.c.student_id), rows)

    async def active_goals(self, district_id: str, schools: set[str]) -> list[models.Goal]:
        g = models.Goal
        stmt = select(g).where(
            g.district_id == district_id,
            g.status == "active",
            g.school_id.in_(schools),
            g.body["measure"]["kind"].astext == rules.KIND,
        )
        return list((await self.session.scalars(stmt)).all())
