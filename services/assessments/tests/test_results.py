"""Single results: upsert on the natural key, ETag/If-Match, void, scope, and one event per change."""

import json
import uuid

from plc_shared.auth import Role
from plc_shared.testing import consume
from plc_shared.topics import RESULTS


def result(assessment, student, **fields):
    return {"assessment_id": assessment["id"], "student_id": student, **fields}


async def test_put_creates_then_updates_with_computed_fields(district):
    a = await district.assessment()
    student = district.students[0]
    first = await district.put(
        "/assessments/results", result(a, student, item_scores={"Q1": 5, "Q2": 4, "Q3": 6})
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["total_score"], body["percent"], body["performance_level"]) == (15, 75.0, "proficient")
    assert body["revision"] == 1 and body["school_id"] == district.schools[0]
    assert body["class_ids"] == [district.classes[0]]
    by_standard = {s["standard_id"]: s for s in body["standard_scores"]}
    s1, s2 = a["standards"]
    assert (by_standard[s1]["percent"], by_standard[s1]["mastered"]) == (90.0, True)
    assert (
        by_standard[s2]["percent"],
        by_standard[s2]["proficient"],
        by_standard[s2]["proficiency_cut"],
    ) == (
        60.0,
        False,
        80,
    )
    assert first.headers["etag"] == '"r1"'

    second = await district.put("/assessments/results", result(a, student, total_score=19))
    assert second.status_code == 200, second.text
    assert second.json()["revision"] == 2 and second.json()["performance_level"] == "advanced"
    assert second.headers["etag"] == '"r2"'


async def test_unchanged_put_keeps_the_revision(district):
    a = await district.assessment()
    body = result(a, district.students[0], total_score=12)
    assert (await district.put("/assessments/results", body)).status_code == 201
    again = await district.put("/assessments/results", body)
    assert again.status_code == 200 and again.json()["revision"] == 1


async def test_if_match_stale_is_412_and_current_succeeds(district):
    a = await district.assessment()
    student = district.students[1]
    created = await district.put("/assessments/results", result(a, student, total_score=10))
    etag = created.headers["etag"]
    ok = await district.http.put(
        "/assessments/results",
        json=result(a, student, total_score=11),
        headers={**district.sis, "If-Match": etag},
    )
    assert ok.status_code == 200, ok.text
    stale = await district.http.put(
        "/assessments/results",
        json=result(a, student, total_score=12),
        headers={**district.sis, "If-Match": etag},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    current = await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
    assert current.json()["total_score"] == 11 and current.headers["etag"] == '"r2"'


async def test_if_match_on_a_missing_result_is_412(district):
    a = await district.assessment()
    response = await district.http.put(
        "/assessments/results",
        json=result(a, district.students[0], total_score=3),
        headers={**district.sis, "If-Match": '"r1"'},
    )
    assert response.status_code == 412


async def test_bad_single_result_is_a_problem_naming_the_field(district):
    a = await district.assessment()
    cases = [
        (result(a, district.students[0], total_score=21), "total_score", "outside 0..20"),
        (result(a, district.students[0], total_score="abc"), "total_score", "not numeric"),
        (result(a, "nobody", total_score=3), "student_id", "unknown student"),
        (
            {"assessment_id": "nope", "student_id": district.students[0], "total_score": 3},
            "assessment_id",
            "unknown assessment",
        ),
        (result(a, district.students[0], item_scores={"Q9": 1}), "item_scores.Q9", "unknown code"),
        (
            result(a, district.students[0], objective_scores={"O1": 11}),
            "objective_scores.O1",
            "outside 0..10",
        ),
    ]
    for body, field, reason in cases:
        response = await district.put("/assessments/results", body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        (error,) = response.json()["errors"]
        assert error["field"] == field and reason in error["reason"], error


async def test_draft_assessment_refuses_results(district):
    a = await district.assessment(publish=False)
    response = await district.put("/assessments/results", result(a, district.students[0], total_score=3))
    assert response.status_code == 422
    assert "draft" in response.json()["errors"][0]["reason"]


async def test_void_hides_the_result_and_a_new_put_records_again(district):
    a = await district.assessment()
    student = district.students[2]
    await district.put("/assessments/results", result(a, student, total_score=8))
    path = f"/assessments/results/{a['id']}/{student}/1"
    assert (await district.http.delete(path, headers=district.sis)).status_code == 204
    assert (await district.http.get(path, headers=district.sis)).status_code == 404
    assert (await district.http.delete(path, headers=district.sis)).status_code == 404
    again = await district.put("/assessments/results", result(a, student, total_score=9))
    assert again.status_code == 201 and again.json()["revision"] == 3


async def test_delete_with_stale_if_match_is_412(district):
    a = await district.assessment()
    student = district.students[0]
    await district.put("/assessments/results", result(a, student, total_score=8))
    await district.put("/assessments/results", result(a, student, total_score=9))
    path = f"/assessments/results/{a['id']}/{student}/1"
    response = await district.http.delete(path, headers={**district.sis, "If-Match": '"r1"'})
    assert response.status_code == 412


async def test_without_a_token_401(district):
    a = await district.assessment()
    response = await district.http.put(
        "/assessments/results", json=result(a, district.students[0], total_score=3)
    )
    assert response.status_code == 401
    assert (
        await district.http.get(f"/assessments/results/{a['id']}/{district.students[0]}/1")
    ).status_code == 401


async def test_another_district_cannot_read_or_write(district, other_district, client):
    a = await district.assessment()
    student = district.students[0]
    await district.put("/assessments/results", result(a, student, total_score=3))
    other = other_district
    path = f"/assessments/results/{a['id']}/{student}/1"
    assert (await client.get(path, headers=other.sis)).status_code == 404
    write = await client.put(
        "/assessments/results", json=result(a, student, total_score=4), headers=other.sis
    )
    assert write.status_code == 422
    assert {e["field"] for e in write.json()["errors"]} == {"assessment_id"}
    assert (await client.get(f"/assessments/assessments/{a['id']}", headers=other.sis)).status_code == 404


async def test_teacher_sees_only_their_schools_and_analyst_no_student_rows(district):
    a = await district.assessment()
    s1_student, s2_student = district.students[0], district.students[-1]
    for student in (s1_student, s2_student):
        assert (
            await district.put("/assessments/results", result(a, student, total_score=5))
        ).status_code == 201
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],), classes=(district.classes[0],))
    assert (
        await district.http.get(f"/assessments/results/{a['id']}/{s1_student}/1", headers=teacher)
    ).status_code == 200
    assert (
        await district.http.get(f"/assessments/results/{a['id']}/{s2_student}/1", headers=teacher)
    ).status_code == 404
    write = await district.http.put(
        "/assessments/results", json=result(a, s2_student, total_score=6), headers=teacher
    )
    # out of scope reads exactly as a student the roster does not have (issue 21: it said "outside your schools")
    assert write.status_code == 422
    assert write.json()["errors"][0]["reason"] == f"unknown student '{s2_student}'"
    analyst = district.token(Role.ANALYST)
    assert (
        await district.http.get(f"/assessments/results/{a['id']}/{s1_student}/1", headers=analyst)
    ).status_code == 403


