"""Program schools, rubrics, site reviews and recognition over HTTP on real PostgreSQL: the leadership rule at
entry, scoring, required evidence, immutability, corrections, recognition with its readiness list, tenancy."""

from datetime import date

import pytest
from reviews.testing import api, apply, assessment, ratings, result, staffed_school
from sqlalchemy import text

D = "d1"
SETUP = [
    *staffed_school(D, "s1"),
    *staffed_school(D, "s2", rule_met=False),
    *staffed_school(D, "s3"),
    *staffed_school("d2", "s1"),
    assessment(D, "sum1"),
    *[result(D, f"stu{i}", "s1", "sum1", 80.0 if i < 8 else 50.0, date(2026, 11, 1)) for i in range(10)],
]
ENTRY = {"regional_center": "Central", "entry_year": 2024}


@pytest.fixture(scope="module")
async def program(app, sessions):
    await apply(sessions, *SETUP)
    async with api(app, "district_admin", D) as admin:
        for school_id in ("s1", "s3"):
            assert (await admin.put(f"/program/schools/{school_id}", json=ENTRY)).status_code == 200
    return app


async def test_a_school_whose_leadership_team_breaks_the_rule_cannot_enter(program):
    async with api(program, "district_admin", D) as admin:
        response = await admin.put("/program/schools/s2", json=ENTRY)
        missing = await admin.put("/program/schools/s9", json=ENTRY)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == ["body", "leadership_team"]
    assert missing.status_code == 404


async def test_program_schools_show_training_year_district_implementation_and_teams(program):
    async with api(program, "district_admin", D) as admin:
        schools = (await admin.get("/program/schools")).json()
        assert [s["school_id"] for s in schools] == ["s1", "s3"]
        s1 = schools[0]
        assert (s1["district_buildings"], s1["district_program_schools"], s1["district_implementation"]) == (
            3,
            2,
            True,
        )
        assert s1["leadership_team"]["rule_met"] and s1["training_year"] in ("3", "continuing")
        district = (await admin.put("/program/district", json={"building_count": 5})).json()
        assert district["district_implementation"] is False
        assert (await admin.put("/program/district", json={"building_count": None})).json()[
            "district_implementation"
        ]


async def test_the_default_rubric_and_a_district_version(program):
    async with api(program, "district_admin", D) as admin:
        current = (await admin.get("/rubrics/current")).json()
        assert current["version"] == 1 and len(current["strands"]) == 6
        assert current["levels"] == ["Minimal/No", "Partial", "Proficient", "Deep Implementation"]
        bad = await admin.post("/rubrics", json={**_body(current), "strands": [current["strands"][0]] * 2})
        assert bad.status_code == 422 and bad.json()["errors"][0]["location"] == ["body", "strands"]
        before = (await admin.post("/schools/s3/reviews", json={"kind": "pre", "on": "2026-09-02"})).json()
        published = await admin.post("/rubrics", json={**_body(current), "name": "Our district's rubric"})
        assert published.status_code == 201 and published.json()["version"] == 2
        after = (await admin.post("/schools/s3/reviews", json={"kind": "pre", "on": "2026-09-03"})).json()
        assert (await admin.get(f"/reviews/{before['id']}")).json()["rubric_id"] == current["id"]
        assert after["rubric_id"] == published.json()["id"]
        assert [r["version"] for r in (await admin.get("/rubrics")).json()] == [1, 2]
    async with api(program, "reviewer", D, ["s1"]) as reviewer:
        assert (await reviewer.post("/rubrics", json=_body(current))).status_code == 403


def _body(rubric: dict) -> dict:
    return {k: rubric[k] for k in ("name", "about", "strands")}


