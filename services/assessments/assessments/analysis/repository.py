"""SQL of the analysis: an assessment's live results (every attempt: the rules pick the one that counts per
student and figure) as the aggregation reads them, and class teachers."""

from __future__ import annotations

from typing import Any

from plc_shared import counting
from plc_shared.db import driver
from sqlalchemy import ARRAY, Text, any_, bindparam, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models


class AnalysisRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_analysis(
        self,
        district_id: str,
        assessment_id: str,
        *,
        schools: frozenset[str] | None,
        school_id: str | None = None,
        class_id: str | None = None,
        grade: str | None = None,
        student_ids: list[str] | None = None,
    ) -> list[Any]:
        """The live results (every attempt) of the assessment, as the filters and the caller's schools keep them;
        `student_ids`: only theirs."""
        r = models.Result
        stmt = select(
            r.id,
            r.attempt,
            r.assessed_on,
            r.score_status,
            r.student_id,
            r.school_id,
            r.class_ids,
            r.percent,
            r.performance_level,
            r.standard_scores,
            r.item_scores,
        ).where(r.district_id == district_id, r.assessment_id == assessment_id, r.voided_at.is_(None))
        if schools is not None:
            stmt = stmt.where(r.school_id.in_(schools))
        if school_id:
            stmt = stmt.where(r.school_id == school_id)
        if class_id:
            stmt = stmt.where(literal(class_id) == any_(r.class_ids))
        if student_ids is not None:
            stmt = stmt.where(r.student_id == any_(bindparam("students", student_ids, type_=ARRAY(Text))))
        if grade:
            s = models.Student
            stmt = stmt.join(s, (s.district_id == r.district_id) & (s.sourced_id == r.student_id)).where(
                literal(grade) == any_(models.Student.grades)
            )
        return list((await self.session.execute(stmt)).all())

    async def aggregates(
        self,
        district_id: str,
        assessment_id: str,
        *,
        schools: frozenset[str] | None,
        school_id: str | None,
        class_id: str | None,
        grade: str | None,
    ) -> list[Any]:
        """The counting values per figure (AGGREGATES), one row per figure and key."""
        conn = await driver(self.session)
        visible = sorted(schools) if schools is not None else None
        return await conn.fetch(
            AGGREGATES,
            district_id,
            assessment_id,
            visible,
            school_id,
            class_id,
            grade,
            sorted(counting.NOT_COUNTED_STATUSES),
        )

    # --- the standings (analysis_students), kept as results change ---------------------------------------

    async def take_stale(self, district_id: str, assessment_id: str) -> list[str]:
        """The assessment's students whose standing is stale, taken (the rows deleted in this transaction). A
        job computing some of them holds their rows: this waits for it, then sees its standings."""
        conn = await driver(self.session)
        return [row[0] for row in await conn.fetch(TAKE_STALE, district_id, assessment_id)]

    async def claim_stale(self, limit: int) -> list[tuple[str, str, str]]:
        """Up to `limit` stale (district, assessment, student) keys no other transaction holds, taken."""
        conn = await driver(self.session)
        return [tuple(row) for row in await conn.fetch(CLAIM_STALE, limit)]

    async def lock_standings(self, district_id: str, assessment_id: str) -> None:
        """Until this transaction ends, no other computes standings of the assessment: a key can be stale twice
        (the triggers only append), and two transactions computing it at once would insert it twice."""
        conn = await driver(self.session)
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))", district_id,
                           assessment_id)  # fmt: skip

    async def replace_standings(
        self, district_id: str, assessment_id: str, student_ids: list[str], standings: list[dict[str, Any]]
    ) -> None:
        """The standings of `student_ids` on the assessment become `standings` (a student without live
        results has none)."""
        conn = await driver(self.session)
        await conn.execute(
            "DELETE FROM analysis_students WHERE district_id = $1 AND assessment_id = $2"
            " AND student_id = ANY($3::text[])",
            district_id,
            assessment_id,
            student_ids,
        )
        if standings:
            await conn.copy_records_to_table(
                "analysis_students",
                columns=STANDING_COLUMNS,
                records=[
                    (district_id, assessment_id, *(s[c] for c in STANDING_COLUMNS[2:])) for s in standings
                ],
            )

    async def standing_aggregates(
        self, district_id: str, assessment_id: str, grade: str | None, *, with_ids: bool
    ) -> list[Any]:
        """The counting values per figure from the standings (STANDING_AGGREGATES), one row per figure and key;
        `with_ids`: each standard's students too."""
        conn = await driver(self.session)
        return await conn.fetch(STANDING_AGGREGATES, district_id, assessment_id, grade, with_ids)

    async def records(self, district_id: str, assessment_id: str, grade: str | None) -> Any:
        """The students' ids (`ids`) and records (`records`: one JSON array of the stored texts), by id."""
        conn = await driver(self.session)
        return await conn.fetchrow(RECORDS, district_id, assessment_id, grade)

    async def teachers(self, district_id: str, class_ids: set[str]) -> dict[str, list[str]]:
        if not class_ids:
            return {}
        c = models.Class
        stmt = select(c.sourced_id, c.teacher_ids).where(
            c.district_id == district_id, c.sourced_id.in_(class_ids)
        )
        return {row[0]: list(row[1]) for row in await self.session.execute(stmt)}


