"""Teams and goals over HTTP: the leadership rule, SMART activation, versions, progress from events, tenancy."""

from datetime import date

import pytest
from goals import models
from goals.rules import run_chart
from goals.testing import api, apply, assessment, klass, result, school, staff, student, voided
from plc_shared.db import create_engine, make_sessionmaker
from sqlalchemy import select

D = "d1"
SETUP = [
    school(D, "s1"),
    school("d2", "s1"),
    staff(D, "admin", "administrator", "s1"),
    *[staff(D, f"t{i}", "teacher", "s1") for i in range(7)],
    assessment(D, "a1", ["std1"]),
]
GOAL = {
    "title": "Fractions",
    "measure": {"kind": "proficient", "assessment_id": "a1"},
    "population": {"kind": "school"},
    "baseline": {"value": 20.0},
    "target": 80.0,
    "start": "2026-09-01",
    "deadline": "2027-05-20",
}


@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=2)
    maker = make_sessionmaker(engine)
    await apply(maker, *SETUP)
    yield maker
    await engine.dispose()


@pytest.mark.parametrize(
    ("members", "status"),
    [
        (["admin", "t0", "t1"], 422),
        (["admin", "t0", "t1", "t2", "t3", "t4", "t5"], 422),
        (["t0", "t1", "t2", "t3"], 422),
        (["admin", "t0", "t1", "nobody"], 422),
    ],
)
async def test_a_leadership_team_breaking_the_rule_is_a_422_naming_it(app, sessions, members, status):
    async with api(app, "school_leader", D, ["s1"]) as client:
        body = {"kind": "leadership", "name": "LT", "member_ids": members}
        response = await client.post("/schools/s1/teams", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == ["body", "members"]


async def test_teams_goals_activation_versions_and_progress(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        lt = await leader.post(
            "/schools/s1/teams",
            json={"kind": "leadership", "name": "LT", "member_ids": ["admin", "t0", "t1", "t2"]},
        )
        assert lt.status_code == 201, lt.text
        assert {m["role"] for m in lt.json()["members"]} == {"administrator", "teacher"}
        bad = await leader.post(
            "/schools/s1/goals", json={**GOAL, "measure": {"kind": "proficient", "assessment_id": "zz"}}
        )
        assert bad.status_code == 201  # a draft may fail
        refused = await leader.post(f"/goals/{bad.json()['id']}/activate")
        assert refused.status_code == 422 and refused.json()["failing_letters"] == ["M"]
        goal = (await leader.post("/schools/s1/goals", json=GOAL)).json()
        assert goal["smart"]["passed"], goal["smart"]
        active = await leader.post(f"/goals/{goal['id']}/activate")
        assert active.status_code == 200 and active.json()["status"] == "active"
        events = [
            result(D, f"stu{i}", "s1", "a1", {"std1": 50.0 + 10 * i}, on=date(2026, 10, 1)) for i in range(4)
        ]
        await apply(sessions, *events)
        assert (await leader.get(f"/goals/{goal['id']}")).json()["value"] == 50.0  # 70 and 80 of 50..80
        await apply(sessions, voided(events[3], 2))
        after = (await leader.get(f"/goals/{goal['id']}")).json()
        assert (after["value"], after["n"]) == (pytest.approx(100 / 3), 3)
        edited = await leader.patch(f"/goals/{goal['id']}", json={"target": 90.0})
        assert edited.json()["version"] == 2
        versions = (await leader.get(f"/goals/{goal['id']}/versions")).json()
        assert [(v["version"], v["target"]) for v in versions] == [(1, 80.0), (2, 90.0)]
        series = (await leader.get(f"/goals/{goal['id']}/progress")).json()
        assert series["points"] and series["points"][-1]["expected"] is not None
        listed = (await leader.get("/schools/s1/goals")).json()
        assert {g["id"] for g in listed} == {goal["id"], bad.json()["id"]}


async def test_bad_input_names_the_field(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        worse = await leader.post("/schools/s1/goals", json={**GOAL, "target": 10.0})
        late = await leader.post("/schools/s1/goals", json={**GOAL, "deadline": "2026-01-01"})
    assert worse.status_code == 422 and worse.json()["errors"][0]["location"] == ["body", "target"]
    assert late.status_code == 422 and late.json()["errors"][0]["location"] == ["body", "deadline"]


async def test_another_districts_school_and_goal_are_404_like_missing_ones(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=GOAL)).json()
    async with api(app, "district_admin", "d2") as other:
        assert (await other.get(f"/goals/{goal['id']}")).status_code == 404
        assert (await other.get("/goals/00000000-0000-0000-0000-000000000000")).status_code == 404
        assert (await other.get("/schools/s9/goals")).status_code == 404
    async with api(app, "teacher", D, ["s1"], subject="t5") as teacher:  # not a member of any team
        assert (await teacher.post("/schools/s1/goals", json=GOAL)).status_code == 403


async def test_a_pdsa_cycle_through_plan_do_study_act_with_its_gates(app, sessions):
    await apply(sessions, assessment(D, "a9", ["std9"]))
    goal_body = {**GOAL, "title": "Inference", "measure": {"kind": "proficient", "assessment_id": "a9"}}
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=goal_body)).json()
        draft = await leader.post(f"/goals/{goal['id']}/cycles", json={"question": "q", "change_idea": "c"})
        assert draft.status_code == 409  # a draft goal has no cycles yet
        assert (await leader.post(f"/goals/{goal['id']}/activate")).status_code == 200
        cycles = f"/goals/{goal['id']}/cycles"
        plan = {
            "question": "Do exit tickets raise proficiency on inference?",
            "change_idea": "Daily exit tickets with next-day regrouping",
            "tasks": [{"who": "t0", "what": "write the exit tickets", "when": "2026-09-28"}],
        }
        created = await leader.post(cycles, json=plan)
        assert created.status_code == 201, created.text
        cycle = created.json()
        assert (cycle["phase"], cycle["number"], cycle["plan"]["prediction"]) == ("plan", 1, None)
        at = f"{cycles}/{cycle['id']}"

        early = await leader.post(f"{at}/study", json={})
        assert early.status_code == 422 and early.headers["content-type"] == "application/problem+json"
        assert (early.json()["step"], early.json()["phase"]) == ("study", "plan")
        assert (
            await leader.post(f"{at}/act", json={"decision": "adopt", "rationale": "r"})
        ).status_code == 422
        do = {"started_on": "2026-10-01", "as_planned": True, "observations": "two classes skipped Friday"}
        unpredicted = await leader.post(f"{at}/do", json=do)
        assert unpredicted.status_code == 422
        assert unpredicted.json()["errors"][0]["location"] == ["body", "plan", "prediction"]
        assert unpredicted.json()["step"] == "do"

        predicted = await leader.patch(f"{at}/plan", json={"prediction": {"value": 60.0, "by": "2026-11-15"}})
        assert predicted.status_code == 200 and predicted.json()["plan"]["prediction"]["value"] == 60.0
        started = await leader.post(f"{at}/do", json=do)
        assert started.status_code == 200 and started.json()["phase"] == "do", started.text
        frozen = await leader.patch(f"{at}/plan", json={"question": "another"})
        assert frozen.status_code == 422 and frozen.json()["step"] == "plan"

        await apply(sessions, result(D, "p0", "s1", "a9", {"std9": 40.0}, on=date(2026, 9, 20)))
        no_result = await leader.post(f"{at}/study", json={})  # a point, but before the Do start
        assert no_result.status_code == 422 and no_result.json()["errors"][0]["location"] == [
            "body",
            "result",
        ]

        scores = [90, 40, 95, 85, 30, 90, 80, 75, 35, 90, 85, 80]
        for day, score in enumerate(scores, 2):
            await apply(
                sessions, result(D, f"p{day}", "s1", "a9", {"std9": float(score)}, on=date(2026, 10, day))
            )
        studied = await leader.post(f"{at}/study", json={"notes": "proficiency rose"})
        assert studied.status_code == 200, studied.text
        study = studied.json()["study"]
        series = (await leader.get(f"/goals/{goal['id']}/progress")).json()["points"]
        window = [p for p in series if p["on"] >= "2026-10-01"]
        assert [p["on"] for p in study["points"]] == [p["on"] for p in window]
        assert len(study["points"]) == len(scores)
        values = [p["value"] for p in window]
        assert study["observed"] == pytest.approx(values[-1]) and study["predicted"] == 60.0
        assert study["difference"] == pytest.approx(values[-1] - 60.0)
        run = run_chart(values)
        assert study["run_chart"] == {**run.__dict__, "median": pytest.approx(run.median)}
        assert study["run_chart"]["n"] > 0 and study["run_chart"]["longest_run_limit"] is not None

        acted = await leader.post(
            f"{at}/act", json={"decision": "adapt", "rationale": "regroup twice a week"}
        )
        assert acted.status_code == 200, acted.text
        closed = acted.json()
        assert closed["phase"] == "closed" and closed["act"]["decision"] == "adapt"
        nxt = (await leader.get(f"{cycles}/{closed['next_cycle_id']}")).json()
        assert (nxt["phase"], nxt["number"], nxt["previous_cycle_id"]) == ("plan", 2, cycle["id"])
        assert (nxt["plan"]["question"], nxt["plan"]["tasks"]) == (plan["question"], closed["plan"]["tasks"])
        again = await leader.post(f"{at}/act", json={"decision": "adopt", "rationale": "r"})
        assert again.status_code == 422 and again.json()["phase"] == "closed"
        assert [c["id"] for c in (await leader.get(cycles)).json()] == [cycle["id"], nxt["id"]]
    async with sessions() as session:
        outbox = models.Base.metadata.tables["outbox"]
        types = (
            await session.scalars(select(outbox.c.event_type).where(outbox.c.key == f"{D}/{goal['id']}"))
        ).all()
    assert types.count("org.plc.goals.pdsa.cycle.completed.v1") == 1

    async with api(app, "district_admin", "d2") as other:
        assert (await other.get(cycles)).status_code == 404
        assert (await other.get(at)).status_code == 404
        assert (await other.post(cycles, json=plan)).status_code == 404
        assert (
            await other.post(f"{at}/act", json={"decision": "adopt", "rationale": "r"})
        ).status_code == 404
    async with api(app, "school_leader", D, ["s1"]) as leader:
        missing = await leader.get(f"{cycles}/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404 and missing.json()["title"] == "PDSA cycle not found"
    async with api(app, "teacher", D, ["s1"], subject="t5") as teacher:  # not a member of any team
        assert (await teacher.post(cycles, json=plan)).status_code == 403
        assert (await teacher.get(cycles)).status_code == 200


async def test_the_progress_json_carries_every_figure_the_web_app_charts(app, sessions):
    """The web app draws a goal's chart from this JSON (and the goal's interim targets, cycles and versions):
    the service serves figures, not pictures, so there is no chart route any more."""
    await apply(sessions, assessment(D, "a2", ["std2"]))
    body = {**GOAL, "title": "Grade 4 fractions", "measure": {"kind": "proficient", "assessment_id": "a2"},
            "interim_targets": [{"on": "2027-01-15", "value": 50.0}]}  # fmt: skip
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=body)).json()
        assert (await leader.post(f"/goals/{goal['id']}/activate")).status_code == 200
        for k, on in enumerate((date(2026, 10, 1), date(2026, 11, 2), date(2026, 12, 1))):
            await apply(
                sessions,
                *[result(D, f"c{i}", "s1", "a2", {"std2": 40.0 + 10 * (i + k)}, on=on) for i in range(5)],
            )
        series = (await leader.get(f"/goals/{goal['id']}/progress")).json()
        read = (await leader.get(f"/goals/{goal['id']}")).json()
        gone = await leader.get(f"/goals/{goal['id']}/chart.svg")
    known = [(p["on"], p["value"]) for p in series["points"] if p["value"] is not None]
    assert [on for on, _ in known] == ["2026-10-01", "2026-11-02", "2026-12-01"]
    assert (series["baseline"], series["target"], series["start"], series["deadline"]) == (
        20.0, 80.0, "2026-09-01", "2027-05-20")  # fmt: skip
    assert series["status"] and series["projection"] is not None
    assert (
        read["interim_targets"] == [{"on": "2027-01-15", "value": 50.0}]
        and read["title"] == "Grade 4 fractions"
    )
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("path_body", "loc"),
    [
        ({"team": {"class_ids": ["c1", "nope"]}}, ["body", "class_ids"]),
        ({"team": {"class_ids": ["c-other-school"]}}, ["body", "class_ids"]),
        ({"team": {"grades": ["4", "13"]}}, ["body", "grades"]),
        ({"goal": {"kind": "classes", "class_ids": ["nope"]}}, ["body", "population", "class_ids"]),
        ({"goal": {"kind": "grades", "grades": ["K9"]}}, ["body", "population", "grades"]),
    ],
)
async def test_classes_and_grades_must_be_on_the_roster(app, sessions, path_body, loc):
    await apply(
        sessions, school(D, "s2"), klass(D, "c1", "s1", "4"), klass(D, "c-other-school", "s2", "4"),
        student(D, "roster-kid", "s1", "4"),
    )  # fmt: skip
    async with api(app, "school_leader", D, ["s1"]) as leader:
        if "team" in path_body:
            body = {"kind": "collaborative", "name": "G4", "member_ids": ["t0", "t1"], **path_body["team"]}
            response = await leader.post("/schools/s1/teams", json=body)
        else:
            response = await leader.post("/schools/s1/goals", json={**GOAL, "population": path_body["goal"]})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == loc