async def test_a_site_review_from_draft_to_recognition(program, sessions):
    async with api(program, "reviewer", D, ["s1"], subject="rev1") as reviewer:
        created = await reviewer.post("/schools/s1/reviews", json={"kind": "site", "on": "2026-10-15"})
        assert created.status_code == 201, created.text
        review = created.json()
        assert (
            review["status"] == "draft"
            and review["reviewer_ids"] == ["rev1"]
            and review["school_year"] == 2026
        )
        rubric = (await reviewer.get(f"/rubrics/{review['rubric_id']}")).json()
        first = [i for i in review["indicators"] if i["targeted"]]
        assert first and review["indicators"][: len(first)] == first  # targeted indicators first
        rid = review["id"]

        unknown = await reviewer.put(f"/reviews/{rid}/ratings", json={"ratings": {"zz.nope": {"level": 2}}})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["location"] == [
            "body",
            "ratings",
            "zz.nope",
        ]
        level = await reviewer.put(
            f"/reviews/{rid}/ratings", json={"ratings": {"culture.mission": {"level": 4}}}
        )
        assert level.status_code == 422
        assert level.json()["errors"][0]["location"] == ["body", "ratings", "culture.mission", "level"]

        assert (
            await reviewer.put(f"/reviews/{rid}/ratings", json=ratings(rubric, evidence=False))
        ).status_code == 200
        no_evidence = await reviewer.post(f"/reviews/{rid}/submit")
        assert no_evidence.status_code == 422
        assert no_evidence.json()["errors"][0]["location"][-1] == "evidence"

        rated = (
            await reviewer.put(f"/reviews/{rid}/ratings", json=ratings(rubric, overrides={"teams.time": 3}))
        ).json()
        assert rated["scores"]["overall"]["percent_proficient"] == 100.0
        assert rated["scores"]["overall"]["points"] == pytest.approx((2 * 18 + 3) / 57)
        assert (await reviewer.post(f"/reviews/{rid}/finalize")).status_code == 409  # not submitted yet
        assert (await reviewer.post(f"/reviews/{rid}/submit")).json()["status"] == "submitted"
        final = (await reviewer.post(f"/reviews/{rid}/finalize")).json()
        assert final["status"] == "finalized" and final["data_evidence"]["school_year"] == 2026
        frozen = await reviewer.put(f"/reviews/{rid}/ratings", json=ratings(rubric, level=3))
        assert frozen.status_code == 422 and frozen.json()["errors"][0]["location"] == ["path", "review_id"]

    async with api(program, "school_leader", D, ["s1"]) as leader:
        ready = {r["school_id"]: r for r in (await leader.get("/recognitions/readiness")).json()}
        assert ready["s1"]["unmet"] == ["no reflective narrative for 2026"]
        assert ready["s1"]["achievement"]["value"] == 80.0 and ready["s1"]["achievement"]["met"]
        assert (
            await leader.put("/schools/s1/narratives/2026", json={"text": "We learned..."})
        ).status_code == 204
        recognitions = (await leader.get("/recognitions")).json()
        assert [(r["school_id"], r["level"], r["school_year"]) for r in recognitions] == [
            ("s1", "exemplary", 2026)
        ]
        ready = {r["school_id"]: r for r in (await leader.get("/recognitions/readiness")).json()}
        assert ready["s1"]["next_level"] == "sustaining"
        assert ready["s1"]["unmet"] == ["a site review in 2029 or later (3 years after 2026)"]

    async with sessions() as session:
        types = (await session.execute(text("SELECT event_type FROM outbox ORDER BY id"))).scalars().all()
    assert types == ["org.plc.reviews.review.finalized.v1", "org.plc.reviews.school.recognized.v1"]

    async with api(program, "reviewer", D, ["s1"], subject="rev1") as reviewer:
        fix = await reviewer.post(f"/reviews/{rid}/corrections")
        assert fix.status_code == 201 and fix.json()["corrects_id"] == rid and fix.json()["version"] == 2
        fid = fix.json()["id"]
        await reviewer.put(f"/reviews/{fid}/ratings", json={"ratings": {"respond.pyramid": {"level": 1}}})
        await reviewer.post(f"/reviews/{fid}/submit")
        corrected = (await reviewer.post(f"/reviews/{fid}/finalize")).json()
        assert corrected["scores"]["overall"]["proficient_or_above"] == 18
        assert (await reviewer.get(f"/reviews/{rid}")).json()["superseded_by_id"] == fid
        assert (await reviewer.post(f"/reviews/{rid}/corrections")).status_code == 409


async def test_change_since_the_previous_review(program):
    async with api(program, "district_admin", D) as admin:
        rubric = (await admin.get("/rubrics/current")).json()
        ids = []
        for on, level in (("2026-09-10", 1), ("2027-03-10", 2)):
            review = (await admin.post("/schools/s3/reviews", json={"kind": "interim", "on": on})).json()
            await admin.put(f"/reviews/{review['id']}/ratings", json=ratings(rubric, level=level))
            await admin.post(f"/reviews/{review['id']}/submit")
            ids.append((await admin.post(f"/reviews/{review['id']}/finalize")).json())
    assert ids[0]["change"] is None
    change = ids[1]["change"]
    assert change["previous_review_id"] == ids[0]["id"]
    assert change["overall"] == {"percent_proficient": 100.0, "points": pytest.approx(1 / 3)}


