"""The pyramid over HTTP on a migrated PostgreSQL: scope, catalog, assignments, progress, exits, views."""

import asyncio
import json
import logging
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from interventions.consumers import handle_results, handle_roster
from interventions.models import StudentTier, TierChange, outbox
from interventions.testing import recorded, rostered
from plc_shared.auth import mint_dev_token
from plc_shared.events import CloudEvent
from sqlalchemy import select, update


@pytest.fixture
async def school(app) -> str:
    """A school of district-1's roster."""
    school = f"school-{uuid.uuid4().hex[:6]}"
    await roster(app, *rostered("district-1", (school,)))
    return school


def client(app, role: str, schools=(), classes=(), district="district-1") -> httpx.AsyncClient:
    token = mint_dev_token(
        app.state.settings.auth, role=role, district_id=district, school_ids=schools, class_ids=classes
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://svc",
        headers={"Authorization": f"Bearer {token}"},
    )


async def results(app, *events) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        await handle_results(session, [CloudEvent.wrap(e) for e in events])


async def roster(app, *events) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        await handle_roster(session, [CloudEvent.wrap(e) for e in events])


async def outbox_payloads(app, student: str) -> list[dict]:
    """The CloudEvents the service wrote for a student, oldest first, as the relay sends them."""
    t = outbox.table
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            select(t.c.payload).where(t.c.key == f"district-1/{student}").order_by(t.c.id)
        )
        return [json.loads(r[0]) for r in rows]


async def outbox_events(app, student: str) -> list[str]:
    t = outbox.table
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(
            select(t.c.event_type).where(t.c.key == f"district-1/{student}").order_by(t.c.id)
        )
        return [r[0] for r in rows]


CATALOG_ITEM = {
    "name": "Fractions small group",
    "tier": 2,
    "kind": "small group",
    "delivery": "pull-out",
    "dosage_minutes_per_week": 90,
    "staff": ["staff-7"],
    "schedule": "Mon/Wed/Fri 10:00",
    "directive": True,
}


async def add_intervention(app, school: str) -> dict:
    async with client(app, "school_leader", [school]) as c:
        response = await c.post(f"/interventions/v1/schools/{school}/interventions", json=CATALOG_ITEM)
    assert response.status_code == 201, response.text
    return response.json()


