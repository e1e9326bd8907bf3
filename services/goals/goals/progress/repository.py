"""SQL of progress: the results store, the goals a batch touches, entries, points (set-based, per batch)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Text, Uuid, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models

CHUNK = 5_000


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def store_results(self, rows: list[dict[str, Any]]) -> set[tuple[str, uuid.UUID]]:
        """Upsert the latest revision of each result; returns the keys that were newer than what was stored
        (a stale or repeated revision changes nothing)."""
        table = models.Result.__table__
        done: set[tuple[str, uuid.UUID]] = set()
        for start in range(0, len(rows), CHUNK):
            stmt = insert(table)
            columns = {
                c.name: stmt.excluded[c.name] for c in table.c if c.name not in ("district_id", "result_id")
            }
            stmt = stmt.on_conflict_do_update(
                index_elements=["district_id", "result_id"],
                set_=columns,
                where=table.c.revision < stmt.excluded.revision,
            ).returning(table.c.district_id, table.c.result_id)
            done.update(
                tuple(r) for r in (await self.session.execute(stmt, rows[start : start + CHUNK])).all()
            )
        return done

    async def active_goals(
        self, district_id: str, assessments: set[str], standards: set[str]
    ) -> list[models.Goal]:
        g = models.Goal
        stmt = select(g).where(
            g.district_id == district_id,
            g.status == "active",
            g.assessment_ids.overlap(sorted(assessments)) | g.standard_id.in_(sorted(standards)),
        )
        return list((await self.session.scalars(stmt)).all())

    async def goals(self, district_id: str, ids: Iterable[uuid.UUID]) -> list[models.Goal]:
        g = models.Goal
        stmt = select(g).where(g.district_id == district_id, g.id.in_(set(ids)), g.status == "active")
        return list((await self.session.scalars(stmt)).all())

    async def lock_goals(self, district_id: str, ids: Iterable[uuid.UUID]) -> list[models.Goal]:
        """The active goals among `ids`, locked for this transaction in id order and read again: replicas of
        the consumer move the same goals' running sums from different partitions, so a batch reads and
        writes a goal's sums while holding its row (no lost update; one order, so no deadlock)."""
        g = models.Goal
        stmt = (
            select(g)
            .where(g.district_id == district_id, g.id.in_(set(ids)), g.status == "active")
            .order_by(g.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def entry_pairs_of_results(self, district_id: str, result_ids: set[uuid.UUID]) -> set[tuple]:
        e = models.GoalEntry
        ids = bindparam("result_ids", list(result_ids), type_=ARRAY(Uuid))  # one array, not n bound values
        stmt = select(e.goal_id, e.student_id).where(
            e.district_id == district_id, e.result_id == func.any(ids)
        )
        return {tuple(r) for r in (await self.session.execute(stmt)).all()}

    async def entries(self, district_id: str, pairs: set[tuple[uuid.UUID, str]]) -> list[models.GoalEntry]:
        """The entries of the (goal, student) pairs: the pairs are sent as two arrays and joined on (a list of
        thousands of bound tuples costs more to compile than to run)."""
        if not pairs:
            return []
        e = models.GoalEntry
        goal_ids, students = zip(*pairs, strict=True)
        wanted = select(
            func.unnest(bindparam("goal_ids", list(goal_ids), type_=ARRAY(Uuid))).label("goal_id"),
            func.unnest(bindparam("students", list(students), type_=ARRAY(Text))).label("student_id"),
        ).subquery()
        stmt = (
            select(e)
            .join(wanted, (e.goal_id == wanted.c.goal_id) & (e.student_id == wanted.c.student_id))
            .where(e.district_id == district_id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def grades(self, district_id: str, students: set[str]) -> dict[str, frozenset[str]]:
        s = models.Student
        ids = bindparam("students", list(students), type_=ARRAY(Text))
        stmt = select(s.student_id, s.grades).where(
            s.district_id == district_id, s.student_id == func.any(ids)
        )
        return {k: frozenset(v) for k, v in (await self.session.execute(stmt)).all()}

    async def save_entries(self, rows: list[dict[str, Any]]) -> None:
        table = models.GoalEntry.__table__
        for start in range(0, len(rows), CHUNK):
            stmt = insert(table)
            keys = ("district_id", "goal_id", "student_id", "result_id")
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys),
                set_={c.name: stmt.excluded[c.name] for c in table.c if c.name not in keys},
            )
            await self.session.execute(stmt, rows[start : start + CHUNK])

    async def clear_entries(self, district_id: str, goal_id: uuid.UUID) -> None:
        e = models.GoalEntry
        await self.session.execute(delete(e).where(e.district_id == district_id, e.goal_id == goal_id))

    async def save_point(
        self, district_id: str, goal_id: uuid.UUID, on: date, version: int, value, n: int
    ) -> None:
        table = models.ProgressPoint.__table__
        stmt = insert(table).values(
            district_id=district_id, goal_id=goal_id, on=on, version=version, value=value, n=n
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["district_id", "goal_id", "on"], set_={"version": version, "value": value, "n": n}
        )
        await self.session.execute(stmt)

    async def save_points(self, district_id: str, rows: list[dict[str, Any]]) -> None:
        """Upsert a point per goal (one statement for the batch)."""
        if not rows:
            return
        table = models.ProgressPoint.__table__
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["district_id", "goal_id", "on"],
            set_={c: stmt.excluded[c] for c in ("version", "value", "n")},
        )
        await self.session.execute(stmt, [{"district_id": district_id, **r} for r in rows])

    async def points(self, district_id: str, goal_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[tuple]]:
        p = models.ProgressPoint
        stmt = (
            select(p.goal_id, p.on, p.value, p.n, p.version)
            .where(p.district_id == district_id, p.goal_id.in_(set(goal_ids)))
            .order_by(p.goal_id, p.on)
        )
        out: dict[uuid.UUID, list[tuple]] = {}
        for goal_id, on, value, n, version in (await self.session.execute(stmt)).all():
            out.setdefault(goal_id, []).append((on, value, n, version))
        return out

    async def set_sums(
        self, district_id: str, goal_id: uuid.UUID, numerator: float, denominator: int
    ) -> None:
        g = models.Goal
        await self.session.execute(
            update(g)
            .where(g.district_id == district_id, g.id == goal_id)
            .values(numerator=numerator, denominator=denominator)
        )

    async def results_for(self, district_id: str, assessments: list[str], standard_id: str | None) -> list:
        r = models.Result
        match = r.assessment_id.in_(assessments)
        if standard_id is not None:
            match = match | r.standards.has_key(standard_id)
        stmt = select(r).where(r.district_id == district_id, match)
        return list((await self.session.scalars(stmt)).all())

    async def count_points(self, district_id: str, goal_ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
        p = models.ProgressPoint
        stmt = (
            select(p.goal_id, func.count())
            .where(p.district_id == district_id, p.goal_id.in_(goal_ids))
            .group_by(p.goal_id)
        )
        return {k: v for k, v in (await self.session.execute(stmt)).all()}

    async def cycle_starts(self, district_id: str, goal_id: uuid.UUID) -> list[tuple[date, str]]:
        """When each of the goal's PDSA cycles started (its Do date, else when it was planned) and its phase."""
        c = models.Cycle
        stmt = select(c.started_on, c.created_at, c.phase).where(
            c.district_id == district_id, c.goal_id == goal_id
        )
        rows = (await self.session.execute(stmt)).all()
        return sorted((on or created.date(), phase) for on, created, phase in rows)

    async def thresholds(self, district_id: str) -> models.DistrictThresholds | None:
        return await self.session.get(models.DistrictThresholds, district_id)

    async def save_thresholds(self, district_id: str, on_track: float, at_risk: float) -> None:
        table = models.DistrictThresholds.__table__
        values = {"on_track": on_track, "at_risk": at_risk, "updated_at": func.now()}
        stmt = insert(table).values(district_id=district_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["district_id"], set_=values))

    async def version_bodies(self, district_id: str, goal_id) -> list[tuple[int, dict]]:
        v = models.GoalVersion
        stmt = (
            select(v.version, v.body)
            .where(v.district_id == district_id, v.goal_id == goal_id)
            .order_by(v.version)
        )
        return [tuple(r) for r in (await self.session.execute(stmt)).all()]
