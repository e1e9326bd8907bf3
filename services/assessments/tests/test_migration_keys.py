"""The district-scoped keys migration on a database that already holds rows of the old (global id) schema.

Rows of two districts go in through plain SQL at the previous revision; after the upgrade every row is
still there with the same values, objectives and items carry their assessment's district, keys lead with
district_id (so another district may reuse any id while a duplicate within a district still fails), and a
one-district database goes back down.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import asyncpg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from plc_shared.components import by_name
from plc_shared.migrate import alembic_config, upgrade_async
from sqlalchemy import make_url, pool
from sqlalchemy.ext.asyncio import create_async_engine

COMPONENT = by_name("assessments")
PREVIOUS = "71e506298edd"  # oneroster result sourced id: ids unique across districts
THIS = "ad42c43ae849"  # district scoped keys

NORTH, SOUTH = "dist-north", "dist-south"
TABLES = (
    "orgs",
    "academic_sessions",
    "courses",
    "classes",
    "students",
    "enrollments",
    "standards",
    "essential_flags",
    "assessments",
    "objectives",
    "items",
    "results",
    "idempotency_keys",
)
ROSTER = ("orgs", "academic_sessions", "courses", "classes", "students", "enrollments")


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[asyncpg.Connection]:
    parsed = make_url(url)
    conn = await asyncpg.connect(
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.query.get("host") or parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        database=parsed.database,
    )
    try:
        yield conn
    finally:
        await conn.close()


async def downgrade(url: str, revision: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    config = alembic_config(COMPONENT.migrations_dir, url)

    def run(connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def version(conn: asyncpg.Connection) -> str:
    return await conn.fetchval("SELECT version_num FROM alembic_version")


# --- rows of the old schema -------------------------------------------------------------------------------

T0 = datetime(2026, 9, 1, 7, 30, tzinfo=UTC)
LEVELS = [
    {"code": "below", "min": 0, "max": 14},
    {"code": "approaching", "min": 14, "max": 20},
    {"code": "meets", "min": 20, "max": 25.01},
]


def ids(district: str) -> dict[str, str]:
    """Each district's SIS ids (distinct between the two: the old schema keys them globally)."""
    p = district.removeprefix("dist-")[0].upper()
    return {
        "school": f"{p}-sch-1",
        "term": f"{p}-term-2026-s1",
        "course": f"{p}-crs-alg1",
        "class": f"{p}-cls-alg1-p3",
        "student": f"{p}-stu-1001",
        "student2": f"{p}-stu-1002",
        "teacher": f"{p}-tch-77",
        "enrollment": f"{p}-enr-1",
        "enrollment2": f"{p}-enr-2",
        "standard": f"{p}-std-a-ced-1",
        "assessment": f"{p}-cfa-unit3",
        "objective": f"{p}-obj-linear",
        "subobjective": f"{p}-obj-linear-slope",
        "item1": f"{p}-item-1",
        "item2": f"{p}-item-2",
        "result_sourced_id": f"{p}-res-1001-1",
    }