async def assign(app, school: str, intervention: dict, student: str, classes=("class-1",), **extra) -> dict:
    """Assigned by a teacher of the student's class (`classes`, as the roster says)."""
    await roster(app, *rostered("district-1", students={student: (school,)}, classes={student: classes}))
    body = {
        "intervention_id": intervention["id"],
        "student_id": student,
        "standard_id": "A",
        "start_on": "2026-09-07",
        "planned_weeks": 6,
        "champion": "staff-7",
        "baseline": 40,
        "goal": 70,
        "goal_date": "2026-10-19",
        "monitoring_every_days": 7,
        **extra,
    }
    async with client(app, "teacher", [school], classes=list(classes)) as c:
        response = await c.post("/interventions/v1/assignments", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_catalog_is_per_school_and_only_leaders_add_to_it(app, school):
    created = await add_intervention(app, school)
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        assert (await c.get(f"/interventions/v1/schools/{school}/interventions")).json() == [created]
        denied = await c.post(f"/interventions/v1/schools/{school}/interventions", json=CATALOG_ITEM)
        assert denied.status_code == 403
        assert denied.headers["content-type"] == "application/problem+json"
    # Another school of the district is out of scope: the same 404 as a school nobody has (issue 21 changed
    # this from a 403, which told the caller the school exists).
    async with client(app, "school_leader", ["another-school"]) as c:
        assert (await c.get(f"/interventions/v1/schools/{school}/interventions")).status_code == 404
    async with client(app, "district_admin", district="district-2") as c:  # district-2 has no such school
        assert (await c.get(f"/interventions/v1/schools/{school}/interventions")).status_code == 404


async def test_a_catalog_entry_is_edited_and_retired_by_a_leader_and_its_assignments_keep_it(app, school):
    """Issue 24: the pyramid's entries are edited (JSON merge patch) and retired; a retired entry is not
    offered (listed only with include_retired, refused for a new assignment) and its assignments keep it."""
    created = await add_intervention(app, school)
    assignment = await assign(app, school, created, "stu-retired")
    path = f"/interventions/v1/interventions/{created['id']}"
    listing = f"/interventions/v1/schools/{school}/interventions"
    async with client(app, "school_leader", [school]) as c:
        renamed = await c.patch(
            path, json={"name": "Fractions small group (Tue/Thu)", "dosage_minutes_per_week": 60}
        )
        assert renamed.status_code == 200, renamed.text
        assert renamed.json() == {
            **created,
            "name": "Fractions small group (Tue/Thu)",
            "dosage_minutes_per_week": 60,
            "retired": False,
        }
        null = await c.patch(path, json={"name": None})
        blank = await c.patch(path, json={"name": "", "tier": 4})
        retired = await c.patch(path, json={"retired": True})
        offered = (await c.get(listing)).json()
        every = (await c.get(listing, params={"include_retired": "true"})).json()
    assert null.status_code == 422 and null.headers["content-type"] == "application/problem+json"
    assert blank.status_code == 422
    assert {tuple(e["location"]) for e in blank.json()["errors"]} == {("body", "name"), ("body", "tier")}
    assert retired.status_code == 200 and retired.json()["retired"] is True
    assert offered == [] and [e["id"] for e in every] == [created["id"]]
    body = {k: assignment[k] for k in ("student_id", "start_on", "planned_weeks", "champion", "goal_date")}
    body |= {"intervention_id": created["id"], "standard_id": "B", "baseline": 40, "goal": 70}
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        refused = await c.post("/interventions/v1/assignments", json=body)
        kept = await c.get(f"/interventions/v1/assignments/{assignment['id']}")
        teacher_edit = await c.patch(path, json={"retired": False})
    assert refused.status_code == 409
    assert refused.json()["errors"] == [
        {"location": ["body", "intervention_id"], "message": "retired: choose another intervention"}
    ]
    assert kept.status_code == 200 and kept.json()["intervention_id"] == created["id"]
    assert teacher_edit.status_code == 403
    # Another school's leader and another district: the 404 of an entry that does not exist.
    async with client(app, "school_leader", ["another-school"]) as c:
        other_school = await c.patch(path, json={"retired": False})
    async with client(app, "district_admin", district="district-2") as c:
        other_district = await c.patch(path, json={"retired": False})
        missing = await c.patch(f"/interventions/v1/interventions/{uuid.uuid4()}", json={"retired": False})
    assert other_school.status_code == other_district.status_code == missing.status_code == 404
    async with client(app, "school_leader", [school]) as c:
        restored = await c.patch(path, json={"retired": False})
        assert [e["id"] for e in (await c.get(listing)).json()] == [created["id"]]
    assert restored.json()["retired"] is False


async def test_progress_gives_the_rate_of_improvement_against_the_goal_line(app, school):
    """The figures only: the web app draws the chart from them (the service has no chart route any more)."""
    intervention = await add_intervention(app, school)
    assignment = await assign(app, school, intervention, "stu-progress")
    assert await outbox_events(app, "stu-progress") == ["org.plc.interventions.intervention.assigned.v1"]
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        for week, score in enumerate([40, 44, 49, 52]):
            day = date(2026, 9, 7) + timedelta(weeks=week)
            r = await c.post(
                f"/interventions/v1/assignments/{assignment['id']}/progress",
                json={"measured_on": str(day), "score": score},
            )
            assert r.status_code == 200, r.text
        read = r.json()
        chart = await c.get(f"/interventions/v1/assignments/{assignment['id']}/chart.svg")
    assert read["rate_of_improvement"] == pytest.approx(4.1)
    assert read["goal_rate"] == pytest.approx(5.0)
    assert read["on_track"] is False
    assert [p["score"] for p in read["points"]] == [40, 44, 49, 52]
    assert chart.status_code == 404


async def test_exit_names_reason_and_evidence_can_lower_the_tier_and_happens_once(app, school):
    """The reason and the evidence are kept and read here; the event carries the reason's code only."""
    student = f"stu-{uuid.uuid4().hex[:6]}"
    await results(app, recorded(student, {"A": 10, "B": 10, "C": 10}, school=school))  # escalates to tier 2
    assignment = await assign(app, school, await add_intervention(app, school), student)
    evidence = "Zora Quist now reads 92 wpm"  # free text about a student, with her name in it
    body = {"exited_on": "2026-10-20", "reason": "Goal  met", "evidence": evidence, "to_tier": 1}
    body["goal_met_confirmed"] = True  # no progress point recorded: "Goal met" needs the team's word
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        exited = await c.post(f"/interventions/v1/assignments/{assignment['id']}/exit", json=body)
        again = await c.post(f"/interventions/v1/assignments/{assignment['id']}/exit", json=body)
    assert exited.status_code == 200 and exited.json()["status"] == "exited"
    assert exited.json()["exit_evidence"] == evidence and exited.json()["exit_reason"] == "Goal  met"
    assert again.status_code == 409
    events = await outbox_payloads(app, student)
    assert [e["type"].removeprefix("org.plc.interventions.") for e in events[-3:]] == [
        "intervention.assigned.v1", "student.exited.v2", "tier.changed.v1"
    ]  # fmt: skip
    exit_event, tier_event = events[-2]["data"], events[-1]["data"]
    assert exit_event["reason_code"] == "goal_met" and not {"reason", "evidence"} & set(exit_event)
    assert tier_event["reason"] == "exit" and tier_event["rule"] is None
    assert not [e for e in events if "Zora" in json.dumps(e)]


async def test_a_tier_decisions_reason_stays_in_the_service(app, school):
    student = f"stu-{uuid.uuid4().hex[:6]}"
    await results(app, recorded(student, {"A": 10}, school=school))
    why = "Zora Quist's mother asked for more support"
    async with client(app, "school_leader", [school]) as c:
        decided = await c.put(f"/interventions/v1/students/{student}/tier", json={"tier": 3, "reason": why})
        record = (await c.get(f"/interventions/v1/students/{student}")).json()
    assert decided.status_code == 200 and record["tier"]["history"][0]["rule"] == why  # read here, scoped
    [changed] = [e["data"] for e in await outbox_payloads(app, student) if ".tier.changed." in e["type"]]
    assert (changed["reason"], changed["to_tier"], changed["rule"]) == ("decision", 3, None)


async def test_flags_are_scoped_to_the_callers_school_and_classes_with_their_age_and_tier(app, school):
    mine = recorded("stu-mine", {"A": 30}, school=school, classes=("class-mine",))
    other = recorded("stu-other", {"A": 30}, school=school, classes=("class-other",))
    elsewhere = recorded("stu-elsewhere", {"A": 30}, school=f"{school}-x")
    await results(app, mine, other, elsewhere)
    async with client(app, "teacher", [school], classes=["class-mine"]) as c:
        teacher = (await c.get("/interventions/v1/flags", params={"school_id": school})).json()
    async with client(app, "school_leader", [school]) as c:
        leader = (await c.get("/interventions/v1/flags")).json()
        by_class = (await c.get("/interventions/v1/flags", params={"class_id": "class-other"})).json()
        tier_two = (await c.get("/interventions/v1/flags", params={"tier": 2})).json()
    assert [f["student_id"] for f in teacher] == ["stu-mine"]
    assert sorted(f["student_id"] for f in leader) == ["stu-mine", "stu-other"]
    assert [f["student_id"] for f in by_class] == ["stu-other"]
    assert tier_two == []
    assert leader[0]["age_days"] >= 0 and leader[0]["tier"] == 1 and leader[0]["cut"] == 70


async def test_tier_decisions_the_distribution_and_the_overdue_list(app, school):
    students = [f"stu-{school}-{i}" for i in range(10)]
    await results(app, *[recorded(s, {"A": 80}, school=school) for s in students[:7]])
    await results(app, *[recorded(s, {"A": 10, "B": 10, "C": 10}, school=school) for s in students[7:]])
    async with client(app, "school_leader", [school]) as c:
        decided = await c.put(
            f"/interventions/v1/students/{students[9]}/tier", json={"tier": 3, "reason": "no response"}
        )
        assert decided.status_code == 200 and decided.json()["tier"] == 3
        distribution = (await c.get(f"/interventions/v1/schools/{school}/tiers")).json()
        chart = await c.get(f"/interventions/v1/schools/{school}/tiers.svg")
        assert (await c.get(f"/interventions/v1/schools/{school}/overdue")).json() == []
        async with app.state.engine.begin() as conn:  # two weeks pass with no intervention assigned
            await conn.execute(
                update(StudentTier)
                .where(StudentTier.school_id == school)
                .values(since=datetime.now(UTC) - timedelta(days=14))
            )
        overdue = (await c.get(f"/interventions/v1/schools/{school}/overdue")).json()
        unknown = await c.put("/interventions/v1/students/nobody/tier", json={"tier": 1, "reason": "x"})
    assert [(t["tier"], t["count"]) for t in distribution["tiers"]] == [(1, 7), (2, 2), (3, 1)]
    assert distribution["tiers"][0]["guidance"] == 0.8
    assert chart.status_code == 404  # the web app draws the distribution from the JSON
    assert sorted(o["student_id"] for o in overdue) == students[7:]
    assert all(o["school_days"] >= 9 for o in overdue)
    assert unknown.status_code == 404


async def test_effectiveness_is_the_share_whose_next_result_reached_proficiency(app, school):
    intervention = await add_intervention(app, school)
    for student, next_score in (("eff-1", 80), ("eff-2", 50), ("eff-3", None)):
        await results(app, recorded(student, {"A": 30}, school=school, assessed_on=date(2026, 9, 1)))
        await assign(app, school, intervention, student)
        if next_score is not None:
            await results(
                app, recorded(student, {"A": next_score}, school=school, assessed_on=date(2026, 9, 20))
            )
    async with client(app, "school_leader", [school]) as c:
        [row] = (await c.get(f"/interventions/v1/schools/{school}/effectiveness")).json()
    assert (row["assigned"], row["with_next_result"], row["reached_proficiency"], row["share"]) == (
        3,
        2,
        1,
        0.5,
    )


async def test_school_rules_round_trip_and_reject_inconsistent_cuts(app, school):
    async with client(app, "school_leader", [school]) as c:
        body = {"proficiency_cut": 60, "mastery_cut": 85, "escalation_open_flags": 2}
        assert (await c.put(f"/interventions/v1/schools/{school}/rules", json=body)).status_code == 200
        got = (await c.get(f"/interventions/v1/schools/{school}/rules")).json()
        bad = await c.put(f"/interventions/v1/schools/{school}/rules", json={"proficiency_cut": 60})
    assert (got["proficiency_cut"], got["escalation_open_flags"], got["reflag_weeks"]) == (60, 2, 6)
    assert bad.status_code == 422


async def test_a_team_decision_resolves_a_flag_once_and_a_new_low_result_flags_again(app, school):
    student = f"stu-{uuid.uuid4().hex[:6]}"
    await results(app, recorded(student, {"A": 30}, school=school))
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        [flag] = (await c.get("/interventions/v1/flags", params={"school_id": school})).json()
        resolved = await c.post(
            f"/interventions/v1/flags/{flag['id']}/resolve", json={"reason": "passed the reteach quiz"}
        )
        again = await c.post(f"/interventions/v1/flags/{flag['id']}/resolve", json={"reason": "twice"})
        assert resolved.status_code == 200 and again.status_code == 409
        assert (await c.get("/interventions/v1/flags", params={"school_id": school})).json() == []
        await results(app, recorded(student, {"A": 20}, school=school))
        [new] = (await c.get("/interventions/v1/flags", params={"school_id": school})).json()
    assert new["id"] != flag["id"] and new["score"] == 20
    assert (await outbox_events(app, student))[1] == "org.plc.interventions.flag.resolved.v1"


async def test_flags_filter_by_tier_and_standard(app, school):
    await results(app, recorded("stu-t2", {"A": 10, "B": 10, "C": 10}, school=school))  # three flags: tier 2
    await results(app, recorded("stu-t1", {"A": 10}, school=school))
    async with client(app, "school_leader", [school]) as c:
        tier_two = (await c.get("/interventions/v1/flags", params={"school_id": school, "tier": 2})).json()
        on_a = (
            await c.get("/interventions/v1/flags", params={"school_id": school, "standard_id": "A"})
        ).json()
    assert sorted((f["student_id"], f["standard_id"], f["tier"]) for f in tier_two) == [
        ("stu-t2", "A", 2),
        ("stu-t2", "B", 2),
        ("stu-t2", "C", 2),
    ]
    assert sorted(f["student_id"] for f in on_a) == ["stu-t1", "stu-t2"]
    async with client(app, "school_leader", [school]) as c:
        pages = [
            (
                await c.get("/interventions/v1/flags", params={"school_id": school, "limit": 2, "offset": o})
            ).json()
            for o in (0, 2)
        ]
    assert [len(p) for p in pages] == [2, 2]
    assert {f["id"] for f in pages[0]}.isdisjoint(f["id"] for f in pages[1])


async def test_student_level_reads_are_audited_with_who_read_which_students(app, school, caplog):
    await results(app, recorded("stu-audited", {"A": 30}, school=school))
    caplog.set_level(logging.INFO, logger="plc.audit")
    async with client(app, "school_leader", [school]) as c:
        assert (await c.get("/interventions/v1/flags", params={"school_id": school})).status_code == 200
    [record] = [r.audit for r in caplog.records if r.name == "plc.audit"]
    assert (record["role"], record["action"], record["student_ids"]) == (
        "school_leader",
        "flags",
        ["stu-audited"],
    )
    assert (record["district_id"], record["subject"][:17]) == ("district-1", "dev-school_leader")


async def test_an_assignment_reads_with_its_status_and_after_the_exit_its_reason(app, school):
    assignment = await assign(app, school, await add_intervention(app, school), "stu-read")
    path = f"/interventions/v1/assignments/{assignment['id']}"
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        active = await c.get(path)
        exit_body = {"exited_on": "2026-10-20", "reason": "goal met", "evidence": "three points above 70"}
        exit_body["goal_met_confirmed"] = True  # no progress point recorded here
        assert (await c.post(f"{path}/exit", json=exit_body)).status_code == 200
        exited = await c.get(path)
    assert active.status_code == 200 and active.json() == assignment
    assert exited.json()["status"] == "exited" and exited.json()["exit_reason"] == "goal met"
    async with client(app, "teacher", ["another-school"]) as c:
        assert (await c.get(path)).status_code == 404


async def test_a_progress_point_out_of_range_or_before_the_start_is_a_422_and_none_after_the_exit(
    app, school
):
    assignment = await assign(app, school, await add_intervention(app, school), "stu-range")
    path = f"/interventions/v1/assignments/{assignment['id']}"
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        too_high = await c.post(f"{path}/progress", json={"measured_on": "2026-09-14", "score": 140})
        negative = await c.post(f"{path}/progress", json={"measured_on": "2026-09-14", "score": -1})
        early = await c.post(f"{path}/progress", json={"measured_on": "2026-09-01", "score": 50})
        exit_body = {"exited_on": "2026-10-20", "reason": "left the school", "evidence": "e"}
        assert (await c.post(f"{path}/exit", json=exit_body)).status_code == 200
        closed = await c.post(f"{path}/progress", json={"measured_on": "2026-10-21", "score": 80})
        points = (await c.get(f"{path}/progress")).json()["points"]
    for answer in (too_high, negative, early):
        assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert too_high.json()["errors"][0]["location"] == ["body", "score"]
    assert early.json()["errors"] == [
        {"location": ["body", "measured_on"], "message": "on or after 2026-09-07"}
    ]
    assert closed.status_code == 409
    assert points == []


async def test_a_second_active_assignment_of_the_same_intervention_and_standard_is_a_409(app, school):
    """Issue 24: assigning the same one twice made two active assignments. Another standard, another
    intervention, or the same one after the exit are new assignments; two at once (a double-click) make one."""
    intervention = await add_intervention(app, school)
    first = await assign(app, school, intervention, "stu-twice")
    body = {**{k: first[k] for k in ("student_id", "standard_id", "start_on", "planned_weeks", "champion")}}
    body |= {"intervention_id": intervention["id"], "baseline": 40, "goal": 70, "goal_date": "2026-10-19"}
    path = "/interventions/v1/assignments"
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        again = await c.post(path, json=body)
        other_standard = await c.post(path, json={**body, "standard_id": "B"})
        exit_body = {"exited_on": "2026-10-20", "reason": "left the school", "evidence": "moved away"}
        assert (await c.post(f"{path}/{first['id']}/exit", json=exit_body)).status_code == 200
        after_exit = await c.post(path, json=body)
        twice_at_once = await asyncio.gather(
            *(c.post(path, json={**body, "standard_id": "C"}) for _ in range(2))
        )
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    assert first["id"] in again.json()["detail"]
    assert again.json()["errors"] == [
        {"location": ["body", "intervention_id"], "message": "already active for this student"}
    ]
    assert other_standard.status_code == 201 and after_exit.status_code == 201
    assert sorted(r.status_code for r in twice_at_once) == [201, 409]


async def test_progress_dated_after_tomorrow_is_a_422(app, school):
    """Issue 24: points dated two weeks ahead counted toward "on track". Tomorrow is allowed (a school east
    of UTC is a day ahead of the server's date)."""
    assignment = await assign(app, school, await add_intervention(app, school), "stu-future")
    path = f"/interventions/v1/assignments/{assignment['id']}/progress"
    today = datetime.now(UTC).date()
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        ahead = await c.post(path, json={"measured_on": str(today + timedelta(days=14)), "score": 90})
        tomorrow = await c.post(path, json={"measured_on": str(today + timedelta(days=1)), "score": 50})
    assert ahead.status_code == 422 and ahead.headers["content-type"] == "application/problem+json"
    assert ahead.json()["errors"] == [{"location": ["body", "measured_on"], "message": "not after today"}]
    assert tomorrow.status_code == 200 and [p["score"] for p in tomorrow.json()["points"]] == [50]


async def test_exit_evidence_and_reason_must_say_something(app, school):
    assignment = await assign(app, school, await add_intervention(app, school), "stu-blank")
    path = f"/interventions/v1/assignments/{assignment['id']}/exit"
    exit_body = {"exited_on": "2026-10-20", "reason": "left the school", "evidence": "   "}
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        blank = await c.post(path, json=exit_body)
        no_reason = await c.post(path, json={**exit_body, "reason": " \t", "evidence": "moved"})
        missing = await c.post(path, json={"exited_on": "2026-10-20", "reason": "left the school"})
        still = await c.get(f"/interventions/v1/assignments/{assignment['id']}")
    for answer, field in ((blank, "evidence"), (no_reason, "reason"), (missing, "evidence")):
        assert answer.status_code == 422, answer.text
        assert [e["location"] for e in answer.json()["errors"]] == [["body", field]]
    assert still.json()["status"] == "active"


async def test_goal_met_needs_the_last_point_at_the_goal_or_a_confirmation(app, school):
    """Issue 24: "Goal met" at 60 against a goal of 70 was accepted. The last point decides (not the best)."""
    assignment = await assign(app, school, await add_intervention(app, school), "stu-goal-met")
    path = f"/interventions/v1/assignments/{assignment['id']}"
    exit_body = {"exited_on": "2026-10-20", "reason": "Goal met", "evidence": "probe scores"}
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        no_points = await c.post(f"{path}/exit", json=exit_body)
        for day, score in (("2026-09-14", 75), ("2026-09-21", 60)):
            assert (
                await c.post(f"{path}/progress", json={"measured_on": day, "score": score})
            ).status_code == 200
        below = await c.post(f"{path}/exit", json=exit_body)
        assert (
            await c.post(f"{path}/progress", json={"measured_on": "2026-09-28", "score": 70})
        ).status_code == 200
        at_goal = await c.post(f"{path}/exit", json=exit_body)
    assert no_points.status_code == 422 and "no progress point" in no_points.json()["detail"]
    assert below.status_code == 422 and below.json()["errors"] == [
        {"location": ["body", "reason"], "message": "the last progress point is 60, below the goal of 70"}
    ]
    assert at_goal.status_code == 200 and at_goal.json()["exit_reason"] == "Goal met"

    confirmed = await assign(app, school, await add_intervention(app, school), "stu-goal-confirmed")
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        answer = await c.post(
            f"/interventions/v1/assignments/{confirmed['id']}/exit",
            json={**exit_body, "goal_met_confirmed": True},
        )
    assert answer.status_code == 200 and answer.json()["status"] == "exited"


async def test_effectiveness_says_the_exits_with_the_goal_met_and_the_median_rate_of_improvement(app, school):
    """Issue 24: a leader's dashboard reads per intervention the share of exits with the goal met and how fast
    the monitored students gained (points per week, least squares over each assignment's progress points)."""
    intervention = await add_intervention(app, school)
    plans = {"eff-met": ([40, 55, 72], "goal met"), "eff-not": ([40, 41, 43], "goal not met: a different intervention"),
             "eff-on": ([40, 50], None), "eff-new": ([], None)}  # fmt: skip
    async with client(app, "teacher", [school], classes=["class-1"]) as c:
        for student, (scores, reason) in plans.items():
            assignment = await assign(app, school, intervention, student)
            for week, score in enumerate(scores):
                day = date(2026, 9, 7) + timedelta(weeks=week)
                body = {"measured_on": str(day), "score": score}
                r = await c.post(f"/interventions/v1/assignments/{assignment['id']}/progress", json=body)
                assert r.status_code == 200, r.text
            if reason:
                body = {"exited_on": "2026-10-20", "reason": reason, "evidence": "weekly probes"}
                r = await c.post(f"/interventions/v1/assignments/{assignment['id']}/exit", json=body)
                assert r.status_code == 200, r.text
    async with client(app, "school_leader", [school]) as c:
        [row] = (await c.get(f"/interventions/v1/schools/{school}/effectiveness")).json()
    assert (row["assigned"], row["exited"], row["exited_goal_met"], row["goal_met_share"]) == (4, 2, 1, 0.5)
    # rates: 16 (40, 55, 72), 1.5 (40, 41, 43), 10 (40, 50) points a week; the new one has no rate yet
    assert (row["monitored"], row["median_rate_of_improvement"]) == (3, 10.0)


async def test_the_tier_history_gives_the_distribution_at_the_end_of_each_week(app, school):
    students = [f"stu-{school}-h{i}" for i in range(4)]
    await results(app, *[recorded(s, {"A": 80}, school=school) for s in students])
    async with client(app, "school_leader", [school]) as c:
        decided = await c.put(
            f"/interventions/v1/students/{students[0]}/tier", json={"tier": 3, "reason": "x"}
        )
        assert decided.status_code == 200
        async with app.state.engine.begin() as conn:  # the decision was three weeks ago
            await conn.execute(
                update(TierChange)
                .where(TierChange.student_id == students[0])
                .values(changed_at=datetime.now(UTC) - timedelta(days=20))
            )
        await c.put(f"/interventions/v1/students/{students[1]}/tier", json={"tier": 2, "reason": "y"})
        history = (
            await c.get(f"/interventions/v1/schools/{school}/tiers/history", params={"weeks": 5})
        ).json()
        too_many = await c.get(f"/interventions/v1/schools/{school}/tiers/history", params={"weeks": 53})
    counts = [[t["count"] for t in w["tiers"]] for w in history["weeks"]]
    assert history["students"] == 4 and len(counts) == 5
    assert counts == [[4, 0, 0], [4, 0, 0], [3, 0, 1], [3, 0, 1], [2, 1, 1]]
    assert history["weeks"][-1]["week_ending"] == str(datetime.now(UTC).date())
    assert too_many.status_code == 422