# The aggregate analysis as one set-based statement (issue 25): PostgreSQL picks, per student, the attempt that
# counts for each figure (plc_shared.counting: the latest live attempt, not exempt, that scored it: DISTINCT ON
# ordered by assessed_on, attempt, id) and groups the picked values per figure into arrays ordered by student;
# analysis.rules computes the figures from them with the same formulas as from the rows (rules.aggregates).
# Only the picked values leave the database, never every attempt with its JSON documents.
AGGREGATES = """
WITH r AS (
    SELECT r.id, r.attempt, r.assessed_on, r.score_status, r.student_id, r.class_ids, r.percent,
           r.performance_level, r.standard_scores, r.item_scores
    FROM results r
    WHERE r.district_id = $1 AND r.assessment_id = $2 AND r.voided_at IS NULL
      AND ($3::text[] IS NULL OR r.school_id = ANY($3::text[]))
      AND ($4::text IS NULL OR r.school_id = $4)
      AND ($5::text IS NULL OR $5 = ANY(r.class_ids))
      AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM students s WHERE s.district_id = r.district_id
                                       AND s.sourced_id = r.student_id AND $6 = ANY(s.grades)))
), counted AS (SELECT * FROM r WHERE r.score_status <> ALL($7::text[])),
overall AS (
    SELECT DISTINCT ON (student_id COLLATE "C") student_id, class_ids, percent, performance_level
    FROM counted WHERE percent IS NOT NULL
    ORDER BY student_id COLLATE "C", assessed_on DESC, attempt DESC, id DESC
), standard AS (  -- the scalars only: the sort moves small tuples, not each score's JSON
    SELECT DISTINCT ON (c.student_id COLLATE "C", s.standard_id COLLATE "C") c.student_id, s.*
    FROM counted c CROSS JOIN LATERAL (
        SELECT e ->> 'standard_id' AS standard_id, (e ->> 'percent')::float8 AS percent, e ->> 'code' AS code,
               (e ->> 'essential')::bool AS essential, (e ->> 'proficient')::bool AS proficient,
               (e ->> 'mastered')::bool AS mastered
        FROM jsonb_array_elements(c.standard_scores) e) s
    ORDER BY c.student_id COLLATE "C", s.standard_id COLLATE "C", c.assessed_on DESC, c.attempt DESC, c.id DESC
), item AS (
    SELECT DISTINCT ON (c.student_id COLLATE "C", i.key COLLATE "C") c.student_id, i.key, i.value::float8 AS value
    FROM counted c CROSS JOIN LATERAL jsonb_each_text(c.item_scores) i
    ORDER BY c.student_id COLLATE "C", i.key COLLATE "C", c.assessed_on DESC, c.attempt DESC, c.id DESC
), taught AS (
    SELECT DISTINCT t.teacher_id, o.student_id, o.percent
    FROM overall o CROSS JOIN LATERAL unnest(o.class_ids) AS k(class_id)
    JOIN classes c ON c.district_id = $1 AND c.sourced_id = k.class_id
    CROSS JOIN LATERAL unnest(c.teacher_ids) AS t(teacher_id)
)
SELECT 'people' AS kind, NULL AS key, count(DISTINCT student_id) AS n, count(*) AS m, NULL::float8[] AS numbers,
       NULL::text[] AS texts, NULL::bool[] AS essential, NULL::bool[] AS proficient, NULL::bool[] AS mastered
FROM r
UNION ALL
SELECT 'overall', NULL, count(*), 0, array_agg(percent ORDER BY student_id COLLATE "C"),
       array_agg(performance_level ORDER BY student_id COLLATE "C"), NULL, NULL, NULL
FROM overall
UNION ALL
SELECT 'class', k.class_id, count(*), 0, array_agg(o.percent ORDER BY o.student_id COLLATE "C"), NULL, NULL, NULL, NULL
FROM overall o CROSS JOIN LATERAL unnest(o.class_ids) AS k(class_id) GROUP BY k.class_id
UNION ALL
SELECT 'teacher', teacher_id, count(*), 0, array_agg(percent ORDER BY student_id COLLATE "C"), NULL, NULL, NULL, NULL
FROM taught GROUP BY teacher_id
UNION ALL
SELECT 'standard', standard_id, count(*), 0, array_agg(percent ORDER BY student_id COLLATE "C"),
       array_agg(code ORDER BY student_id COLLATE "C"), array_agg(essential ORDER BY student_id COLLATE "C"),
       array_agg(proficient ORDER BY student_id COLLATE "C"), array_agg(mastered ORDER BY student_id COLLATE "C")
FROM standard GROUP BY standard_id
UNION ALL
SELECT 'item', key, count(*), 0, array_agg(value ORDER BY student_id COLLATE "C"), NULL, NULL, NULL, NULL
FROM item GROUP BY key
"""


