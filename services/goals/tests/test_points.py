"""Progress points: each is the measure as it stood on its date (goals.points.rules), kept right through
back-dated corrections, voids and retakes, and the status GoalProgressUpdated carries is the status the API
shows (same series: points without a value are not counted, a same-day correction is one point).

The pure part is checked against a naive model written from the README's definition (for each date: each
student's results assessed up to it, the latest by date then attempt, counted); the service part runs the
consumers' handlers on a real PostgreSQL and reads the API and the outbox."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
from goals import models
from goals.points import rules as point_rules
from goals.progress import rules
from goals.support import rules as support_rules
from goals.testing import api, apply, assessment, result, school, student, voided
from hypothesis import given, settings
from hypothesis import strategies as st
from plc_shared.db import create_engine, make_sessionmaker
from sqlalchemy import select

D = "dp1"
START, DEADLINE = date(2026, 9, 1), date(2027, 5, 20)
SPEC = rules.Spec(uuid.uuid4(), "proficient", START, DEADLINE, "s1", assessment_id="a")
PROGRESS = "org.plc.goals.goal.progress.updated.v1"


# --- pure: the points of a series of changes equal the measure as of each date --------------------------------
facts = st.lists(
    st.tuples(
        st.sampled_from(["x", "y", "z"]),  # student
        st.integers(1, 3),  # attempt
        st.integers(0, 6),  # day
        st.one_of(st.none(), st.integers(0, 100)),  # percent (None: not scored)
    ),
    max_size=10,
)


def entries_of(spec, rows) -> dict[str, list[rules.Entry]]:
    out: dict[str, list[rules.Entry]] = {}
    for student_id, attempt, day, percent in rows:
        fact = rules.Fact(
            uuid.uuid4(), 1, student_id, "s1", (), "a", attempt, START + timedelta(days=day),
            None if percent is None else float(percent), 70.0,
        )  # fmt: skip
        out.setdefault(student_id, []).append(rules.entry_for(spec, fact))
    return out


def naive(spec, entries: dict[str, list[rules.Entry]]) -> dict[date, tuple[float, int]]:
    """For every date with a scored result: per student, their latest scored result up to it."""
    days = sorted({e.assessed_on for es in entries.values() for e in es if e.percent is not None})
    out = {}
    for on in days:
        num, den = 0.0, 0
        for es in entries.values():
            mine = [e for e in es if e.percent is not None and e.assessed_on <= on]
            if mine:
                last = max(mine, key=lambda e: (e.assessed_on, e.attempt, e.result_id.int))
                num, den = num + (last.percent >= last.cut), den + 1
        out[on] = (num, den)
    return out


def running(changes: point_rules.Changes) -> dict[date, tuple[float, int]]:
    out, num, den = {}, 0.0, 0
    for on in sorted(changes):
        num, den = num + changes[on][0], den + changes[on][1]
        if changes[on][2]:
            out[on] = (round(num, 9), den)
    return out


@settings(max_examples=200, deadline=None)
@given(facts, facts)
def test_points_moved_change_by_change_are_the_measure_as_of_each_date(first, second):
    """Write the first results, then move to the second set (corrections, voids, retakes, back-dated ones):
    the rows changed twice equal the rows built at once, and both the naive measure as of each date."""
    before, after = entries_of(SPEC, first), entries_of(SPEC, second)
    changes: point_rules.Changes = {}
    for sid in sorted(set(before) | set(after)):
        point_rules.add_student(changes, ({}, Counter()), rules.student_points(SPEC, before.get(sid, [])))
        point_rules.add_student(
            changes,
            rules.student_points(SPEC, before.get(sid, [])),
            rules.student_points(SPEC, after.get(sid, [])),
        )
    assert running(point_rules.nonzero(changes)) == naive(SPEC, after)


SPECS = [
    SPEC,
    rules.Spec(uuid.uuid4(), "average", START, DEADLINE, "s1", assessment_id="a"),
    rules.Spec(
        uuid.uuid4(),
        "growth",
        START,
        DEADLINE,
        "s1",
        pre_assessment_id="a",
        post_assessment_id="b",
        min_growth=5.0,
    ),
]
results = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),  # assessment
        st.integers(1, 3),  # attempt
        st.integers(-2, 6),  # day (before the start: out of the window)
        st.one_of(st.none(), st.integers(0, 100)),  # percent (None: not scored)
        st.booleans(),  # voided
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SPECS), results)
def test_a_students_points_are_their_contribution_as_of_each_date_of_theirs(spec, rows):
    """student_points (one pass in the counting order) against its definition: on each date of a counting
    entry, the contribution over the entries assessed up to it; and how many entries each date holds."""
    entries = []
    for assessment_id, attempt, day, percent, void in rows:
        fact = rules.Fact(
            uuid.uuid4(), 1, "x", "s1", (), assessment_id, attempt, START + timedelta(days=day),
            None if percent is None else float(percent), 70.0, voided=void,
        )  # fmt: skip
        entries.append(rules.entry_for(spec, fact))
    counted = [e for e in entries if e.role is not None]
    dates = sorted({e.assessed_on for e in counted})
    timeline, per_day = rules.student_points(spec, entries)
    assert timeline == {
        on: rules.contribution(spec, [e for e in counted if e.assessed_on <= on]) for on in dates
    }
    assert list(timeline) == dates
    assert per_day == Counter(e.assessed_on for e in counted)


def test_the_status_reads_points_with_a_value_and_the_last_of_them():
    points = [
        (date(2026, 9, 10), None, 0, 1),
        (date(2026, 9, 20), 40.0, 2, 1),
        (date(2026, 9, 21), 45.0, 3, 1),
    ]
    assert point_rules.summary(points) == (2, (date(2026, 9, 21), 45.0))


# --- through the handlers, the API and the outbox ---------------------------------------------------------------
@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=2)
    maker = make_sessionmaker(engine)
    roster = [student(D, f"p{i}", "s1", "4") for i in range(6)]
    await apply(
        maker,
        school(D, "s1"),
        assessment(D, "pa", ["ps"]),
        assessment(D, "pb", []),
        assessment(D, "pc", ["pt"]),
        assessment(D, "pd", []),
        assessment(D, "pe", ["pu"]),
        *roster,
    )
    yield maker
    await engine.dispose()


async def announced(sessions, goal_id: str) -> list[dict]:
    outbox = models.Base.metadata.tables["outbox"]
    async with sessions() as session:
        stmt = (
            select(outbox.c.payload)
            .where(outbox.c.key == f"{D}/{goal_id}", outbox.c.event_type == PROGRESS)
            .order_by(outbox.c.id)
        )
        return [json.loads(p)["data"] for p in (await session.scalars(stmt)).all()]


async def goal(leader, measure: dict, **extra) -> str:
    body = {"title": "Points", "measure": measure, "population": {"kind": "school"}, "baseline": {"value": 20.0},
            "target": 80.0, "start": START.isoformat(), "deadline": DEADLINE.isoformat(), **extra}  # fmt: skip
    made = (await leader.post("/schools/s1/goals", json=body)).json()
    assert (await leader.post(f"/goals/{made['id']}/activate")).status_code == 200
    return made["id"]


async def test_a_back_dated_correction_moves_every_point_from_its_date_on(app, sessions):
    """The issue's case: results of 09-18, 09-19 and 09-20, then the 09-18 one corrected."""
    days = [date(2026, 9, 18), date(2026, 9, 19), date(2026, 9, 20)]
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal_id = await goal(leader, {"kind": "proficient", "assessment_id": "pa"})
        first = [result(D, f"p{i}", "s1", "pa", {"ps": 50.0}, on=on) for i, on in enumerate(days)]
        await apply(sessions, *first)
        series = (await leader.get(f"/goals/{goal_id}/progress")).json()
        assert [(p["on"], p["value"], p["n"]) for p in series["points"]] == [
            ("2026-09-18", 0.0, 1), ("2026-09-19", 0.0, 2), ("2026-09-20", 0.0, 3),
        ]  # fmt: skip
        fixed = result(D, "p0", "s1", "pa", {"ps": 90.0}, on=days[0], result_id=first[0].result_id,
                       revision=2, corrected=True)  # fmt: skip
        await apply(sessions, fixed)
        series = (await leader.get(f"/goals/{goal_id}/progress")).json()
        assert [(p["value"], p["n"]) for p in series["points"]] == [
            (100.0, 1),
            (50.0, 2),
            (pytest.approx(100 / 3), 3),
        ]
        read = (await leader.get(f"/goals/{goal_id}")).json()
        assert (read["value"], read["n"]) == (series["points"][-1]["value"], 3)
        # a void of the 09-19 result: its date has no result left, so no point; the 09-20 point moves
        await apply(sessions, voided(first[1], 2))
        series = (await leader.get(f"/goals/{goal_id}/progress")).json()
        assert [(p["on"], p["value"]) for p in series["points"]] == [
            ("2026-09-18", 100.0),
            ("2026-09-20", 50.0),
        ]
        assert (await announced(sessions, goal_id))[-1]["status"] == series["status"]


