"""Teams and goals over HTTP: the leadership rule, SMART activation, versions, progress from events, tenancy."""

import struct
import xml.etree.ElementTree as ET
import zlib
from datetime import date

import cairosvg
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


SVG_NS = "{http://www.w3.org/2000/svg}"


def png_pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG, decoded with the standard library only."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, bpp = 8, b"", 0, 4
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos : pos + 4]), png[pos + 4 : pos + 8]
        data = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", data[:10])
            assert depth == 8 and colour in (2, 6)  # 8-bit RGB or RGBA
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytes(width * bpp)
    for r in range(height):
        kind, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1 : (r + 1) * (stride + 1)])
        for i in range(stride):
            a, b, c = line[i - bpp] if i >= bpp else 0, prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(b"".join(bytes(line[i : i + 3]) for i in range(0, stride, bpp)))
        prev = line
    return width, height, rows


async def test_a_goals_chart_renders_for_a_teacher_with_every_part_named(app, sessions):
    await apply(sessions, assessment(D, "a2", ["std2"]))
    body = {
        **GOAL, "title": "Grade 4 fractions", "measure": {"kind": "proficient", "assessment_id": "a2"},
        "interim_targets": [{"on": "2027-01-15", "value": 50.0}],
    }  # fmt: skip
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=body)).json()
        assert (await leader.post(f"/goals/{goal['id']}/activate")).status_code == 200
        for k, on in enumerate((date(2026, 10, 1), date(2026, 11, 2), date(2026, 12, 1))):
            await apply(
                sessions,
                *[result(D, f"c{i}", "s1", "a2", {"std2": 40.0 + 10 * (i + k)}, on=on) for i in range(5)],
            )
        async with sessions() as session, session.begin():
            session.add(
                models.Cycle(
                    district_id=D, goal_id=goal["id"], phase="do", started_on=date(2026, 11, 15), body={}
                )
            )
        response = await leader.get(f"/goals/{goal['id']}/chart.svg")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)  # noqa: S314 - our own output
    assert root.attrib["role"] == "img"
    assert root.find(f"{SVG_NS}title").text == "Grade 4 fractions"
    desc = root.find(f"{SVG_NS}desc").text
    for words in ("Baseline 20.", "Target 80 by 2027-05-20.", "50 by 2027-01-15", "3 progress points",
                  "1 PDSA cycles, started 2026-11-15", "Trend projects"):  # fmt: skip
        assert words in desc, desc

    def texts(cls: str) -> list[str]:
        return [
            t.text for g in root.iter(f"{SVG_NS}g") if g.get("class") == cls for t in g.iter(f"{SVG_NS}text")
        ]

    assert texts("legend") == [
        "Actual", "Target", "Baseline", "Aimline (baseline → target)", "Interim target", "Trend to deadline",
        "PDSA cycle start",
    ]  # fmt: skip
    assert texts("y-axis")[:-1] == ["0", "20", "40", "60", "80", "100"]
    assert "% of tested students at or above proficient" in texts("y-axis")
    # the month under each tick, the year under the first tick and under January
    assert texts("x-axis")[:4] == ["Sep", "2026", "Oct", "Nov"]
    assert texts("x-axis")[texts("x-axis").index("Jan") + 1] == "2027" and "May" in texts("x-axis")
    labels = texts("value-labels")
    assert labels[:2] == ["Target 80 by 20 May 2027", "Baseline 20"] and labels[2].startswith("Projected ")
    assert texts("pdsa") == ["PDSA 1"]
    classes = {e.get("class") for e in root.iter()}
    assert {"baseline", "aimline", "target", "interim", "trend", "actual", "point"} <= classes
    assert sum(e.get("class") == "point" for e in root.iter()) == 3
    width, height, rows = png_pixels(cairosvg.svg2png(bytestring=response.content))
    assert (width, height) == (800, 440)
    pixels = [row[i : i + 3] for row in rows for i in range(0, len(row), 3)]
    inked = sum(p != b"\xff\xff\xff" for p in pixels)
    assert len(set(pixels)) > 20 and 0.01 < inked / len(pixels) < 0.5  # drawn on, and not a filled box


async def test_a_versioned_goals_chart_shows_the_earlier_target_dashed_and_labelled(app, sessions):
    await apply(sessions, assessment(D, "a3", ["std3"]))
    body = {**GOAL, "title": "Grade 5 ratios", "measure": {"kind": "proficient", "assessment_id": "a3"}}
    async with api(app, "school_leader", D, ["s1"]) as leader:
        goal = (await leader.post("/schools/s1/goals", json=body)).json()
        assert (await leader.post(f"/goals/{goal['id']}/activate")).status_code == 200
        for k, on in enumerate((date(2026, 10, 1), date(2026, 11, 2))):
            await apply(
                sessions,
                *[result(D, f"v{i}", "s1", "a3", {"std3": 50.0 + 10 * (i + k)}, on=on) for i in range(4)],
            )
        edited = await leader.patch(f"/goals/{goal['id']}", json={"target": 95.0, "deadline": "2027-06-10"})
        assert edited.status_code == 200 and edited.json()["version"] == 2
        response = await leader.get(f"/goals/{goal['id']}/chart.svg")
    assert response.status_code == 200, response.text
    root = ET.fromstring(response.text)  # noqa: S314 - our own output
    earlier = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "earlier-target"]
    assert len(earlier) == 1
    assert [t.text for t in earlier[0].iter(f"{SVG_NS}text")] == ["v1 target 80"]
    assert earlier[0].find(f"{SVG_NS}title").text == "Version 1: target 80 by 2027-05-20"
    assert {e.get("class") for e in earlier[0]} >= {None, "earlier-aimline"}
    desc = root.find(f"{SVG_NS}desc").text
    assert "Target 95 by 2027-06-10." in desc and "Earlier versions: v1 target 80 by 2027-05-20." in desc
    legend = [
        t.text for g in root.iter(f"{SVG_NS}g") if g.get("class") == "legend" for t in g.iter(f"{SVG_NS}text")
    ]
    assert "Earlier version's target" in legend and "Target" in legend
    width, height, rows = png_pixels(cairosvg.svg2png(bytestring=response.content))
    assert (width, height) == (800, 440)
    grey = (0x95, 0xA5, 0xA6)

    def near(p: bytes, colour: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 12 for a, b in zip(p, colour, strict=True))

    line = [
        r for r, row in enumerate(rows) if sum(near(row[i : i + 3], grey) for i in range(0, len(row), 3)) > 60
    ]
    assert line, "the earlier target is drawn (a dashed grey line across the plot)"
    pixels = [row[i : i + 3] for row in rows for i in range(0, len(row), 3)]
    assert len(set(pixels)) > 20


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