async def insert_old_rows(conn: asyncpg.Connection, district: str, flag_id: int) -> dict[str, uuid.UUID]:
    """One district's roster, a standard marked essential, a published assessment with a nested objective
    and items, results with and without a OneRoster sourcedId. Returns the result ids."""
    i = ids(district)
    await conn.execute(
        "INSERT INTO orgs (sourced_id, district_id, status, updated_at, name, type, parent_id, identifier)"
        " VALUES ($1, $1, 'active', $2, $3, 'district', NULL, $4), ($5, $1, 'active', $2, $6, 'school', $1, $7)",
        district,
        T0,
        f"{district} USD",
        "0601234",
        i["school"],
        f"{district} High",
        "0601234-001",
    )
    await conn.execute(
        "INSERT INTO academic_sessions (sourced_id, district_id, updated_at, title, type, start_date,"
        " end_date, school_year, parent_id) VALUES ($1, $2, $3, 'Fall 2026', 'semester', $4, $5, '2027', NULL)",
        i["term"],
        district,
        T0,
        date(2026, 8, 17),
        date(2026, 12, 18),
    )
    await conn.execute(
        "INSERT INTO courses (sourced_id, district_id, updated_at, title, course_code, school_id, grades,"
        " subjects) VALUES ($1, $2, $3, 'Algebra I', 'ALG1', $4, $5, $6)",
        i["course"],
        district,
        T0,
        i["school"],
        ["09"],
        ["Math"],
    )
    await conn.execute(
        "INSERT INTO classes (sourced_id, district_id, updated_at, title, class_code, school_id, course_id,"
        " term_ids, grades, subjects, teacher_ids) VALUES ($1, $2, $3, 'Algebra I P3', 'ALG1-3', $4, $5, $6,"
        " $7, $8, $9)",
        i["class"],
        district,
        T0,
        i["school"],
        i["course"],
        [i["term"]],
        ["09"],
        ["Math"],
        [i["teacher"]],
    )
    await conn.execute(
        "INSERT INTO students (sourced_id, district_id, status, updated_at, school_ids, grades, identifier,"
        " given_name, family_name) VALUES ($1, $3, 'active', $4, $5, $6, '1001', 'Ana', 'Ruiz'),"
        " ($2, $3, 'tobedeleted', $4, $5, $6, NULL, NULL, NULL)",
        i["student"],
        i["student2"],
        district,
        T0,
        [i["school"]],
        ["09"],
    )
    await conn.execute(
        'INSERT INTO enrollments (sourced_id, district_id, updated_at, class_id, school_id, user_id, role, "primary",'
        " begin_date, end_date) VALUES ($1, $3, $4, $5, $6, $7, 'student', NULL, $9, NULL),"
        " ($2, $3, $4, $5, $6, $8, 'teacher', true, $9, $10)",
        i["enrollment"],
        i["enrollment2"],
        district,
        T0,
        i["class"],
        i["school"],
        i["student"],
        i["teacher"],
        date(2026, 8, 17),
        date(2026, 12, 18),
    )
    await conn.execute(
        "INSERT INTO standards (id, district_id, code, statement, subject, grade, case_identifier, case_uri,"
        " created_at) VALUES ($1, $2, 'A-CED.1', 'Create equations in one variable.', 'Math', 'HS', $3, $4, $5)",
        i["standard"],
        district,
        uuid.UUID("4a5b2c3d-0000-4000-8000-000000000001"),
        "https://case.example/uri/a-ced-1",
        T0,
    )
    await conn.execute(
        "INSERT INTO essential_flags (id, standard_id, district_id, scope, scope_value, marked_by, created_at)"
        " VALUES ($1, $2, $3, 'course', $4, $5, $6)",
        flag_id,
        i["standard"],
        district,
        i["course"],
        i["teacher"],
        T0,
    )
    await conn.execute(
        "INSERT INTO assessments (id, district_id, school_id, team_id, title, kind, subject, grades,"
        " window_start, window_end, max_score, performance_levels, proficiency_cut, mastery_cut, status,"
        " created_by, created_at, updated_at, published_at, closed_at) VALUES ($1, $2, $3, 'team-alg1',"
        " 'Unit 3 CFA', 'common_formative', 'Math', $4, $5, $6, 25, $7, 20, 23, 'published', $8, $9, $9, $9,"
        " NULL)",
        i["assessment"],
        district,
        i["school"],
        ["09"],
        date(2026, 10, 1),
        date(2026, 10, 10),
        json.dumps(LEVELS),
        i["teacher"],
        T0,
    )
    await conn.execute(
        "INSERT INTO objectives (id, assessment_id, parent_id, code, description, max_points, proficiency_cut,"
        " mastery_cut, standard_ids) VALUES ($1, $3, NULL, 'LIN', 'Linear equations', 15, 12, 14, $4),"
        " ($2, $3, $1, 'LIN.S', 'Slope', 5, NULL, NULL, $4)",
        i["objective"],
        i["subobjective"],
        i["assessment"],
        [i["standard"]],
    )
    await conn.execute(
        "INSERT INTO items (id, assessment_id, objective_id, code, max_points, standard_id) VALUES"
        " ($1, $3, $4, 'Q1', 5, $5), ($2, $3, NULL, 'Q2', 10, NULL)",
        i["item1"],
        i["item2"],
        i["assessment"],
        i["subobjective"],
        i["standard"],
    )
    results = {"first": uuid.uuid4(), "retake": uuid.uuid4()}
    await conn.execute(
        "INSERT INTO results (id, assessment_id, student_id, attempt, district_id, school_id, class_ids,"
        " score_status, total_score, percent, performance_level, objective_scores, item_scores,"
        " standard_scores, assessed_on, revision, sourced_id, voided_at, recorded_at) VALUES"
        " ($1, $3, $4, 1, $5, $6, $7, 'fully graded', 18, 72, 'approaching', $8, $9, $10, $11, 2, $12, NULL,"
        " $13), ($2, $3, $4, 2, $5, $6, $7, 'fully graded', 22.5, 90, 'meets', '{}', '{}', '[]', $11, 1,"
        " NULL, $13, $13)",
        results["first"],
        results["retake"],
        i["assessment"],
        i["student"],
        district,
        i["school"],
        [i["class"]],
        json.dumps({i["objective"]: 13, i["subobjective"]: 4}),
        json.dumps({i["item1"]: 4, i["item2"]: 9}),
        json.dumps([{"standard_id": i["standard"], "score": 0.72}]),
        date(2026, 10, 3),
        i["result_sourced_id"],
        T0,
    )
    await conn.execute(
        "INSERT INTO idempotency_keys (district_id, key, request_hash, status_code, response, created_at)"
        " VALUES ($1, 'k-1', 'abc', 201, $2, $3)",
        district,
        json.dumps({"id": i["assessment"]}),
        T0,
    )
    return results