async def test_each_change_is_exactly_one_event_on_the_broker(district, kafka_settings, bootstrap_servers):
    a = await district.assessment()
    student = district.students[1]
    await district.put("/assessments/results", result(a, student, total_score=10))
    await district.put("/assessments/results", result(a, student, total_score=10))  # unchanged: no event
    await district.put("/assessments/results", result(a, student, total_score=16))
    await district.http.delete(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)

    def mine(records):
        return [r for r in records if json.loads(r.value)["data"]["assessment_id"] == a["id"]]

    records = await consume(
        bootstrap_servers,
        kafka_settings.topic(RESULTS.name),
        until=lambda rs: len(mine(rs)) >= 3,
        timeout_s=30,
    )
    events = [json.loads(r.value) for r in mine(records)]
    assert [(e["type"].split(".")[-2], e["data"]["revision"]) for e in events] == [
        ("recorded", 1),
        ("corrected", 2),
        ("voided", 3),
    ]
    assert {r.key.decode() for r in mine(records)} == {f"{district.id}/{student}"}
    assert events[1]["data"]["total_score"] == 16 and events[1]["data"]["performance_level"] == "proficient"
    assert "given_name" not in json.dumps(events)


async def test_student_level_reads_are_audited(district, caplog):
    import logging

    a = await district.assessment()
    student = district.students[0]
    await district.put("/assessments/results", result(a, student, total_score=3))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="plc.audit"):
        assert (
            await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
        ).status_code == 200
    (record,) = [r for r in caplog.records if r.name == "plc.audit"]
    assert record.audit["action"] == "result.read" and record.audit["student_ids"] == [student]
    assert record.audit["role"] == "sis_integration" and record.audit["district_id"] == district.id


async def test_invalid_row_with_if_match_is_422_not_412(district):
    a = await district.assessment()
    response = await district.http.put(
        "/assessments/results",
        json=result(a, district.students[0], total_score=99),
        headers={**district.sis, "If-Match": '"r1"'},
    )
    assert response.status_code == 422


async def test_list_results_of_an_assessment_is_scoped_and_paged(district, other_district):
    a = await district.assessment()
    for n, student in enumerate(district.students):
        assert (
            await district.put("/assessments/results", result(a, student, total_score=n))
        ).status_code == 201
    path = f"/assessments/assessments/{a['id']}/results"
    everything = (await district.http.get(path, headers=district.sis)).json()
    assert [r["student_id"] for r in everything] == sorted(district.students)
    page = (await district.http.get(path, params={"limit": 2, "offset": 2}, headers=district.sis)).json()
    assert [r["student_id"] for r in page] == sorted(district.students)[2:4]
    teacher = district.token(Role.TEACHER, schools=(district.schools[1],), classes=(district.classes[1],))
    theirs = (await district.http.get(path, headers=teacher)).json()
    assert {r["school_id"] for r in theirs} == {district.schools[1]} and len(theirs) == 3
    classless = district.token(Role.TEACHER, schools=(district.schools[1],))  # a teacher of no class
    assert (await district.http.get(path, headers=classless)).json() == []
    by_class = (
        await district.http.get(path, params={"class_id": district.classes[0]}, headers=district.sis)
    ).json()
    assert len(by_class) == 3
    assert (await district.http.get(path, headers=district.token(Role.ANALYST))).status_code == 403
    assert (await district.http.get(path, headers=other_district.sis)).status_code == 404


