"""The tenancy migration converts a database filled at the previous revision in place: rows are kept and keyed
by district, tables that had no district get it from the rows naming the same result or school, and the
consumer goes on from the converted state."""

import uuid

import pytest
from interventions.testing import apply, recorded
from plc_shared.components import by_name
from plc_shared.db import make_sessionmaker
from plc_shared.testing import upgraded_from
from sqlalchemy import text

BEFORE = "2fb31a5bd371"  # flags, tiers and the pyramid, keyed without the district
R1, R2, R_VOID, R_LOST = (uuid.uuid4() for _ in range(4))
FLAG, INTERVENTION, ASSIGNMENT = (uuid.uuid4() for _ in range(3))
T = "2026-11-20 10:00+00"

ROWS = [
    f"INSERT INTO results VALUES ('{R1}', 1, 'stu-1', '{T}', false), ('{R2}', 1, 'stu-1', '{T}', false),"
    f" ('{R_VOID}', 2, 'stu-1', '{T}', true), ('{R_LOST}', 1, 'stu-nobody', '{T}', false)",
    "INSERT INTO result_scores (result_id, standard_id, student_id, district_id, school_id, assessment_id,"
    " revision, percent, proficiency_cut, mastery_cut, assessed_on, first_recorded_at, recorded_at) VALUES"
    f" ('{R1}', 'A', 'stu-1', 'd1', 's1', 'a1', 1, 30, 70, 90, '2026-11-20', '{T}', '{T}'),"
    f" ('{R2}', 'A', 'stu-1', 'd2', 's1', 'a1', 1, 80, 70, 90, '2026-11-20', '{T}', '{T}')",
    "INSERT INTO flags (id, student_id, district_id, school_id, class_ids, standard_id, kind, status, rule,"
    " result_id, result_revision, assessment_id, score, cut, evidence_recorded_at, opened_at) VALUES"
    f" ('{FLAG}', 'stu-1', 'd1', 's1', '{{c1}}', 'A', 'support', 'open', 'support: percent < proficiency cut',"
    f" '{R1}', 1, 'a1', 30, 70, '{T}', '{T}')",
    f"INSERT INTO student_tiers VALUES ('stu-1', 'd1', 's1', 2, 'escalation', 'N open', NULL, '{T}')",
    f"INSERT INTO school_rules VALUES ('s1', 'd1', 60, 95, 3, 6, 5, '{T}')",
    "INSERT INTO assessment_rules VALUES ('s1', 'a1', 50, 90), ('s9', 'a1', 50, 90)",
    f"INSERT INTO interventions VALUES ('{INTERVENTION}', 'd1', 's1', 'Reteach', 2, 'small group', 'pull-out',"
    f" 60, '{{}}', '', true, '{T}')",
    f"INSERT INTO assignments VALUES ('{ASSIGNMENT}', '{INTERVENTION}', 'd1', 's1', 'stu-1', 'A', '2026-11-20',"
    f" 6, 'staff-1', 30, 70, '2026-12-31', 7, 'active', NULL, NULL, NULL, '{T}')",
    f"INSERT INTO progress_points (assignment_id, measured_on, score) VALUES ('{ASSIGNMENT}', '2026-11-27', 40)",
]


@pytest.fixture
async def engine(create_database):
    async with upgraded_from(create_database, by_name("interventions"), BEFORE, ROWS) as engine:
        yield engine


async def rows(engine, sql: str) -> list[tuple]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql))]


async def test_every_primary_key_starts_with_the_district(engine):
    keys = await rows(
        engine,
        "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]"
        " WHERE i.indisprimary AND c.relnamespace = 'public'::regnamespace",
    )
    firsts = dict(keys)
    for table in ("results", "result_scores", "student_tiers", "school_rules", "assessment_rules"):
        assert firsts[table] == "district_id", table
    assert (firsts["schools"], firsts["students"]) == ("district_id", "district_id")


async def test_rows_are_kept_and_tables_without_a_district_get_it_from_their_neighbours(engine):
    results = await rows(engine, "SELECT district_id, result_id, voided FROM results ORDER BY 1, 2")
    # scores name R1 (d1) and R2 (d2); the voided R_VOID has no scores left: its student is known in both
    # districts, so a copy in each (a uuid never meets another district's); R_LOST names nobody known
    assert sorted(results) == sorted(
        [("d1", R1, False), ("d2", R2, False), ("d1", R_VOID, True), ("d2", R_VOID, True)]
    )
    assert await rows(engine, "SELECT district_id, school_id, assessment_id FROM assessment_rules") == [
        ("d1", "s1", "a1")  # s9 was known nowhere: its override had nothing to apply to
    ]
    assert await rows(engine, "SELECT district_id, student_id, tier FROM student_tiers") == [
        ("d1", "stu-1", 2)
    ]
    assert await rows(engine, "SELECT district_id, school_id FROM school_rules") == [("d1", "s1")]
    assert await rows(engine, "SELECT count(*) FROM progress_points") == [(1,)]
    assert await rows(engine, "SELECT district_id, school_id FROM schools ORDER BY 1") == [
        ("d1", "s1"),
        ("d2", "s1"),
    ]
    assert await rows(engine, "SELECT district_id, student_id, school_ids FROM students ORDER BY 1") == [
        ("d1", "stu-1", ["s1"]),
        ("d2", "stu-1", ["s1"]),
    ]
    [(xid,)] = await rows(engine, f"SELECT change_xid FROM flags WHERE id = '{FLAG}'")
    assert xid is not None


async def test_the_consumer_goes_on_from_the_converted_state_per_district(engine):
    good = recorded("stu-1", {"A": 85}, district="d1", school="s1", assessment="a1")
    await apply(make_sessionmaker(engine), good)
    flags = await rows(engine, "SELECT id, district_id, status, resolved_by_result_id FROM flags")
    assert flags == [(FLAG, "d1", "resolved", good.result_id)]
