"""The process steps before goals over HTTP: a school's foundation is versioned (each save a new version, the
history newest first); a team's norms and its checklist of the 18 critical issues are written by its members
and the school's leaders only; bad input is a 422 naming the field; the school's standing counts it all."""

import pytest
from goals.process.rules import CRITICAL_ISSUES, progress
from goals.testing import api, apply, school, staff
from plc_shared.db import create_engine, make_sessionmaker

D = "dproc"
SETUP = [
    school(D, "s1"),
    school(D, "s2"),
    staff(D, "admin", "administrator", "s1"),
    *[staff(D, f"t{i}", "teacher", "s1") for i in range(3)],
]
FOUNDATION = {
    "mission": "Learning for all, whatever it takes",
    "vision": "Every student leaves us reading on grade level",
    "values": ["Students first", "We learn together"],
    "collective_commitments": ["We give common assessments", "We respond when a student does not learn"],
}


@pytest.fixture(scope="module")
async def sessions(app):
    engine = create_engine(app.state.settings.database_url, pool_size=2)
    maker = make_sessionmaker(engine)
    await apply(maker, *SETUP)
    yield maker
    await engine.dispose()


def test_the_checklist_has_the_18_critical_issues_and_counts_what_has_no_row_as_not_started():
    assert list(CRITICAL_ISSUES) == list(range(1, 19))
    assert progress(["done", "in progress", "done"]) == {"done": 2, "in progress": 1, "not started": 15}


async def test_each_save_of_the_foundation_is_a_new_version_and_the_history_is_kept(app, sessions):
    async with api(app, "school_leader", D, ["s1"], subject="admin") as leader:
        assert (await leader.get("/schools/s1/foundation")).status_code == 404
        first = await leader.put("/schools/s1/foundation", json=FOUNDATION)
        assert first.status_code == 200, first.text
        assert (first.json()["version"], first.json()["saved_by"]) == (1, "admin")
        second = await leader.put(
            "/schools/s1/foundation", json={**FOUNDATION, "vision": "All read by grade 3"}
        )
        assert second.json()["version"] == 2
        current = (await leader.get("/schools/s1/foundation")).json()
        history = (await leader.get("/schools/s1/foundation/versions")).json()
    assert (current["version"], current["vision"]) == (2, "All read by grade 3")
    assert [(v["version"], v["vision"]) for v in history] == [
        (2, "All read by grade 3"),
        (1, FOUNDATION["vision"]),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mission": "   "}, "mission"),
        ({"values": []}, "values"),
        ({"collective_commitments": [" "]}, "collective_commitments"),
    ],
)
async def test_a_blank_foundation_field_is_a_422_naming_it_and_saves_nothing(app, sessions, change, field):
    async with api(app, "school_leader", D, ["s2"]) as leader:
        response = await leader.put("/schools/s2/foundation", json={**FOUNDATION, **change})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in response.json()["errors"][0]["location"]
        assert (await leader.get("/schools/s2/foundation/versions")).json() == []


async def test_a_teacher_reads_the_foundation_but_only_leaders_write_it(app, sessions):
    async with api(app, "teacher", D, ["s1"], subject="t0") as teacher:
        assert (await teacher.put("/schools/s1/foundation", json=FOUNDATION)).status_code == 403
        assert (await teacher.get("/schools/s1/foundation/versions")).status_code == 200
    async with api(app, "school_leader", D, ["s2"]) as other_leader:
        assert (await other_leader.put("/schools/s1/foundation", json=FOUNDATION)).status_code == 404


async def test_a_teams_members_write_its_norms_and_checklist_and_the_school_standing_counts_them(
    app, sessions
):
    async with api(app, "school_leader", D, ["s1"], subject="admin") as leader:
        body = {"kind": "collaborative", "name": "Grade 4", "member_ids": ["t0", "t1"]}
        team = (await leader.post("/schools/s1/teams", json=body)).json()["id"]
    async with api(app, "teacher", D, ["s1"], subject="t0") as member:
        empty = (await member.get(f"/teams/{team}/norms")).json()
        assert (empty["norms"], empty["updated_by"]) == ([], None)
        norms = {"norms": ["Start and end on time", "Assume good intent"], "protocols": ["Data protocol"]}
        saved = await member.put(f"/teams/{team}/norms", json=norms)
        assert saved.status_code == 200, saved.text
        assert (saved.json()["norms"], saved.json()["updated_by"]) == (norms["norms"], "t0")
        items = [
            {"issue": 1, "status": "done", "note": "Norms agreed on 9/3"},
            {"issue": 10, "status": "in progress"},
        ]
        checked = await member.put(f"/teams/{team}/checklist", json={"items": items})
        assert checked.status_code == 200, checked.text
    by_issue = {i["issue"]: i for i in checked.json()["items"]}
    assert len(by_issue) == 18
    assert (by_issue[1]["status"], by_issue[1]["note"], by_issue[1]["updated_by"]) == (
        "done",
        "Norms agreed on 9/3",
        "t0",
    )
    assert (by_issue[2]["status"], by_issue[2]["updated_at"]) == ("not started", None)
    assert checked.json()["progress"] == {"done": 1, "in progress": 1, "not started": 16}
    async with api(app, "teacher", D, ["s1"], subject="t2") as not_member:
        assert (await not_member.put(f"/teams/{team}/norms", json=norms)).status_code == 403
        assert (await not_member.put(f"/teams/{team}/checklist", json={"items": items})).status_code == 403
        assert (await not_member.get(f"/teams/{team}/checklist")).status_code == 200
    async with api(app, "school_leader", D, ["s1"], subject="admin") as leader:
        # an unchanged issue keeps who moved it; a changed one is re-stamped
        again = [
            {"issue": 1, "status": "done", "note": "Norms agreed on 9/3"},
            {"issue": 10, "status": "done"},
        ]
        after = {
            i["issue"]: i
            for i in (await leader.put(f"/teams/{team}/checklist", json={"items": again})).json()["items"]
        }
        assert (after[1]["updated_by"], after[10]["updated_by"]) == ("t0", "admin")
        standing = (await leader.get("/schools/s1/process")).json()
    grade4 = next(t for t in standing["teams"] if t["team_id"] == team)
    assert grade4["has_norms"] is True
    assert grade4["issues"] == {"done": 2, "in progress": 0, "not started": 16}
    assert standing["foundation_version"] == 2


@pytest.mark.parametrize(
    "items",
    [
        [{"issue": 19, "status": "done"}],
        [{"issue": 1, "status": "finished"}],
        [{"issue": 1, "status": "done"}, {"issue": 1, "status": "in progress"}],
    ],
)
async def test_a_checklist_item_out_of_the_18_or_of_the_three_statuses_is_a_422(app, sessions, items):
    async with api(app, "school_leader", D, ["s1"], subject="admin") as leader:
        body = {"kind": "collaborative", "name": "Grade 5", "member_ids": ["t2"]}
        team = (await leader.post("/schools/s1/teams", json=body)).json()["id"]
        response = await leader.put(f"/teams/{team}/checklist", json={"items": items})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["location"][:2] == ["body", "items"]
