"""One student's record: name, classes and results newest first with each standard; scoped like every
student-level read (another district, another school, another teacher's class: the same 404) and audited."""

import logging
from datetime import date, timedelta

from plc_shared.auth import Role, mint_dev_token


def teacher(district, school: str, classes: list[str]) -> dict[str, str]:
    token = mint_dev_token(
        district.settings.auth,
        role=Role.TEACHER,
        district_id=district.id,
        school_ids=[school],
        class_ids=classes,
    )
    return {"Authorization": f"Bearer {token}"}


async def named(district, student: str, school: str) -> None:
    record = {"sourced_id": student, "school_ids": [school], "grades": ["04"]}
    record |= {"given_name": "Ana", "family_name": "Lopez"}
    assert (await district.put("/assessments/roster/students", {"records": [record]})).status_code == 200


async def test_a_students_record_lists_results_newest_first_with_each_standard(district):
    student, school, klass = district.students[0], district.schools[0], district.classes[0]
    await named(district, student, school)
    first, second = await district.assessment(), await district.assessment(title="Decimals CFA")
    today = date.today()
    for a, scores, on in (
        (first, {"O1": 3, "O2": 9}, today - timedelta(days=7)),
        (second, {"O1": 10, "O2": 10}, today),
    ):
        row = {"assessment_id": a["id"], "student_id": student, "objective_scores": scores}
        response = await district.put("/assessments/results", row | {"assessed_on": on.isoformat()})
        assert response.status_code == 201, response.text

    response = await district.http.get(
        f"/assessments/students/{student}", headers=district.token(Role.DISTRICT_ADMIN)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["grades"]) == ("Ana Lopez", ["04"])
    assert body["schools"] == [{"school_id": school, "name": school}]
    assert body["classes"] == [{"class_id": klass, "title": klass, "school_id": school}]
    titles = [(r["assessment_title"], r["assessed_on"]) for r in body["results"]]
    assert titles == [
        ("Decimals CFA", today.isoformat()),
        ("Fractions CFA", (today - timedelta(days=7)).isoformat()),
    ]
    older = body["results"][1]
    assert (older["percent"], older["attempt"], older["score_status"], older["max_score"]) == (
        60.0,
        1,
        "fully graded",
        20,
    )
    s1, s2 = first["standards"]
    by_standard = {s["standard_id"]: s for s in older["standards"]}
    assert by_standard[s1]["percent"] == 30.0 and by_standard[s1]["proficient"] is False
    assert by_standard[s2]["percent"] == 90.0 and by_standard[s2]["proficient"] is True
    assert by_standard[s1]["code"] == f"{district.ids}.NF1-{s1.split('NF1-')[1]}"
    assert by_standard[s1]["title"] == f"NF1-{s1.split('NF1-')[1]}"


async def test_the_record_is_scoped_like_every_student_level_read(district, other_district):
    student, school = district.students[0], district.schools[0]
    path = f"/assessments/students/{student}"
    mine = teacher(district, school, [district.classes[0]])
    assert (await district.http.get(path, headers=mine)).status_code == 200
    leader = district.token(Role.SCHOOL_LEADER, schools=(school,))
    assert (await district.http.get(path, headers=leader)).status_code == 200

    missing = (await district.http.get("/assessments/students/nobody", headers=mine)).json()
    # Another teacher's class in the same school, another school's leader, another district: the same 404.
    same_school_other_class = teacher(district, school, [district.classes[1]])
    for headers in (
        same_school_other_class,
        district.token(Role.SCHOOL_LEADER, schools=(district.schools[1],)),
        other_district.token(Role.DISTRICT_ADMIN),
    ):
        response = await district.http.get(path, headers=headers)
        assert response.status_code == 404
        assert response.json()["detail"] == missing["detail"].replace("nobody", student)
    assert (await district.http.get(path, headers=district.token(Role.ANALYST))).status_code == 403


async def test_reading_a_record_is_audited(district, caplog):
    student = district.students[0]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="plc.audit"):
        response = await district.http.get(
            f"/assessments/students/{student}",
            headers=teacher(district, district.schools[0], [district.classes[0]]),
        )
        assert response.status_code == 200
        assert (
            await district.http.get("/assessments/students/nobody", headers=district.sis)
        ).status_code == 404
    (record,) = [r for r in caplog.records if r.name == "plc.audit"]
    assert record.audit["action"] == "student.read" and record.audit["student_ids"] == [student]
    assert (record.audit["role"], record.audit["district_id"]) == ("teacher", district.id)


async def test_the_roster_students_of_an_assessment_are_those_with_a_live_result_on_it(
    district, other_district
):
    """`GET /roster/students?assessment_id=` (issue 25): the data meeting names the students who took the
    assessment, not the whole district; a voided result leaves the list; scoped as the list (a teacher: their
    classes); another district's assessment id lists nobody."""
    a = await district.assessment()
    takers = district.students[:4]
    rows = [{"assessment_id": a["id"], "student_id": s, "item_scores": {"Q1": 1}} for s in takers]
    assert (await district.post("/assessments/results/bulk", {"results": rows})).json()["accepted"] == 4
    voided = await district.http.delete(f"/assessments/results/{a['id']}/{takers[3]}/1", headers=district.sis)
    assert voided.status_code == 204
    path = "/assessments/roster/students"
    admin = district.token(Role.DISTRICT_ADMIN)

    async def listed(headers, **params) -> list[str]:
        response = await district.http.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return sorted(s["sourced_id"] for s in response.json())

    assert await listed(admin, assessment_id=a["id"]) == sorted(takers[:3])
    assert len(await listed(admin)) == len(district.students) > 3
    theirs = teacher(district, district.schools[0], [district.classes[0]])
    in_their_classes = await listed(theirs)
    assert await listed(theirs, assessment_id=a["id"]) == sorted(
        s for s in takers[:3] if s in in_their_classes
    )
    assert set(in_their_classes) < set(district.students)
    assert await listed(other_district.token(Role.DISTRICT_ADMIN), assessment_id=a["id"]) == []
    assert await listed(admin, assessment_id="no-such-assessment") == []