async def test_another_districts_objects_are_404_like_missing_ones(program):
    async with api(program, "district_admin", D) as admin:
        review = (await admin.post("/schools/s1/reviews", json={"kind": "pre", "on": "2026-09-01"})).json()
    async with api(program, "district_admin", "d2") as other:
        assert (await other.get(f"/reviews/{review['id']}")).status_code == 404
        assert (await other.get("/reviews/00000000-0000-0000-0000-000000000000")).status_code == 404
        assert (await other.get("/program/schools/s1")).status_code == 404
        assert (await other.get(f"/rubrics/{review['rubric_id']}")).status_code == 404
    # A review of a school outside the reviewer's: the same 404 as one nobody has (issue 21: it was a 403).
    async with api(program, "reviewer", D, ["s3"]) as elsewhere:
        foreign = await elsewhere.get(f"/reviews/{review['id']}")
        missing = await elsewhere.get("/reviews/00000000-0000-0000-0000-000000000000")
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json()["detail"] == missing.json()["detail"].replace(
            "00000000-0000-0000-0000-000000000000", review["id"]
        )
    async with api(
        program, "reviewer", D, ["s1"], subject="rev2"
    ) as not_on_it:  # assigned school, not its reviewer
        body = {"ratings": {"culture.mission": {"level": 1}}}
        assert (await not_on_it.put(f"/reviews/{review['id']}/ratings", json=body)).status_code == 403


async def test_analytics_name_their_method_and_n(program):
    async with api(program, "analyst", D) as analyst:
        di = (await analyst.get("/analytics/district-implementation")).json()
        assert di["schools"] == 2 and "Wilson" in di["program_vs_recognized"]["method"]
        assert "descriptive" in di["program_vs_recognized"]["verdict"]
        assert (await analyst.get("/analytics/trends")).json()["by_year"]
        assert (await analyst.get("/analytics/district-implementation?scope=program")).status_code == 200
    async with api(program, "district_admin", D) as admin:
        assert (await admin.get("/analytics/trends?scope=program")).status_code == 403
        assert (await admin.get("/analytics/implementation-achievement")).json()["n"] == 1


async def test_the_services_serve_figures_and_the_web_app_draws_them(program):
    """The analyses' and the history's JSON are what the web app charts; there is no chart route (and no
    `label` carrying a school's name into a logged query) any more."""
    async with api(program, "district_admin", D) as admin:
        trends = (await admin.get("/analytics/trends")).json()
        history = (await admin.get("/schools/s3/reviews")).json()
        gone = [
            (await admin.get(path)).status_code
            for path in ("/analytics/charts/trends.svg", "/schools/s3/reviews/chart.svg")
        ]
    assert trends["by_year"] and all("points" in v for t in trends["by_year"] for v in t["strands"].values())
    assert [r for r in history if r["status"] == "finalized" and r["scores"]["overall"]["points"] is not None]
    assert gone == [404, 404]


async def test_reviewers_are_served_by_the_names_they_signed_in_with_and_events_carry_ids_only(
    program, sessions
):
    """Issue 24: an external reviewer cannot read the roster, so the review names its reviewers itself: each
    reviewer's name (the token's `name` claim) is recorded when they start, rate, submit or finalize it, and
    a correction keeps them. A caller who is not one of its reviewers leaves no name. Events: ids only."""
    body = {"kind": "site", "on": "2026-11-16", "reviewer_ids": ["rev-b"]}
    async with api(program, "reviewer", D, ["s3"], subject="rev-a", name="Ada Reviewer") as a:
        created = (await a.post("/schools/s3/reviews", json=body)).json()
    assert created["reviewer_ids"] == ["rev-b", "rev-a"]
    assert created["reviewers"] == [{"id": "rev-b", "name": None}, {"id": "rev-a", "name": "Ada Reviewer"}]
    rid = created["id"]
    rubric = None
    async with api(program, "reviewer", D, ["s3"], subject="rev-b", name="Bo Visitor") as b:
        rubric = (await b.get(f"/rubrics/{created['rubric_id']}")).json()
        rated = (await b.put(f"/reviews/{rid}/ratings", json=ratings(rubric))).json()
    assert rated["reviewers"] == [
        {"id": "rev-b", "name": "Bo Visitor"},
        {"id": "rev-a", "name": "Ada Reviewer"},
    ]
    async with api(program, "district_admin", D, name="Dee Admin") as admin:  # not a reviewer of it
        assert (await admin.post(f"/reviews/{rid}/submit")).status_code == 200
        finalized = (await admin.post(f"/reviews/{rid}/finalize")).json()
        assert [r["name"] for r in finalized["reviewers"]] == ["Bo Visitor", "Ada Reviewer"]
    async with api(program, "reviewer", D, ["s3"], subject="rev-a", name="Ada Lovelace-Reviewer") as a:
        correction = (await a.post(f"/reviews/{rid}/corrections")).json()
        seen = (await a.get(f"/reviews/{rid}")).json()
    assert correction["reviewers"] == [
        {"id": "rev-b", "name": "Bo Visitor"},
        {"id": "rev-a", "name": "Ada Lovelace-Reviewer"},  # the name signed in with now
    ]
    assert seen["reviewers"][1]["name"] == "Ada Reviewer"  # the finalized review does not change
    async with sessions() as session:
        payloads = (
            (await session.execute(text("SELECT convert_from(payload, 'UTF8') FROM outbox"))).scalars().all()
        )
    assert payloads and not any(n in p for p in payloads for n in ("Ada", "Bo Visitor", "Dee Admin"))
