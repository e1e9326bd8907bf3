"""SQL of the results. Set-based statements for everything that handles many rows at once.

The result ingestion path (tens of thousands of rows per request) talks to asyncpg directly inside the request's
transaction: one `unnest` upsert and one COPY instead of thousands of bound statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from plc_shared.db import Repository, driver
from sqlalchemy import any_, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models

RESULT_COLUMNS = (
    "id",
    "assessment_id",
    "student_id",
    "attempt",
    "district_id",
    "school_id",
    "class_ids",
    "score_status",
    "total_score",
    "percent",
    "performance_level",
    "objective_scores",
    "item_scores",
    "standard_scores",
    "assessed_on",
    "recorded_at",
    "source_modified_at",
    "sourced_id",
    "text_score",
    "comment",
)
_RESULT_TYPES = (
    "uuid",
    "text",
    "text",
    "int",
    "text",
    "text",
    "text",  # class ids joined with \x1f (unnest cannot take ragged 2-D arrays)
    "text",
    "float8",
    "float8",
    "text",
    "text",  # the three JSON documents as text, cast to jsonb in the SELECT
    "text",
    "text",
    "date",
    "timestamptz",
    "timestamptz",
    "text",
    "text",
    "text",
)
_SELECT_CASTS = {
    "class_ids": "CASE WHEN u.class_ids = '' THEN '{}'::text[] ELSE string_to_array(u.class_ids, chr(31)) END",
    "objective_scores": "u.objective_scores::jsonb",
    "item_scores": "u.item_scores::jsonb",
    "standard_scores": "u.standard_scores::jsonb",
}
_CLASS_IDS = RESULT_COLUMNS.index("class_ids")
_SEP = "\x1f"
_UPDATED = [c for c in RESULT_COLUMNS if c not in ("id", "assessment_id", "student_id", "attempt")]
# A write without a source time keeps the stored one (so an older timed re-send is still recognised).
_SET = {
    "source_modified_at": "source_modified_at = COALESCE(excluded.source_modified_at, results.source_modified_at)",
    # A native write (no sourcedId) keeps the OneRoster identity of the result it corrects.
    "sourced_id": "sourced_id = COALESCE(excluded.sourced_id, results.sourced_id)",
}
UPSERT_RESULTS = (
    f"INSERT INTO results ({', '.join(RESULT_COLUMNS)}, revision, voided_at)"
    f" SELECT {', '.join(_SELECT_CASTS.get(c, 'u.' + c) for c in RESULT_COLUMNS)}, 1, NULL"
    f" FROM unnest({', '.join(f'${i + 1}::{t}[]' for i, t in enumerate(_RESULT_TYPES))})"
    f" AS u({', '.join(RESULT_COLUMNS)})"
    " ON CONFLICT (district_id, assessment_id, student_id, attempt) DO UPDATE SET "
    + ", ".join(_SET.get(c, f"{c} = excluded.{c}") for c in _UPDATED)
    + ", revision = results.revision + 1, voided_at = NULL"
    " RETURNING id, assessment_id, student_id, attempt, revision, (xmax = 0) AS inserted"
)
# The stored results of the keys, locked in id order (two bulk uploads lock their common results in the same order).
# Each key is looked up in the natural-key index (LATERAL ... OFFSET 0 keeps it a nested loop): a plain join of
# unnest() with results was planned as a hash join over every result of the district, read at every upload
# (0.4-1.1 s at 150,000 results, spilling to disk), where the lookups cost the upload's own rows.
SELECT_EXISTING = (
    "SELECT r.id, r.assessment_id, r.student_id, r.attempt, r.school_id, r.score_status, r.total_score,"
    " r.objective_scores, r.item_scores, r.assessed_on, r.revision, r.voided_at, r.source_modified_at,"
    " r.sourced_id, r.text_score, r.comment"
    " FROM results r WHERE r.id = ANY(ARRAY("
    "SELECT f.id FROM unnest($2::text[], $3::text[], $4::int[]) AS k(a, s, n) CROSS JOIN LATERAL"
    " (SELECT x.id FROM results x WHERE x.district_id = $1 AND x.assessment_id = k.a AND x.student_id = k.s"
    " AND x.attempt = k.n OFFSET 0) AS f))"
    " ORDER BY r.id FOR UPDATE OF r"
)


# Whether the district stores any result of these (assessment, attempt) pairs (each pair a range of the natural-key
# index, stopping at its first row): when none, none of an upload's keys is stored and SELECT_EXISTING (50,000
# index lookups for 50,000 rows, the longest read before the first COPY) is not needed. Not a lock: a key a
# concurrent request inserts after it is the race insert_new already handles (its COPY fails, the upsert runs).
# From this many keys on (below, their index lookups cost less than reading an assessment's range of the index).
ANY_STORED_FROM = 1_000
ANY_STORED = (
    "SELECT EXISTS (SELECT FROM unnest($2::text[], $3::int[]) AS p(a, n) CROSS JOIN LATERAL"
    " (SELECT FROM results r WHERE r.district_id = $1 AND r.assessment_id = p.a AND r.attempt = p.n LIMIT 1) f)"
)


class ResultRepository(Repository[models.Result]):
    model = models.Result

    async def by_key(
        self, district_id: str, assessment_id: str, student_id: str, attempt: int
    ) -> models.Result | None:
        stmt = select(models.Result).where(
            models.Result.district_id == district_id,
            models.Result.assessment_id == assessment_id,
            models.Result.student_id == student_id,
            models.Result.attempt == attempt,
        )
        # Results are written through asyncpg directly: never trust a copy already in the identity map.
        stmt = stmt.execution_options(populate_existing=True)
        return (await self.session.scalars(stmt)).one_or_none()

    async def students(self, district_id: str, ids: Sequence[str]) -> dict[str, asyncpg.Record]:
        conn = await driver(self.session)
        rows = await conn.fetch(
            "SELECT sourced_id, school_ids FROM students"
            " WHERE sourced_id = ANY($1::text[]) AND district_id = $2 AND status = 'active'",
            list(ids),
            district_id,
        )
        return {r["sourced_id"]: r for r in rows}

    async def student_classes(self, district_id: str, ids: Sequence[str]) -> dict[tuple[str, str], list[str]]:
        """(student, school) -> the student's active class enrollments in that school."""
        conn = await driver(self.session)
        rows = await conn.fetch(
            "SELECT user_id, school_id, class_id FROM enrollments"
            " WHERE user_id = ANY($1::text[]) AND district_id = $2 AND role = 'student' AND status = 'active'"
            " ORDER BY class_id",
            list(ids),
            district_id,
        )
        classes: dict[tuple[str, str], list[str]] = {}
        for r in rows:
            classes.setdefault((r["user_id"], r["school_id"]), []).append(r["class_id"])
        return classes

    async def existing(
        self, district_id: str, keys: Sequence[tuple[str, str, int]]
    ) -> dict[tuple, asyncpg.Record]:
        """The district's stored results for these natural keys, locked until the transaction ends."""
        if not keys:
            return {}
        conn = await driver(self.session)
        if len(keys) >= ANY_STORED_FROM:
            pairs = list({(k[0], k[2]) for k in keys})
            if not await conn.fetchval(ANY_STORED, district_id, [p[0] for p in pairs], [p[1] for p in pairs]):
                return {}  # nothing stored for these assessments' attempts: none of the keys can be
        columns = list(zip(*keys, strict=True))
        rows = await conn.fetch(SELECT_EXISTING, district_id, *(list(c) for c in columns))
        return {(r["assessment_id"], r["student_id"], r["attempt"]): r for r in rows}

    async def upsert(self, rows: Sequence[Sequence[Any]]) -> list[asyncpg.Record]:
        """Rows in RESULT_COLUMNS order; returns id, key, revision and whether the row was inserted."""
        if not rows:
            return []
        conn = await driver(self.session)
        columns = [list(c) for c in zip(*rows, strict=True)]
        columns[_CLASS_IDS] = [_SEP.join(ids) for ids in columns[_CLASS_IDS]]
        return await conn.fetch(UPSERT_RESULTS, *columns)

    async def set_sourced_ids(self, district_id: str, pairs: Sequence[tuple[uuid.UUID, str]]) -> None:
        """Give unchanged results (written before without one) their OneRoster sourcedId: no new revision."""
        conn = await driver(self.session)
        await conn.execute(
            "UPDATE results r SET sourced_id = u.s FROM unnest($2::uuid[], $3::text[]) AS u(i, s)"
            " WHERE r.district_id = $1 AND r.id = u.i",
            district_id,
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )

    async def identities(
        self, district_id: str, sourced_ids: Sequence[str], keys: Sequence[tuple[str, str]]
    ) -> list[asyncpg.Record]:
        """The district's results that have one of these sourcedIds or one of these (assessment, student)
        keys: what a OneRoster write needs to find each result's attempt (results.service.assign_attempts)."""
        conn = await driver(self.session)
        return await conn.fetch(
            "SELECT r.sourced_id, r.assessment_id, r.student_id, r.attempt, r.voided_at FROM results r"
            " WHERE r.district_id = $1 AND (r.sourced_id = ANY($2::text[]) OR (r.assessment_id, r.student_id)"
            " IN (SELECT * FROM unnest($3::text[], $4::text[])))"
            " ORDER BY r.assessment_id, r.student_id, r.attempt",
            district_id,
            list(sourced_ids),
            [k[0] for k in keys],
            [k[1] for k in keys],
        )

    async def insert_new(self, rows: Sequence[Sequence[Any]]) -> bool:
        """COPY rows whose keys did not exist (revision 1): much cheaper than the upsert. False, with nothing
        written, when a concurrent request inserted one of the keys meanwhile (the caller upserts instead)."""
        if not rows:
            return True
        conn = await driver(self.session)
        savepoint = conn.transaction()  # nested in the request's transaction: a SAVEPOINT
        await savepoint.start()
        try:
            await conn.copy_records_to_table(
                "results", records=[(*r, 1) for r in rows], columns=[*RESULT_COLUMNS, "revision"]
            )
        except asyncpg.UniqueViolationError:
            await savepoint.rollback()
            return False
        except BaseException:
            await savepoint.rollback()
            raise
        await savepoint.commit()
        return True

    async def for_assessment(
        self,
        district_id: str,
        assessment_id: str,
        *,
        scope: Sequence[Any],
        class_id: str | None,
        limit: int,
        offset: int = 0,
        after: tuple[str, int] | None = None,
    ) -> list[models.Result]:
        """`scope`: the conditions of what the caller may see (assessments.auth.result_scope). In (student,
        attempt) order: `after` (keyset) starts past that key, read from the (district, assessment, student,
        attempt) index, so a page costs its own rows whatever its place; `offset` (kept for existing readers)
        reads and skips every row before the page."""
        r = models.Result
        stmt = select(r).where(r.district_id == district_id, r.assessment_id == assessment_id)
        stmt = stmt.where(r.voided_at.is_(None), *scope)
        if class_id:
            stmt = stmt.where(literal(class_id) == any_(r.class_ids))
        if after is not None:
            stmt = stmt.where(tuple_(r.student_id, r.attempt) > tuple_(literal(after[0]), literal(after[1])))
        stmt = stmt.order_by(r.student_id, r.attempt).limit(limit).offset(offset)
        return list((await self.session.scalars(stmt)).all())

    async def void(self, result_id: uuid.UUID, voided_at: Any) -> int:
        stmt = (
            update(models.Result)
            .where(models.Result.id == result_id)
            .values(voided_at=voided_at, revision=models.Result.revision + 1)
            .returning(models.Result.revision)
        )
        return (await self.session.execute(stmt)).scalar_one()


class OutboxWriter:
    """Prepared outbox rows (plc_shared.outbox.OUTBOX_COLUMNS order) into the request's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def copy(self, rows: list[tuple]) -> None:
        await models.outbox.write(self.session, rows)


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, district_id: str, key: str, request_hash: str) -> models.IdempotencyKey | None:
        """Reserve the key in this transaction; a concurrent request with the same key waits here until the
        first one commits, then gets the stored row (None when this request is the first)."""
        stmt = (
            insert(models.IdempotencyKey)
            .values(district_id=district_id, key=key, request_hash=request_hash)
            .on_conflict_do_nothing()
            .returning(models.IdempotencyKey.key)
        )
        if (await self.session.execute(stmt)).first() is not None:
            return None
        stored = select(models.IdempotencyKey).where(
            models.IdempotencyKey.district_id == district_id, models.IdempotencyKey.key == key
        )
        return (await self.session.scalars(stored.execution_options(populate_existing=True))).one()

    async def save(self, district_id: str, key: str, status_code: int, response: dict[str, Any]) -> None:
        await self.session.execute(
            update(models.IdempotencyKey)
            .where(models.IdempotencyKey.district_id == district_id, models.IdempotencyKey.key == key)
            .values(status_code=status_code, response=response)
        )