async def test_a_total_alone_scores_the_one_standard_a_cfa_measures(
    district, kafka_settings, bootstrap_servers
):
    """Teams often record only the total of a one-standard CFA: it is the score on that standard, and it is in
    the result event (so the interventions service flags the student); on a two-standard assessment a total
    alone gives no standard score."""
    standard = await district.standard(f"RL2-{uuid.uuid4().hex[:10]}")
    single = await district.assessment(
        objectives=[{"code": "O1", "max_points": 20, "standard_ids": [standard]}],
        items=[{"code": "Q1", "max_points": 20, "standard_id": standard, "objective_code": "O1"}],
    )
    low = await district.put("/assessments/results", result(single, district.students[0], total_score=9))
    assert low.status_code == 201, low.text
    (score,) = low.json()["standard_scores"]
    assert (score["standard_id"], score["percent"], score["proficient"]) == (standard, 45.0, False)
    two = await district.assessment()
    alone = await district.put("/assessments/results", result(two, district.students[0], total_score=9))
    assert alone.status_code == 201 and alone.json()["standard_scores"] == []

    records = await consume(
        bootstrap_servers,
        kafka_settings.topic(RESULTS.name),
        until=lambda rs: any(json.loads(r.value)["data"]["assessment_id"] == single["id"] for r in rs),
    )
    (event,) = [
        json.loads(r.value)["data"]
        for r in records
        if json.loads(r.value)["data"]["assessment_id"] == single["id"]
    ]
    assert [(s["standard_id"], s["percent"]) for s in event["standards"]] == [(standard, 45.0)]


async def test_a_boolean_is_not_a_score_and_a_nul_is_not_text(district):
    a = await district.assessment()
    student = district.students[0]
    for body, field in (
        (result(a, student, total_score=False), "total_score"),
        (result(a, student, item_scores={"Q1": True}), "item_scores"),
        (result(a, f"{student}\x00", total_score=3), "student_id"),
    ):
        response = await district.put("/assessments/results", body)
        assert response.status_code == 422, response.text
        assert field in {str(part) for e in response.json()["errors"] for part in e["location"]}
    missing = await district.http.get(f"/assessments/results/{a['id']}/{student}/1", headers=district.sis)
    assert missing.status_code == 404  # nothing was stored as 0


async def test_integers_past_their_columns_are_a_422_naming_the_parameter(district):
    a = await district.assessment()
    student = district.students[0]
    for path, params, where in (
        (f"/assessments/results/{a['id']}/{student}/100000000000000000", {}, ["path", "attempt"]),
        (f"/assessments/assessments/{a['id']}/results", {"offset": 10**20}, ["query", "offset"]),
    ):
        response = await district.http.get(path, params=params, headers=district.sis)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["errors"][0]["location"] == where


async def test_results_of_an_assessment_page_by_cursor_as_by_offset(district):
    """Keyset paging (issue 25): a full page links the next one (`Link: <…cursor=…>; rel="next"`); walking the
    links gives every result once in (student, attempt) order, as offsets do, each page from the index; a
    cursor the list did not give is a 422 naming it."""
    a = await district.assessment()
    for n, student in enumerate(district.students):
        assert (
            await district.put("/assessments/results", result(a, student, total_score=n))
        ).status_code == 201
    retake = {**result(a, district.students[2], total_score=7), "attempt": 2}
    assert (await district.put("/assessments/results", retake)).status_code == 201
    path = f"/assessments/assessments/{a['id']}/results"
    walked, url, links = [], f"{path}?limit=2", 0
    while url:
        response = await district.http.get(url, headers=district.sis)
        assert response.status_code == 200, response.text
        walked += [(r["student_id"], r["attempt"]) for r in response.json()]
        link = response.headers.get("link")
        url = link.split(">")[0].lstrip("<") if link else None
        assert url is None or ('rel="next"' in link and "cursor=" in url and "limit=2" in url)
        links += bool(link)
    by_offset = (await district.http.get(path, params={"limit": 1000}, headers=district.sis)).json()
    assert walked == [(r["student_id"], r["attempt"]) for r in by_offset]
    assert len(walked) == len(district.students) + 1 and links == len(walked) // 2
    assert walked == sorted(walked) and len(set(walked)) == len(walked)
    for bad in ("not-a-cursor", "WzEsMl0", "WyJ4Iiwi"):  # garbage, [1,2], a truncated one
        response = await district.http.get(path, params={"cursor": bad}, headers=district.sis)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["errors"][0]["location"] == ["query", "cursor"]
