"""A common assessment checked against the five keys of quality assessment (Chappuis, Stiggins et al.,
"Classroom Assessment for Student Learning": clear purpose, clear targets, sound design, effective
communication, student involvement): a rating and note per key, by whom and when; a key not met needs a note;
the school's teachers rate their school's CFA, reviewers read it; another school's is a 404."""

import pytest
from assessments.quality.rules import KEYS
from plc_shared.auth import Role

ALL_MET = [{"key": k, "rating": "met", "note": ""} for k in KEYS]


async def test_a_teacher_of_the_school_rates_the_five_keys_and_the_school_sees_it_checked(district):
    school = district.schools[0]
    cfa = await district.assessment(school_id=school)
    teacher = district.token(Role.TEACHER, schools=(school,))
    before = await district.http.get(f"/assessments/assessments/{cfa['id']}/quality", headers=teacher)
    assert before.status_code == 200
    assert [(k["name"], k["rating"]) for k in before.json()["keys"]] == [
        ("Clear purpose", None),
        ("Clear targets", None),
        ("Sound design", None),
        ("Effective communication", None),
        ("Student involvement", None),
    ]
    first = [
        {"key": "clear_purpose", "rating": "met"},
        {"key": "sound_design", "rating": "partly met", "note": "Only one item on O2"},
    ]
    rated = await district.put(
        f"/assessments/assessments/{cfa['id']}/quality", {"ratings": first}, headers=teacher
    )
    assert rated.status_code == 200, rated.text
    keys = {k["key"]: k for k in rated.json()["keys"]}
    assert (keys["sound_design"]["rating"], keys["sound_design"]["note"]) == (
        "partly met",
        "Only one item on O2",
    )
    assert keys["sound_design"]["rated_by"] and keys["sound_design"]["rated_at"]
    assert rated.json()["checked"] is False
    listed = await district.http.get(
        "/assessments/quality-checks", params={"school_id": school}, headers=teacher
    )
    mine = next(s for s in listed.json() if s["assessment_id"] == cfa["id"])
    assert (mine["rated"], mine["met"], mine["checked"]) == (2, 1, False)

    rated = await district.put(
        f"/assessments/assessments/{cfa['id']}/quality", {"ratings": ALL_MET}, headers=teacher
    )
    assert rated.json()["checked"] is True
    reviewer = district.token(Role.REVIEWER, schools=(school,))
    listed = await district.http.get(
        "/assessments/quality-checks", params={"school_id": school}, headers=reviewer
    )
    mine = next(s for s in listed.json() if s["assessment_id"] == cfa["id"])
    assert (mine["rated"], mine["met"], mine["checked"]) == (5, 5, True)
    assert (
        await district.put(
            f"/assessments/assessments/{cfa['id']}/quality", {"ratings": ALL_MET}, headers=reviewer
        )
    ).status_code == 403


async def test_a_key_not_met_without_a_note_is_a_422_naming_the_row_and_saves_nothing(district):
    school = district.schools[0]
    cfa = await district.assessment(school_id=school)
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    ratings = [
        {"key": "clear_purpose", "rating": "met"},
        {"key": "clear_targets", "rating": "not met", "note": "  "},
    ]
    response = await district.put(
        f"/assessments/assessments/{cfa['id']}/quality", {"ratings": ratings}, headers=leader
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"location": ["body", "ratings", 1, "note"], "message": "say what the team will change"}
    ]
    after = await district.http.get(f"/assessments/assessments/{cfa['id']}/quality", headers=leader)
    assert all(k["rating"] is None for k in after.json()["keys"])


@pytest.mark.parametrize(
    "ratings",
    [
        [{"key": "fairness", "rating": "met"}],
        [{"key": "clear_purpose", "rating": "excellent"}],
        [{"key": "clear_purpose", "rating": "met"}, {"key": "clear_purpose", "rating": "met"}],
        [],
    ],
)
async def test_a_rating_outside_the_five_keys_or_three_levels_is_a_422(district, ratings):
    cfa = await district.assessment(school_id=district.schools[0])
    response = await district.put(f"/assessments/assessments/{cfa['id']}/quality", {"ratings": ratings})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["location"][:2] == ["body", "ratings"]


async def test_another_schools_assessment_is_missing_to_its_teacher(district):
    cfa = await district.assessment(school_id=district.schools[0])
    other = district.token(Role.TEACHER, schools=(district.schools[1],))
    url = f"/assessments/assessments/{cfa['id']}/quality"
    assert (await district.http.get(url, headers=other)).status_code == 404
    assert (await district.put(url, {"ratings": ALL_MET}, headers=other)).status_code == 404
    listed = await district.http.get("/assessments/quality-checks", headers=other)
    assert cfa["id"] not in [s["assessment_id"] for s in listed.json()]