STANDING_COLUMNS = (
    "district_id", "assessment_id", "student_id", "school_id", "class_ids", "attempts", "percent",
    "performance_level", "standard_ids", "standard_percents", "standard_codes", "standard_essential",
    "standard_proficient", "standard_mastered", "item_codes", "item_points", "record",
)  # fmt: skip

# Taken in one order (two readers of one assessment wait for each other, never deadlock); DELETE after the
# lock, so rows a job took and committed are skipped. A key may be there more than once: distinct ids returned.
TAKE_STALE = """
WITH taken AS (
    DELETE FROM analysis_stale WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM analysis_stale WHERE district_id = $1 AND assessment_id = $2 ORDER BY ctid FOR UPDATE
    ))
    RETURNING student_id
)
SELECT DISTINCT student_id FROM taken
"""
CLAIM_STALE = """
WITH taken AS (
    DELETE FROM analysis_stale WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM analysis_stale LIMIT $1 FOR UPDATE SKIP LOCKED
    ))
    RETURNING district_id, assessment_id, student_id
)
SELECT DISTINCT district_id, assessment_id, student_id FROM taken
"""
IN_GRADE = """($3::text IS NULL OR EXISTS (SELECT 1 FROM students st WHERE st.district_id = a.district_id
               AND st.sourced_id = a.student_id AND $3 = ANY(st.grades)))"""
