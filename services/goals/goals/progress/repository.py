"""SQL of progress: the results store, the goals a batch touches, entries, points (set-based, per batch)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from plc_shared.db import driver
from pydantic_core import to_json
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from goals import models
from goals.progress import rules

SEP = "\x1f"  # a result's class ids travel as one separated string each (ragged arrays do not unnest)
RESULT_COLUMNS = (
    "result_id", "revision", "student_id", "school_id", "class_ids", "assessment_id", "attempt", "assessed_on",
    "percent", "proficiency_cut", "standards", "voided",
)  # fmt: skip
SUM_COLUMNS = ("numerator", "denominator", "progress_status", "progress_sent_at")
# What a batch works out for a goal depends on: a new version, a settled status, a new baseline (no new version)
# or the classes of a team population change it.
DEFINITION = ("status", "version", "body", "class_ids", "grades")
ENTRY_COLUMNS = (
    "goal_id", "student_id", "result_id", "revision", "role", "assessed_on", "attempt", "percent", "cut",
)  # fmt: skip


def _json(standards: dict[str, tuple[float, float]]) -> str:
    """A fact's standards as stored (id → [percent, cut]): the JSON that json.dumps writes up to spacing and
    escapes (jsonb keeps neither), in a sixth of its time."""
    return to_json(standards).decode()


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def store_results(self, district_id: str, facts: list[rules.Fact]) -> set[uuid.UUID]:
        """Store the latest revision of each result; returns the ids that were newer than what was stored
        (a stale or repeated revision changes nothing). Straight on asyncpg: the stored revisions of the
        batch's results read in one statement, the results not stored yet written by COPY, the newer
        revisions of stored ones by one UPDATE ... FROM unnest(arrays). (A result's revisions come from one
        partition, whose batches the inbox makes one after the other: none is stored meanwhile.)"""
        if not facts:
            return set()
        conn = await driver(self.session)
        stored = dict(
            await conn.fetch(
                "SELECT result_id, revision FROM results WHERE district_id = $1 AND result_id = ANY($2::uuid[])",
                district_id,
                [f.result_id for f in facts],
            )
        )
        new = [f for f in facts if f.result_id not in stored]
        newer = [f for f in facts if f.result_id in stored and stored[f.result_id] < f.revision]
        if new:
            records = [
                (district_id, f.result_id, f.revision, f.student_id, f.school_id, list(f.class_ids), f.assessment_id,
                 f.attempt, None if f.voided else f.assessed_on, f.percent, f.cut,
                 _json(f.standards), f.voided)
                for f in new
            ]  # fmt: skip
            await conn.copy_records_to_table(
                "results", records=records, columns=("district_id", *RESULT_COLUMNS)
            )
        if newer:
            sets = ", ".join(
                f"{c} = u.{c}" for c in RESULT_COLUMNS[1:] if c not in ("class_ids", "standards")
            )
            await conn.execute(
                f"UPDATE results r SET {sets}, class_ids = string_to_array(u.class_ids, E'\\x1f'),"
                " standards = u.standards::jsonb"
                " FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],"
                " $9::date[], $10::float8[], $11::float8[], $12::text[], $13::bool[])"
                f" AS u({', '.join(RESULT_COLUMNS)})"
                " WHERE r.district_id = $1 AND r.result_id = u.result_id AND r.revision < u.revision",
                district_id,
                [f.result_id for f in newer],
                [f.revision for f in newer],
                [f.student_id for f in newer],
                [f.school_id for f in newer],
                [SEP.join(f.class_ids) for f in newer],
                [f.assessment_id for f in newer],
                [f.attempt for f in newer],
                [None if f.voided else f.assessed_on for f in newer],
                [f.percent for f in newer],
                [f.cut for f in newer],
                [_json(f.standards) for f in newer],
                [f.voided for f in newer],
            )
        return {f.result_id for f in new} | {f.result_id for f in newer}

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

    async def active_goals_of(self, district_id: str) -> list[models.Goal]:
        g = models.Goal
        stmt = select(g).where(g.district_id == district_id, g.status == "active").order_by(g.id)
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

    async def lock_rows(self, district_id: str, ids: Iterable[uuid.UUID]) -> list:
        """`lock_goals` as plain rows of what a batch depends on and moves (DEFINITION and SUM_COLUMNS): the
        same locks in the same order, without building the goals' objects again (`take_sums`)."""
        return await (await driver(self.session)).fetch(
            f"SELECT id, {', '.join(DEFINITION + SUM_COLUMNS)} FROM goals"
            " WHERE district_id = $1 AND id = ANY($2::uuid[]) AND status = 'active' ORDER BY id FOR UPDATE",
            district_id,
            list(ids),
        )

    @staticmethod
    def take_sums(goals: dict[uuid.UUID, models.Goal], rows: list) -> None:
        """The loaded goals take the sums and status of their rows read under the lock (as loaded: written back
        only if changed)."""
        for row in rows:
            for column in SUM_COLUMNS:
                set_committed_value(goals[row["id"]], column, row[column])

    async def entries_of_results(self, district_id: str, result_ids: set[uuid.UUID]) -> list[tuple]:
        """(goal, student, result) of the entries of the results (one array, not n values)."""
        return await (await driver(self.session)).fetch(
            "SELECT goal_id, student_id, result_id FROM goal_entries"
            " WHERE district_id = $1 AND result_id = ANY($2::uuid[])",
            district_id,
            list(result_ids),
        )

    async def entries(
        self, district_id: str, pairs: set[tuple[uuid.UUID, str]]
    ) -> list[tuple[uuid.UUID, str, rules.Entry]]:
        """(goal, student, entry) of the (goal, student) pairs: the pairs are sent as two arrays and joined on,
        the rows read as plain tuples (no ORM objects to build for tens of thousands of rows)."""
        if not pairs:
            return []
        goal_ids, students = zip(*pairs, strict=True)
        rows = await (await driver(self.session)).fetch(
            "SELECT e.goal_id, e.student_id, e.result_id, e.revision, e.role, e.assessed_on, e.attempt,"
            " e.percent, e.cut FROM unnest($2::uuid[], $3::text[]) AS p(goal_id, student_id)"
            " JOIN goal_entries e ON e.district_id = $1 AND e.goal_id = p.goal_id AND e.student_id = p.student_id",
            district_id,
            list(goal_ids),
            list(students),
        )
        Entry = rules.Entry
        return [(r[0], r[1], Entry(r[2], r[3], r[4], r[5], r[6], r[7], r[8])) for r in rows]

    async def grades(self, district_id: str, students: set[str]) -> dict[str, frozenset[str]]:
        """The students' grades (one array bound, rows read as plain tuples on asyncpg). A join on the unnested
        ids, not `student_id = ANY($2)`: on a table small enough to be read whole, the planner filtered every row
        through the array one element at a time (11 ms a batch for 5,000 students; now a hash or index join)."""
        rows = await (await driver(self.session)).fetch(
            "SELECT s.student_id, s.grades FROM unnest($2::text[]) AS k(student_id)"
            " JOIN students s ON s.district_id = $1 AND s.student_id = k.student_id",
            district_id,
            list(students),
        )
        return {r[0]: frozenset(r[1]) for r in rows}

    async def save_entries(
        self, district_id: str, entries: list[tuple[uuid.UUID, str, rules.Entry, bool]]
    ) -> None:
        """(goal, student, entry, new?) rows: the new ones by COPY (no SQL, no arrays to encode element by
        element), the others by one INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT DO UPDATE."""
        conn = await driver(self.session)
        new = [(district_id, g, s, e.result_id, e.revision, e.role, e.assessed_on, e.attempt, e.percent, e.cut)
               for g, s, e, fresh in entries if fresh]  # fmt: skip
        if new:
            await conn.copy_records_to_table(
                "goal_entries", records=new, columns=("district_id", *ENTRY_COLUMNS)
            )
        others = [(g, s, e) for g, s, e, fresh in entries if not fresh]
        if not others:
            return
        sets = ", ".join(f"{c} = excluded.{c}" for c in ENTRY_COLUMNS[3:])
        await conn.execute(
            f"INSERT INTO goal_entries (district_id, {', '.join(ENTRY_COLUMNS)}) SELECT $1, u.*"
            " FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::int[], $6::text[], $7::date[], $8::int[],"
            f" $9::float8[], $10::float8[]) AS u({', '.join(ENTRY_COLUMNS)})"
            f" ON CONFLICT (district_id, goal_id, student_id, result_id) DO UPDATE SET {sets}",
            district_id,
            [g for g, _, _ in others],
            [s for _, s, _ in others],
            [e.result_id for _, _, e in others],
            [e.revision for _, _, e in others],
            [e.role for _, _, e in others],
            [e.assessed_on for _, _, e in others],
            [e.attempt for _, _, e in others],
            [e.percent for _, _, e in others],
            [e.cut for _, _, e in others],
        )

    async def clear_entries(self, district_id: str, goal_id: uuid.UUID) -> None:
        e = models.GoalEntry
        await self.session.execute(delete(e).where(e.district_id == district_id, e.goal_id == goal_id))

    async def set_sums(
        self, district_id: str, goal_id: uuid.UUID, numerator: float, denominator: int
    ) -> None:
        g = models.Goal
        await self.session.execute(
            update(g)
            .where(g.district_id == district_id, g.id == goal_id)
            .values(numerator=numerator, denominator=denominator)
        )

    async def save_sums(self, district_id: str, goals: list[models.Goal]) -> None:
        """The moved goals' running sums and progress status in one UPDATE ... FROM unnest (on asyncpg), the
        loaded objects then marked clean for these columns (the ORM would flush them one row at a time)."""
        if not goals:
            return
        await (await driver(self.session)).execute(
            "UPDATE goals g SET numerator = u.numerator, denominator = u.denominator,"
            " progress_status = u.status, progress_sent_at = u.sent_at"
            " FROM unnest($2::uuid[], $3::float8[], $4::int[], $5::text[], $6::timestamptz[])"
            " AS u(id, numerator, denominator, status, sent_at) WHERE g.district_id = $1 AND g.id = u.id",
            district_id,
            [g.id for g in goals],
            [g.numerator for g in goals],
            [g.denominator for g in goals],
            [g.progress_status for g in goals],
            [g.progress_sent_at for g in goals],
        )
        for g in goals:
            for column in SUM_COLUMNS:
                set_committed_value(g, column, getattr(g, column))

    async def results_for(self, district_id: str, assessments: list[str], standard_id: str | None) -> list:
        r = models.Result
        match = r.assessment_id.in_(assessments)
        if standard_id is not None:
            match = match | r.standards.has_key(standard_id)
        stmt = select(r).where(r.district_id == district_id, match)
        return list((await self.session.scalars(stmt)).all())

    async def thresholds(self, district_id: str) -> models.DistrictThresholds | None:
        return await self.session.get(models.DistrictThresholds, district_id)

    async def save_thresholds(self, district_id: str, on_track: float, at_risk: float) -> None:
        table = models.DistrictThresholds.__table__
        values = {"on_track": on_track, "at_risk": at_risk, "updated_at": func.now()}
        stmt = insert(table).values(district_id=district_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["district_id"], set_=values))