async def snapshot(conn: asyncpg.Connection, *, without_district_on: tuple[str, ...] = ()) -> dict:
    """Every row of every table, as JSON (district_id left out where the old schema had none)."""
    rows = {}
    for table in TABLES:
        values = [json.loads(r[0]) for r in await conn.fetch(f"SELECT to_jsonb(t)::text FROM {table} AS t")]
        for value in values:
            if table in without_district_on:
                value.pop("district_id")
        rows[table] = sorted(values, key=lambda v: json.dumps(v, sort_keys=True))
    return rows


async def constraints(conn: asyncpg.Connection, kind: str) -> dict[str, tuple]:
    """`{name: (table, columns, referenced table, referenced columns, on delete)}` of one constraint kind."""
    rows = await conn.fetch(
        """
        SELECT c.conname, c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS ref_table,
               c.confdeltype::text AS confdeltype,
               ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
               ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_cols
        FROM pg_constraint c
        WHERE c.connamespace = 'public'::regnamespace AND c.contype::text = $1
        """,
        kind,
    )
    return {
        r["conname"]: (r["table_name"], tuple(r["cols"]))
        + ((r["ref_table"], tuple(r["ref_cols"]), r["confdeltype"]) if kind == "f" else ())
        for r in rows
    }


async def copy_row(conn: asyncpg.Connection, table: str, key: dict, **changes) -> str:
    """INSERT a copy of the row of `table` matching `key`, with `changes` (JSON values) applied."""
    where = " AND ".join(f"s.{column} = ${n}" for n, column in enumerate(key, start=2))
    return await conn.execute(
        f"INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, to_jsonb(s) || $1::jsonb)).*"
        f" FROM {table} AS s WHERE {where}",
        json.dumps(changes, default=str),
        *key.values(),
    )


async def schema(conn: asyncpg.Connection) -> list:
    """Constraints of every kind and index definitions, to compare a schema with itself later."""
    indexes = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
    return [*[await constraints(conn, kind) for kind in "pufc"], dict(indexes)]


# --- databases --------------------------------------------------------------------------------------------


async def old_database(create_database, districts: tuple[str, ...]) -> tuple[str, dict]:
    """A fresh database at the previous revision holding `districts`' rows; returns its URL and the result ids."""
    url = await create_database(f"assessments_keys_{uuid.uuid4().hex[:6]}")
    await upgrade_async(COMPONENT, url, PREVIOUS)
    results = {}
    async with connect(url) as conn:
        assert await version(conn) == PREVIOUS
        for n, district in enumerate(districts, start=1):
            results[district] = await insert_old_rows(conn, district, flag_id=n)
    return url, results


@pytest.fixture(scope="module")
async def upgraded(create_database) -> tuple[str, dict, dict]:
    """Two districts' old rows, upgraded to THIS: (url, rows before, result ids). Tests must not write."""
    url, results = await old_database(create_database, (NORTH, SOUTH))
    async with connect(url) as conn:
        before = await snapshot(conn)
    await upgrade_async(COMPONENT, url, THIS)
    return url, before, results


# --- upgrade ----------------------------------------------------------------------------------------------


def test_the_migration_follows_the_previous_head():
    script = ScriptDirectory.from_config(alembic_config(COMPONENT.migrations_dir))
    assert script.get_revision(THIS).down_revision == PREVIOUS
    assert THIS in {r.revision for r in script.walk_revisions()}


async def test_upgrade_keeps_every_row_and_value(upgraded):
    url, before, _ = upgraded
    async with connect(url) as conn:
        assert await version(conn) == THIS
        after = await snapshot(conn, without_district_on=("objectives", "items"))
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert all(before[t] for t in TABLES), "the seed leaves no table empty"
    assert after == before