async def test_a_retake_moves_the_point_of_its_date_and_the_first_attempt_stays_on_its_own(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal_id = await goal(leader, {"kind": "proficient", "standard_id": "pt"})
        await apply(sessions, result(D, "p3", "s1", "pc", {"pt": 40.0}, on=date(2026, 10, 1)))
        await apply(sessions, result(D, "p3", "s1", "pc", {"pt": 95.0}, on=date(2026, 10, 8), attempt=2))
        points = (await leader.get(f"/goals/{goal_id}/progress")).json()["points"]
        assert [(p["on"], p["value"], p["n"]) for p in points] == [
            ("2026-10-01", 0.0, 1),
            ("2026-10-08", 100.0, 1),
        ]


async def test_points_without_a_value_and_a_same_day_correction_count_as_the_api_counts_them(app, sessions):
    """The issue's growth goal: a point with pre-tests only (no value) and a same-day correction: the API and
    the last GoalProgressUpdated say the same ("on track": one point with a value, and it is above the target
    of 80 already; a status cannot be "insufficient data" once the target is reached, issue 24)."""
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal_id = await goal(
            leader, {"kind": "growth", "pre_assessment_id": "pd", "post_assessment_id": "pe", "min_growth": 5}
        )
        pre = result(D, "p4", "s1", "pd", {}, on=date(2026, 9, 10))
        pre = pre.model_copy(update={"percent": 30.0, "total_score": 30.0})
        await apply(sessions, pre)
        post = result(D, "p4", "s1", "pe", {"pu": 60.0}, on=date(2026, 11, 2))
        await apply(sessions, post)
        again = result(D, "p4", "s1", "pe", {"pu": 62.0}, on=date(2026, 11, 2), result_id=post.result_id,
                       revision=2, corrected=True)  # fmt: skip
        await apply(sessions, again)
        series = (await leader.get(f"/goals/{goal_id}/progress")).json()
        assert [p["value"] for p in series["points"]] == [None, 100.0]
        assert series["status"] == "on track"
        events = await announced(sessions, goal_id)
        assert events[-1]["status"] == "on track"  # (a value moving alone is sent once a minute)


async def test_a_threshold_change_announces_every_status_it_changes_and_only_those(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        moving = await goal(
            leader, {"kind": "average", "assessment_id": "pb"}, title="Average"
        )  # pb: its own
        for on, score in ((date(2026, 10, 1), 25.0), (date(2026, 10, 15), 28.0), (date(2026, 11, 1), 32.0)):
            event = result(D, "p5", "s1", "pb", {}, on=on)
            await apply(sessions, event.model_copy(update={"percent": score, "total_score": score}))
        assert (await leader.get(f"/goals/{moving}/progress")).json()["status"] == "at risk"
        before = {g: len(await announced(sessions, g)) for g in (moving,)}
        async with api(app, "district_admin", D) as admin:
            assert (
                await admin.put("/thresholds", json={"on_track": 0.85, "at_risk": 0.6})
            ).status_code == 200
            events = await announced(sessions, moving)
            assert len(events) == before[moving] + 1 and events[-1]["status"] == "on track"
            assert (await admin.put("/thresholds", json={"on_track": 0.8, "at_risk": 0.6})).status_code == 200
            assert len(await announced(sessions, moving)) == before[moving] + 1  # still on track: nothing new
        listed = (await leader.get("/schools/s1/goals")).json()
        assert {g["id"]: g["progress_status"] for g in listed}[moving] == events[-1]["status"]


# --- support-exit points: a student's days add up to their contribution -------------------------------------------
day = st.integers(-5, 40).map(lambda n: START + timedelta(days=n))
states = st.builds(
    lambda flags, exits, school: support_rules.State("x", school, flags, exits),
    st.dictionaries(st.sampled_from("fgh"), st.lists(st.one_of(st.none(), day), min_size=2, max_size=2)),
    st.dictionaries(st.sampled_from("ab"), day),
    st.sampled_from(["s1", "s2"]),
)
SUPPORT = rules.Spec(uuid.uuid4(), "support_exit", START, START + timedelta(days=30), "s1")


@settings(max_examples=200, deadline=None)
@given(states, states)
def test_a_support_students_days_sum_to_their_contribution_before_and_after_a_change(before, after):
    changes: point_rules.Changes = {}
    old, new = support_rules.student_points(SUPPORT, before), support_rules.student_points(SUPPORT, after)
    point_rules.add_student(changes, ({}, Counter()), old)
    point_rules.add_student(changes, old, new)
    num = sum(row[0] for row in changes.values())
    den = sum(row[1] for row in changes.values())
    assert (num, den) == support_rules.contribution(SUPPORT, after)
    assert all(SUPPORT.start <= on <= SUPPORT.deadline for on in point_rules.nonzero(changes))
