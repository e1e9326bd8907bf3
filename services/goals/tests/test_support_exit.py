"""The support-exit measure ("percent of students flagged for support who exited or were resolved") from the
interventions' flag events: incremental per student, within each goal's school, grades and window, equal to an
independent computation from the events after the stream, after a replay of it, and for a goal activated
after the events arrived (built from the stored states). Real PostgreSQL."""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from goals import models
from goals.testing import api, apply, klass, school, student
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events.interventions import (
    EXITS,
    FlagResolved,
    StudentExited,
    StudentExitedV2,
    StudentFlagged,
)
from sqlalchemy import select

D = "dse"
START, DEADLINE = date(2026, 9, 1), date(2027, 3, 1)


def goal_body(title: str, population: dict) -> dict:
    return {
        "title": title, "measure": {"kind": "support_exit"}, "population": population,
        "baseline": {"value": 10.0}, "target": 60.0, "start": START.isoformat(), "deadline": DEADLINE.isoformat(),
    }  # fmt: skip


def stream(seed: int = 7) -> tuple[list, list]:
    """Roster, and per student in order: support and enrichment flags raised, some resolved, some exits —
    dates before, inside and after the goals' window."""
    rng, setup, events = random.Random(seed), [school(D, "s1"), school(D, "s2")], []
    for n in range(240):
        sid, stu, grade = f"s{1 + n % 2}", f"se{n:03d}", str(3 + n % 3)
        setup.append(student(D, stu, sid, grade))
        day = date(2026, 7, 1) + timedelta(days=rng.randrange(60))
        for _ in range(rng.randrange(4)):
            flag, kind = uuid.uuid4(), rng.choice(("support", "support", "enrichment"))
            day += timedelta(days=rng.randrange(1, 50))
            events.append(_flagged(stu, sid, flag, kind, day))
            roll = rng.random()
            if roll < 0.5:
                day += timedelta(days=rng.randrange(1, 60))
                events.append(_resolved(stu, sid, flag, kind, day))
            elif roll < 0.7:
                day += timedelta(days=rng.randrange(1, 60))
                events.append(_exited(stu, sid, day, version=1 + n % 2))  # both versions count
    return setup, events


def _flagged(stu, sid, flag, kind, on) -> StudentFlagged:
    return StudentFlagged(
        student_id=stu, district_id=D, school_id=sid, flag_id=flag, kind=kind, standard_id="std", result_id=uuid.uuid4(),
        result_revision=1, assessment_id="a", score=40.0, cut=70.0, rule="support: percent < proficiency cut",
        flagged_at=datetime.combine(on, time(9), UTC),
    )  # fmt: skip


def _resolved(stu, sid, flag, kind, on) -> FlagResolved:
    return FlagResolved(
        student_id=stu, district_id=D, school_id=sid, flag_id=flag, kind=kind, standard_id="std", reason="result",
        resolved_at=datetime.combine(on, time(9), UTC),
    )  # fmt: skip


def _exited(stu, sid, on, version: int) -> StudentExited | StudentExitedV2:
    """An exit as the service published it before (v1, with words) or publishes it now (v2, a code)."""
    who = {"student_id": stu, "district_id": D, "school_id": sid, "assignment_id": uuid.uuid4(),
           "intervention_id": uuid.uuid4(), "exited_on": on}  # fmt: skip
    if version == 1:
        return StudentExited(**who, reason="met the goal", evidence="three results at the cut")
    return StudentExitedV2(**who, reason_code="goal_met")


def independent(setup, events, school_id: str, grades: set[str] | None) -> tuple[float, int]:
    """From the events alone: a student counts when a support flag was raised for them in the window; they
    count as exited or resolved when every such flag was resolved by the deadline, or they exited an
    intervention between the last such flag and the deadline."""
    grade_of = {s.student_id: set(s.grades) for s in setup if hasattr(s, "grades")}
    raised, resolved_on, exits = {}, {}, {}
    for e in events:
        if isinstance(e, StudentFlagged) and e.kind == "support":
            raised.setdefault(e.student_id, {})[e.flag_id] = e.flagged_at.date()
        elif isinstance(e, FlagResolved) and e.kind == "support":
            resolved_on[e.flag_id] = e.resolved_at.date()
        elif isinstance(e, EXITS):
            exits.setdefault(e.student_id, []).append(e.exited_on)
    num = den = 0
    for stu, flags in raised.items():
        if not stu.startswith("se") or f"s{1 + int(stu[2:]) % 2}" != school_id:
            continue
        if grades and not grades & grade_of[stu]:
            continue
        window = {f: on for f, on in flags.items() if START <= on <= DEADLINE}
        if not window:
            continue
        den += 1
        last = max(window.values())
        done = all(resolved_on.get(f, date.max) <= DEADLINE for f in window)
        left = any(last <= on <= DEADLINE for on in exits.get(stu, []))
        num += done or left
    return float(num), den


async def sums(sessions, goal_id: str) -> tuple[float, int]:
    async with sessions() as session:
        g = models.Goal
        row = (await session.execute(select(g.numerator, g.denominator).where(g.id == goal_id))).one()
        return row[0], row[1]


@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def test_support_exit_goals_equal_an_independent_computation_live_replayed_and_built_late(
    app, sessions
):
    setup, events = stream()
    await apply(sessions, *setup)
    async with api(app, "district_admin", D) as admin:
        made = {}
        for key, sid, population in (
            ("s1", "s1", {"kind": "school"}),
            ("s2-g4", "s2", {"kind": "grades", "grades": ["4"]}),
        ):
            goal = (await admin.post(f"/schools/{sid}/goals", json=goal_body(key, population))).json()
            activated = await admin.post(f"/goals/{goal['id']}/activate")
            assert activated.status_code == 200, activated.text
            made[key] = goal["id"]
        for i in range(0, len(events), 37):  # the stream in fetch-sized batches
            await apply(sessions, *events[i : i + 37])
        expected = {
            "s1": independent(setup, events, "s1", None),
            "s2-g4": independent(setup, events, "s2", {"4"}),
        }
        assert all(den > 10 for _, den in expected.values()) and any(num for num, _ in expected.values())
        for key, goal_id in made.items():
            assert await sums(sessions, goal_id) == expected[key], key
        await apply(sessions, *events)  # a replay of the same events changes nothing
        for key, goal_id in made.items():
            assert await sums(sessions, goal_id) == expected[key], key

        late = (await admin.post("/schools/s1/goals", json=goal_body("late", {"kind": "school"}))).json()
        assert (await admin.post(f"/goals/{late['id']}/activate")).status_code == 200
        assert await sums(sessions, late["id"]) == expected["s1"]
        read = (await admin.get(f"/goals/{made['s1']}")).json()
        num, den = expected["s1"]
        assert read["value"] == pytest.approx(100 * num / den) and read["n"] == den

        computed = (await admin.post("/schools/s1/goals", json={**goal_body("computed", {"kind": "school"}),
                                                                "baseline": None, "start": "2026-12-01"})).json()  # fmt: skip
        assert computed["baseline"]["source"] == "computed" and computed["baseline"]["n"] > 0


async def test_a_support_exit_goal_for_classes_fails_the_letter_m(app, sessions):
    await apply(sessions, school(D, "s1"), klass(D, "c1", "s1", "4"))
    async with api(app, "district_admin", D) as admin:
        body = goal_body("classes", {"kind": "classes", "class_ids": ["c1"]})
        goal = (await admin.post("/schools/s1/goals", json=body)).json()
        refused = await admin.post(f"/goals/{goal['id']}/activate")
    assert refused.status_code == 422 and refused.json()["failing_letters"] == ["M"]