async def test_objectives_and_items_take_their_assessments_district(upgraded):
    url, _, _ = upgraded
    async with connect(url) as conn:
        objectives = dict(await conn.fetch("SELECT id, district_id FROM objectives"))
        items = dict(await conn.fetch("SELECT id, district_id FROM items"))
        nullable = await conn.fetch(
            "SELECT table_name, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_name = 'district_id'"
            " AND table_name IN ('objectives', 'items')"
        )
    assert objectives == {ids(d)[o]: d for d in (NORTH, SOUTH) for o in ("objective", "subobjective")}
    assert items == {ids(d)[i]: d for d in (NORTH, SOUTH) for i in ("item1", "item2")}
    assert sorted(tuple(r) for r in nullable) == [("items", "NO"), ("objectives", "NO")]


async def test_keys_lead_with_the_district(upgraded):
    url, _, _ = upgraded
    async with connect(url) as conn:
        primary = await constraints(conn, "p")
        unique = await constraints(conn, "u")
        foreign = await constraints(conn, "f")
        indexes = dict(
            await conn.fetch(
                "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'ix_%'"
            )
        )
    for table in ROSTER:
        assert primary[f"pk_{table}"] == (table, ("district_id", "sourced_id"))
    for table in ("standards", "assessments", "objectives", "items"):
        assert primary[f"pk_{table}"] == (table, ("district_id", "id"))
    assert primary["pk_results"] == ("results", ("id",))
    assert primary["pk_essential_flags"] == ("essential_flags", ("id",))

    assert {name: v for name, v in unique.items() if not name.startswith(("uq_outbox", "uq_inbox"))} == {
        "uq_standards_district_id_code": ("standards", ("district_id", "code")),
        "uq_essential_flags_district_id_standard_id_scope_scope_value": (
            "essential_flags",
            ("district_id", "standard_id", "scope", "scope_value"),
        ),
        "uq_results_district_id_assessment_id_student_id_attempt": (
            "results",
            ("district_id", "assessment_id", "student_id", "attempt"),
        ),
        "uq_results_district_id_sourced_id": ("results", ("district_id", "sourced_id")),
    }
    cascade, no_action = "c", "a"
    assert foreign == {
        "fk_essential_flags_district_id_standards": (
            "essential_flags",
            ("district_id", "standard_id"),
            "standards",
            ("district_id", "id"),
            cascade,
        ),
        "fk_objectives_district_id_assessments": (
            "objectives",
            ("district_id", "assessment_id"),
            "assessments",
            ("district_id", "id"),
            cascade,
        ),
        "fk_objectives_district_id_objectives": (
            "objectives",
            ("district_id", "parent_id"),
            "objectives",
            ("district_id", "id"),
            cascade,
        ),
        "fk_items_district_id_assessments": (
            "items",
            ("district_id", "assessment_id"),
            "assessments",
            ("district_id", "id"),
            cascade,
        ),
        "fk_items_district_id_objectives": (
            "items",
            ("district_id", "objective_id"),
            "objectives",
            ("district_id", "id"),
            no_action,
        ),
        "fk_results_district_id_assessments": (
            "results",
            ("district_id", "assessment_id"),
            "assessments",
            ("district_id", "id"),
            no_action,
        ),
    }
    assert {name: t for name, t in indexes.items() if not name.startswith(("ix_outbox", "ix_inbox"))} == {
        "ix_enrollments_district_id_user_id_class_id": "enrollments",
        "ix_enrollments_district_id_class_id": "enrollments",
        "ix_objectives_district_id_assessment_id": "objectives",
        "ix_items_district_id_assessment_id": "items",
        "ix_results_district_id_school_id": "results",
    }