async def test_known_classes_and_grades_are_accepted(app, sessions):
    await apply(sessions, klass(D, "c1", "s1", "4"), student(D, "roster-kid", "s1", "4"))
    async with api(app, "school_leader", D, ["s1"]) as leader:
        team = {
            "kind": "collaborative",
            "name": "G4",
            "member_ids": ["t0", "t1"],
            "class_ids": ["c1"],
            "grades": ["4"],
        }
        assert (await leader.post("/schools/s1/teams", json=team)).status_code == 201
        by_class = {**GOAL, "population": {"kind": "classes", "class_ids": ["c1"]}}
        assert (await leader.post("/schools/s1/goals", json=by_class)).status_code == 201
        by_grade = {**GOAL, "population": {"kind": "grades", "grades": ["4"]}}
        assert (await leader.post("/schools/s1/goals", json=by_grade)).status_code == 201


async def test_a_pdsa_study_window_ends_at_the_predictions_date(app, sessions):
    await apply(sessions, assessment(D, "a7", ["std7"]))
    body = {**GOAL, "title": "Window", "measure": {"kind": "proficient", "assessment_id": "a7"}}
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=body)).json()
        assert (await leader.post(f"/goals/{goal['id']}/activate")).status_code == 200
        plan = {"question": "q", "change_idea": "c", "prediction": {"value": 60.0, "by": "2026-10-10"}}
        cycle = (await leader.post(f"/goals/{goal['id']}/cycles", json=plan)).json()
        at = f"/goals/{goal['id']}/cycles/{cycle['id']}"
        assert (
            await leader.post(f"{at}/do", json={"started_on": "2026-10-01", "as_planned": True})
        ).status_code == 200
        for day in (2, 5, 10, 11, 20):
            await apply(sessions, result(D, f"w{day}", "s1", "a7", {"std7": 80.0}, on=date(2026, 10, day)))
        studied = await leader.post(f"{at}/study", json={})
    assert studied.status_code == 200, studied.text
    assert [p["on"] for p in studied.json()["study"]["points"]] == ["2026-10-02", "2026-10-05", "2026-10-10"]