RECORDS = f"""
SELECT array_agg(a.student_id) AS ids,
       '[' || coalesce(string_agg(a.record, ',' ORDER BY a.student_id COLLATE "C"), '') || ']' AS records
FROM analysis_students a
WHERE a.district_id = $1 AND a.assessment_id = $2 AND {IN_GRADE}
"""
# AGGREGATES over the standings: the values that count are picked already (one row per student), so nothing is
# sorted per student and figure, and nothing is ordered: PostgreSQL 15 sorts the input of every ordered
# aggregate on its own (24 sorts of 15,000 values for a district-wide CFA). The figures do not depend on the
# order of their values (rules.aggregates: exact sums); within a row the arrays are parallel (one input row
# feeds every aggregate of its group). Of a standard's codes and `essential` only what `aggregates` reads is
# given, in that order: the first student's (by id) and the first non-null code; the first student's and
# whether any is essential. Each standard's students (`ids`) only when asked ($4).
STANDING_AGGREGATES = f"""
WITH s AS (
    SELECT a.* FROM analysis_students a WHERE a.district_id = $1 AND a.assessment_id = $2 AND {IN_GRADE}
), overall AS (SELECT student_id, class_ids, percent, performance_level FROM s WHERE percent IS NOT NULL
), standard AS (
    SELECT s.student_id, u.* FROM s CROSS JOIN LATERAL unnest(s.standard_ids, s.standard_percents,
        s.standard_codes, s.standard_essential, s.standard_proficient, s.standard_mastered)
        AS u(standard_id, percent, code, essential, proficient, mastered)
), per_standard AS (
    SELECT standard_id, count(*) AS n, array_agg(percent) AS numbers, bool_or(essential) AS any_essential,
           array_agg(proficient) AS proficient, array_agg(mastered) AS mastered,
           array_agg(student_id) FILTER (WHERE $4) AS ids, min(student_id COLLATE "C") AS first_id,
           min(student_id COLLATE "C") FILTER (WHERE code IS NOT NULL) AS first_coded
    FROM standard GROUP BY standard_id
), taught AS (
    SELECT DISTINCT t.teacher_id, o.student_id, o.percent
    FROM overall o CROSS JOIN LATERAL unnest(o.class_ids) AS k(class_id)
    JOIN classes c ON c.district_id = $1 AND c.sourced_id = k.class_id
    CROSS JOIN LATERAL unnest(c.teacher_ids) AS t(teacher_id)
)
SELECT 'people' AS kind, NULL AS key, count(*) AS n, coalesce(sum(attempts), 0) AS m, NULL::float8[] AS numbers,
       NULL::text[] AS texts, NULL::bool[] AS essential, NULL::bool[] AS proficient, NULL::bool[] AS mastered,
       NULL::text[] AS ids
FROM s
UNION ALL
SELECT 'overall', NULL, count(*), 0, array_agg(percent), array_agg(performance_level), NULL, NULL, NULL, NULL
FROM overall
UNION ALL
SELECT 'class', k.class_id, count(*), 0, array_agg(o.percent), NULL, NULL, NULL, NULL, NULL
FROM overall o CROSS JOIN LATERAL unnest(o.class_ids) AS k(class_id) GROUP BY k.class_id
UNION ALL
SELECT 'teacher', teacher_id, count(*), 0, array_agg(percent), NULL, NULL, NULL, NULL, NULL
FROM taught GROUP BY teacher_id
UNION ALL
SELECT 'standard', g.standard_id, g.n, 0, g.numbers, ARRAY[f.code, c.code], ARRAY[f.essential, g.any_essential],
       g.proficient, g.mastered, g.ids
FROM per_standard g
JOIN standard f ON f.standard_id = g.standard_id AND f.student_id = g.first_id
LEFT JOIN standard c ON c.standard_id = g.standard_id AND c.student_id = g.first_coded
UNION ALL
SELECT 'item', u.key, count(*), 0, array_agg(u.value), NULL, NULL, NULL, NULL, NULL
FROM s CROSS JOIN LATERAL unnest(s.item_codes, s.item_points) AS u(key, value) GROUP BY u.key
"""