async def test_another_district_may_reuse_every_id_but_a_district_may_not(create_database):
    url, results = await old_database(create_database, (NORTH, SOUTH))
    await upgrade_async(COMPONENT, url, THIS)
    n = ids(NORTH)
    roster_keys = {
        "orgs": [NORTH, n["school"]],
        "academic_sessions": [n["term"]],
        "courses": [n["course"]],
        "classes": [n["class"]],
        "students": [n["student"]],
        "enrollments": [n["enrollment"]],
    }
    first = results[NORTH]["first"]
    async with connect(url) as conn:
        # SOUTH takes over every one of NORTH's ids (references resolve within SOUTH).
        copies = [
            *(
                (table, {"district_id": NORTH, "sourced_id": sid}, {})
                for table, sids in roster_keys.items()
                for sid in sids
            ),
            # (SOUTH already has a standard coded A-CED.1 under its own id; codes are unique per district)
            ("standards", {"district_id": NORTH, "id": n["standard"]}, {"code": "A-CED.2"}),
            ("essential_flags", {"district_id": NORTH, "standard_id": n["standard"]}, {"id": 100}),
            ("assessments", {"district_id": NORTH, "id": n["assessment"]}, {}),
            ("objectives", {"district_id": NORTH, "id": n["objective"]}, {}),
            ("objectives", {"district_id": NORTH, "id": n["subobjective"]}, {}),
            ("items", {"district_id": NORTH, "id": n["item1"]}, {}),
            ("results", {"id": first}, {"id": uuid.uuid4()}),
        ]
        for table, key, changes in copies:
            assert await copy_row(conn, table, key, district_id=SOUTH, **changes) == "INSERT 0 1", table
        reused = await conn.fetchval(
            "SELECT count(*) FROM results WHERE sourced_id = $1 AND district_id = ANY($2)",
            n["result_sourced_id"],
            [NORTH, SOUTH],
        )
        assert reused == 2

        # Within NORTH every key still holds.
        duplicates = [
            *(
                (table, {"district_id": NORTH, "sourced_id": sid}, {}, f"pk_{table}")
                for table, sids in roster_keys.items()
                for sid in sids
            ),
            ("standards", {"district_id": NORTH, "id": n["standard"]}, {"code": "A-CED.9"}, "pk_standards"),
            (
                "standards",
                {"district_id": NORTH, "id": n["standard"]},
                {"id": "other"},
                "uq_standards_district_id_code",
            ),
            (
                "essential_flags",
                {"district_id": NORTH, "standard_id": n["standard"]},
                {"id": 101},
                "uq_essential_flags_district_id_standard_id_scope_scope_value",
            ),
            ("assessments", {"district_id": NORTH, "id": n["assessment"]}, {}, "pk_assessments"),
            ("objectives", {"district_id": NORTH, "id": n["subobjective"]}, {}, "pk_objectives"),
            ("items", {"district_id": NORTH, "id": n["item1"]}, {}, "pk_items"),
            (
                "results",
                {"id": first},
                {"id": uuid.uuid4(), "sourced_id": None},
                "uq_results_district_id_assessment_id_student_id_attempt",
            ),
            (
                "results",
                {"id": first},
                {"id": uuid.uuid4(), "attempt": 9},
                "uq_results_district_id_sourced_id",
            ),
        ]
        for table, key, changes, constraint in duplicates:
            with pytest.raises(asyncpg.UniqueViolationError) as raised:
                await copy_row(conn, table, key, **changes)
            assert raised.value.constraint_name == constraint, table

        # And nothing references another district's rows.
        with pytest.raises(asyncpg.ForeignKeyViolationError) as raised:
            await copy_row(conn, "items", {"district_id": NORTH, "id": n["item2"]}, district_id="dist-west")
        assert raised.value.constraint_name == "fk_items_district_id_assessments"
        with pytest.raises(asyncpg.ForeignKeyViolationError) as raised:
            await copy_row(
                conn,
                "items",
                {"district_id": NORTH, "id": n["item2"]},
                id="x",
                objective_id=ids(SOUTH)["objective"],
            )
        assert raised.value.constraint_name == "fk_items_district_id_objectives"


async def test_cascades_stay_within_the_district(create_database):
    url, _ = await old_database(create_database, (NORTH,))
    await upgrade_async(COMPONENT, url, THIS)
    n = ids(NORTH)
    async with connect(url) as conn:
        for table, key in (
            ("standards", {"district_id": NORTH, "id": n["standard"]}),
            ("essential_flags", {"district_id": NORTH, "standard_id": n["standard"]}),
        ):
            await copy_row(
                conn, table, key, district_id=SOUTH, **({"id": 100} if table == "essential_flags" else {})
            )
        await conn.execute("DELETE FROM standards WHERE district_id = $1", SOUTH)
        flags = await conn.fetch("SELECT district_id FROM essential_flags")
    assert [r["district_id"] for r in flags] == [NORTH]


# --- downgrade --------------------------------------------------------------------------------------------


async def test_downgrade_of_a_one_district_database(create_database):
    url, _ = await old_database(create_database, (NORTH,))
    async with connect(url) as conn:
        before = await snapshot(conn)
        schema_before = await schema(conn)
    await upgrade_async(COMPONENT, url, THIS)
    await downgrade(url, PREVIOUS)
    async with connect(url) as conn:
        assert await version(conn) == PREVIOUS
        assert await snapshot(conn) == before
        assert await schema(conn) == schema_before
        assert not await conn.fetchval(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'"
            " AND column_name = 'district_id' AND table_name IN ('objectives', 'items')"
        )
    # And up again: the migration is repeatable.
    await upgrade_async(COMPONENT, url, THIS)
    async with connect(url) as conn:
        assert await version(conn) == THIS