async def test_a_goal_being_written_is_checked_letter_by_letter_without_being_saved(app, sessions):
    async with api(app, "school_leader", D, ["s1"]) as leader:
        before = len((await leader.get("/schools/s1/goals")).json())
        unknown = {**GOAL, "measure": {"kind": "proficient", "assessment_id": "zz"}, "baseline": None}
        failing = await leader.post("/schools/s1/goals/smart", json=unknown)
        assert failing.status_code == 200, failing.text
        letters = {letter["letter"]: letter for letter in failing.json()["letters"]}
        assert not failing.json()["passed"] and not letters["M"]["passed"] and letters["S"]["passed"]
        assert letters["M"]["reasons"] == ["measure.assessment_id: unknown assessment 'zz'"]
        passing = await leader.post("/schools/s1/goals/smart", json=GOAL)
        assert passing.json()["passed"], passing.json()
        assert len((await leader.get("/schools/s1/goals")).json()) == before  # nothing was saved
    async with api(app, "school_leader", "d2", ["s1"]) as other:
        assert (await other.post("/schools/s1/goals/smart", json=GOAL)).json()["letters"][1][
            "passed"
        ] is False
    async with api(app, "school_leader", D, ["s9"]) as elsewhere:
        assert (await elsewhere.post("/schools/s1/goals/smart", json=GOAL)).status_code in (403, 404)
