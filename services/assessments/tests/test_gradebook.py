"""The OneRoster 1.2 gradebook binding: line items and results upserted, read, deleted; scope; events."""

import json

from plc_shared.auth import Role
from plc_shared.testing import consume
from plc_shared.topics import RESULTS

BASE = "/ims/oneroster/gradebook/v1p2"


async def test_line_item_put_creates_published_assessment_then_updates(district):
    li = f"{district.id}-li9"
    body = {
        "lineItem": {
            "title": "Unit 3 CFA",
            "resultValueMax": 25,
            "school": {"sourcedId": district.schools[0]},
        }
    }
    created = await district.http.put(f"{BASE}/lineItems/{li}", json=body, headers=district.sis)
    assert created.status_code == 201, created.text
    item = created.json()["lineItem"]
    assert (item["sourcedId"], item["resultValueMax"], item["status"]) == (li, 25.0, "active")
    body["lineItem"]["title"] = "Unit 3 CFA (v2)"
    updated = await district.http.put(f"{BASE}/lineItems/{li}", json=body, headers=district.sis)
    # the binding's putLineItem answers 201 for a replaced object as for a created one
    assert updated.status_code == 201 and updated.json()["lineItem"]["title"] == "Unit 3 CFA (v2)"
    listed = await district.http.get(f"{BASE}/lineItems", headers=district.sis)
    assert li in {x["sourcedId"] for x in listed.json()["lineItems"]}
    assert (
        await district.http.get(f"{BASE}/assessmentLineItems/{li}", headers=district.sis)
    ).status_code == 404
    assert (await district.http.delete(f"{BASE}/lineItems/{li}", headers=district.sis)).status_code == 204
    closed = await district.http.get(f"{BASE}/lineItems/{li}", headers=district.sis)
    assert closed.json()["lineItem"]["status"] == "tobedeleted"


async def test_line_item_needs_a_maximum_and_a_wrapper(district):
    li = f"{district.id}-li-bad"
    missing = await district.http.put(
        f"{BASE}/lineItems/{li}", json={"lineItem": {"title": "x"}}, headers=district.sis
    )
    assert missing.status_code == 422 and "resultValueMax" in missing.json()["imsx_description"]
    unwrapped = await district.http.put(
        f"{BASE}/lineItems/{li}", json={"item": {"title": "x"}}, headers=district.sis
    )
    assert unwrapped.status_code == 400


async def test_results_put_get_delete_and_events(district, kafka_settings, bootstrap_servers):
    li = f"{district.id}-li1"
    await district.http.put(
        f"{BASE}/lineItems/{li}",
        json={"lineItem": {"title": "CFA", "resultValueMax": 10}},
        headers=district.sis,
    )
    student = district.students[0]
    result = {
        "result": {
            "lineItem": {"sourcedId": li},
            "student": {"sourcedId": student},
            "scoreStatus": "fully graded",
            "score": 7,
            "scoreDate": "2026-11-20T09:00:00Z",
        }
    }
    created = await district.http.put(f"{BASE}/results/{district.id}-r1", json=result, headers=district.sis)
    assert created.status_code == 201, created.text
    assert created.json()["result"]["score"] == 7 and created.json()["result"]["metadata"]["percent"] == 70.0
    result["result"]["score"] = 8
    updated = await district.http.put(f"{BASE}/results/{district.id}-r1", json=result, headers=district.sis)
    assert updated.status_code == 201 and updated.json()["result"]["metadata"]["revision"] == 2
    read = await district.http.get(f"{BASE}/results/{district.id}-r1", headers=district.sis)
    assert read.json()["result"]["score"] == 8 and read.json()["result"]["scoreDate"] == "2026-11-20"
    listed = await district.http.get(f"{BASE}/results", headers=district.sis)
    assert f"{district.id}-r1" in {r["sourcedId"] for r in listed.json()["results"]}
    other = {"result": {**result["result"], "student": {"sourcedId": district.students[1]}}}
    clash = await district.http.put(f"{BASE}/results/{district.id}-r1", json=other, headers=district.sis)
    assert clash.status_code == 409
    bad = {"result": {**result["result"], "score": 11}}
    assert (
        await district.http.put(f"{BASE}/results/{district.id}-r2", json=bad, headers=district.sis)
    ).status_code == 422
    assert (
        await district.http.delete(f"{BASE}/results/{district.id}-r1", headers=district.sis)
    ).status_code == 204
    assert (
        await district.http.get(f"{BASE}/results/{district.id}-r1", headers=district.sis)
    ).status_code == 404

    def mine(records):
        return [json.loads(r.value) for r in records if json.loads(r.value)["data"]["assessment_id"] == li]

    records = await consume(
        bootstrap_servers, kafka_settings.topic(RESULTS.name), until=lambda rs: len(mine(rs)) >= 3
    )
    assert [e["type"].split(".")[-2] for e in mine(records)] == ["recorded", "corrected", "voided"]


async def test_gradebook_scope(district, other_district):
    li = f"{district.id}-li2"
    await district.http.put(
        f"{BASE}/lineItems/{li}",
        json={"lineItem": {"title": "CFA", "resultValueMax": 10}},
        headers=district.sis,
    )
    assert (await district.http.get(f"{BASE}/lineItems/{li}", headers=other_district.sis)).status_code == 404
    own = await district.http.put(
        f"{BASE}/lineItems/{li}",
        json={"lineItem": {"title": "mine", "resultValueMax": 5}},
        headers=other_district.sis,
    )
    assert own.status_code == 201  # the other district's own line item with the same sourcedId
    read = await district.http.get(f"{BASE}/lineItems/{li}", headers=district.sis)
    assert read.json()["lineItem"]["title"] == "CFA" and read.json()["lineItem"]["resultValueMax"] == 10
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],))
    assert (
        await district.http.put(f"{BASE}/lineItems/{li}", json={"lineItem": {"title": "t"}}, headers=teacher)
    ).status_code == 403
    assert (await district.http.get(f"{BASE}/lineItems")).status_code == 401


async def test_assessment_line_items_and_results(district):
    ali = f"{district.id}-ali1"
    created = await district.http.put(
        f"{BASE}/assessmentLineItems/{ali}",
        json={"assessmentLineItem": {"title": "Winter benchmark", "resultValueMax": 40}},
        headers=district.sis,
    )
    assert created.status_code == 201, created.text
    assessment = await district.http.get(f"/assessments/assessments/{ali}", headers=district.sis)
    assert assessment.json()["kind"] == "common_summative"
    body = {
        "assessmentResult": {
            "assessmentLineItem": {"sourcedId": ali},
            "student": {"sourcedId": district.students[0]},
            "scoreStatus": "fully graded",
            "score": "30",
        }
    }
    written = await district.http.put(
        f"{BASE}/assessmentResults/{district.id}-ar1", json=body, headers=district.sis
    )
    assert written.status_code == 201, written.text
    assert written.json()["assessmentResult"]["metadata"]["percent"] == 75.0
    wrong_reference = {
        "assessmentResult": {
            **body["assessmentResult"],
            "assessmentLineItem": None,
            "lineItem": {"sourcedId": ali},
        }
    }
    missing = await district.http.put(
        f"{BASE}/assessmentResults/{district.id}-ar2", json=wrong_reference, headers=district.sis
    )
    assert missing.status_code == 422 and "assessmentLineItem" in missing.json()["imsx_description"]
    listed = await district.http.get(f"{BASE}/assessmentResults", headers=district.sis)
    assert [r["sourcedId"] for r in listed.json()["assessmentResults"]] == [f"{district.id}-ar1"]


# --- one store with the CSV import, required fields, kept fields, query parameters, error payload ------------
CASE_ID = "6b1f3c9a-0d2e-4f6a-9b8c-7d5e4f3a2b10"


def csv_package(files: dict[str, list[list[str]]]) -> bytes:
    import csv
    import io
    import zipfile

    def text(rows):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return out.getvalue()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        manifest = [["propertyName", "value"], ["oneroster.version", "1.2"]]
        archive.writestr("manifest.csv", text(manifest + [[f"file.{n}", "delta"] for n in files]))
        for name, rows in files.items():
            archive.writestr(f"{name}.csv", text(rows))
    return buffer.getvalue()


async def test_csv_imported_results_are_listed_with_required_fields_and_guidrefs(district):
    li = f"{district.id}-csv-li"
    header = [
        "sourcedId",
        "status",
        "dateLastModified",
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
    ]
    data = csv_package(
        {
            "lineItems": [
                ["sourcedId", "status", "dateLastModified", "title", "resultValueMin", "resultValueMax"],
                [li, "active", "2026-11-01T08:00:00Z", "CSV CFA", "0", "10"],
            ],
            "results": [
                [*header, "score", "scoreDate", "textScore", "comment"],
                [
                    f"{li}-r0",
                    "active",
                    "2026-11-21T10:30:00Z",
                    li,
                    district.students[0],
                    "fully graded",
                    "7",
                    "2026-11-20",
                    "B",
                    "good",
                ],
            ],
        }
    )
    imported = await district.http.post(
        "/assessments/imports/oneroster",
        content=data,
        headers={**district.sis, "Content-Type": "application/zip"},
    )
    assert imported.json()["problems"] == [], imported.text
    listed = await district.http.get(
        f"{BASE}/results", params={"filter": f"lineItem.sourcedId='{li}'"}, headers=district.sis
    )
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    [result] = listed.json()["results"]
    assert result["sourcedId"] == f"{li}-r0" and result["status"] == "active"
    assert result["dateLastModified"] == "2026-11-21T10:30:00Z"  # the source's time, not the server clock
    assert result["lineItem"]["sourcedId"] == li and result["lineItem"]["type"] == "lineItem"
    assert result["lineItem"]["href"].endswith(f"{BASE}/lineItems/{li}")
    assert result["student"] == {
        "href": result["student"]["href"],
        "sourcedId": district.students[0],
        "type": "user",
    } and result["student"]["href"].endswith(f"/students/{district.students[0]}")
    assert (result["scoreStatus"], result["score"], result["scoreDate"]) == ("fully graded", 7, "2026-11-20")
    assert (result["textScore"], result["comment"]) == ("B", "good")
    single = await district.http.get(f"{BASE}/results/{li}-r0", headers=district.sis)
    assert single.json()["result"] == result


async def test_line_item_fields_round_trip_and_learning_objectives_score_standards(district):
    li = f"{district.id}-li-full"
    body = {
        "lineItem": {
            "title": "Unit 4 CFA",
            "description": "Equivalent fractions",
            "assignDate": "2026-11-02T00:00:00Z",
            "dueDate": "2026-11-20T23:59:00Z",
            "class": {"sourcedId": district.classes[0]},
            "category": {"sourcedId": "cat-quiz"},
            "gradingPeriod": {"sourcedId": "gp-1"},
            "scoreScale": {"sourcedId": "scale-x"},
            "resultValueMin": 0,
            "resultValueMax": 20,
            "dateLastModified": "2026-11-01T08:00:00Z",
            "learningObjectiveSet": [{"source": "case", "learningObjectiveIds": [CASE_ID]}],
        }
    }
    created = await district.http.put(f"{BASE}/lineItems/{li}", json=body, headers=district.sis)
    assert created.status_code == 201, created.text
    item = (await district.http.get(f"{BASE}/lineItems/{li}", headers=district.sis)).json()["lineItem"]
    assert item["description"] == "Equivalent fractions"
    assert (item["assignDate"], item["dueDate"]) == ("2026-11-02T00:00:00Z", "2026-11-20T23:59:00Z")
    assert item["dateLastModified"] == "2026-11-01T08:00:00Z"
    assert (item["class"]["sourcedId"], item["class"]["type"]) == (district.classes[0], "class")
    assert item["school"]["sourcedId"] == district.schools[0] and item["school"]["type"] == "org"
    assert item["category"]["type"] == "category" and item["category"]["sourcedId"] == "cat-quiz"
    assert item["gradingPeriod"]["sourcedId"] == "gp-1" and item["scoreScale"]["sourcedId"] == "scale-x"
    assert all(item[k]["href"].startswith("http") for k in ("class", "school", "category", "scoreScale"))
    assert item["learningObjectiveSet"] == [{"source": "case", "learningObjectiveIds": [CASE_ID]}]
    result = {
        "result": {
            "lineItem": {"sourcedId": li},
            "student": {"sourcedId": district.students[0]},
            "scoreStatus": "fully graded",
            "score": 9,
            "learningObjectiveSet": [
                {"source": "case", "learningObjectiveResults": [{"learningObjectiveId": CASE_ID, "score": 9}]}
            ],
        }
    }
    written = await district.http.put(f"{BASE}/results/{li}-r1", json=result, headers=district.sis)
    assert written.status_code == 201, written.text
    out = written.json()["result"]
    assert out["learningObjectiveSet"][0]["learningObjectiveResults"] == [
        {"learningObjectiveId": CASE_ID, "score": 9}
    ]
    [standard] = out["metadata"]["standardScores"]
    assert (standard["standard_id"], standard["percent"], standard["proficient"]) == (CASE_ID, 45.0, False)
    changed = {"lineItem": {**body["lineItem"], "learningObjectiveSet": []}}
    changed["lineItem"]["resultValueMax"] = 30
    conflict = await district.http.put(f"{BASE}/lineItems/{li}", json=changed, headers=district.sis)
    assert conflict.status_code == 409 and conflict.json()["imsx_codeMajor"] == "failure"


async def test_two_sourced_ids_of_a_student_are_two_results_and_no_score_never_replaces_a_score(district):
    li = f"{district.id}-li-two"
    await district.http.put(
        f"{BASE}/lineItems/{li}",
        json={"lineItem": {"title": "CFA", "resultValueMax": 10}},
        headers=district.sis,
    )

    def result(score, status="fully graded"):
        return {
            "result": {
                "lineItem": {"sourcedId": li},
                "student": {"sourcedId": district.students[0]},
                "scoreStatus": status,
                "score": score,
            }
        }

    assert (
        await district.http.put(f"{BASE}/results/{li}-a", json=result(6), headers=district.sis)
    ).status_code == 201
    second = await district.http.put(f"{BASE}/results/{li}-b", json=result(8), headers=district.sis)
    assert second.status_code == 201 and second.json()["result"]["metadata"]["attempt"] == 2
    first = (await district.http.get(f"{BASE}/results/{li}-a", headers=district.sis)).json()["result"]
    assert (first["score"], first["metadata"]["attempt"]) == (6, 1)
    ungraded = await district.http.put(
        f"{BASE}/results/{li}-a", json=result(None, "submitted"), headers=district.sis
    )
    assert ungraded.status_code == 409
    assert (
        ungraded.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "invaliddata"
    )
    kept = (await district.http.get(f"{BASE}/results/{li}-a", headers=district.sis)).json()["result"]
    assert (kept["score"], kept["scoreStatus"]) == (6, "fully graded")


async def test_collection_query_parameters_and_the_spec_error_payload(district, other_district):
    li = f"{district.id}-li-q"
    await district.http.put(
        f"{BASE}/lineItems/{li}",
        json={"lineItem": {"title": "CFA", "resultValueMax": 10}},
        headers=district.sis,
    )
    for n, score in enumerate((3, 9, 6)):
        body = {
            "result": {
                "lineItem": {"sourcedId": li},
                "student": {"sourcedId": district.students[n]},
                "scoreStatus": "fully graded",
                "score": score,
                "dateLastModified": f"2026-11-2{n}T10:00:00Z",
            }
        }
        assert (
            await district.http.put(f"{BASE}/results/{li}-q{n}", json=body, headers=district.sis)
        ).status_code == 201

    async def get(**params):
        return await district.http.get(f"{BASE}/results", params=params, headers=district.sis)

    mine = f"lineItem.sourcedId='{li}'"
    by_score = await get(filter=mine, sort="score", orderBy="desc")
    assert [r["score"] for r in by_score.json()["results"]] == [9, 6, 3]
    assert by_score.headers["X-Total-Count"] == "3"
    page = await get(filter=mine, sort="score", limit=1, offset=1, fields="sourcedId,score")
    assert page.json()["results"] == [{"sourcedId": f"{li}-q2", "score": 6}]
    both = await get(
        filter=f"{mine} AND score>='6' AND dateLastModified>'2026-11-20T12:00:00Z'", sort="score"
    )
    assert [r["sourcedId"] for r in both.json()["results"]] == [f"{li}-q2", f"{li}-q1"]
    either = await get(filter=f"sourcedId='{li}-q0' OR sourcedId~'{li}-q1'", sort="sourcedId")
    assert [r["sourcedId"] for r in either.json()["results"]] == [f"{li}-q0", f"{li}-q1"]
    items = await district.http.get(
        f"{BASE}/lineItems",
        params={"filter": "title~'cf' AND resultValueMax='10'", "fields": "sourcedId"},
        headers=district.sis,
    )
    assert {"sourcedId": li} in items.json()["lineItems"]
    for params, minor in (
        ({"filter": "shoeSize='9'"}, "invalid_filter_field"),
        ({"filter": "score=="}, "invalid_filter_field"),
        ({"sort": "shoeSize"}, "invaliddata"),  # 1.2 has no invalid_sort_field
        ({"fields": "sourcedId,shoeSize"}, "invalid_selection_field"),
        ({"filter": "score>'many'"}, "invaliddata"),
    ):
        bad = await get(**params)
        assert bad.status_code == 400, (params, bad.text)
        body = bad.json()
        assert (body["imsx_codeMajor"], body["imsx_severity"]) == ("failure", "error")
        assert body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor
        assert body["imsx_description"]
    hidden = await district.http.get(f"{BASE}/results/{li}-q0", headers=other_district.sis)
    assert hidden.status_code == 404
    assert (
        hidden.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "unknownobject"
    )
    assert (await district.http.get(f"{BASE}/results", headers=other_district.sis)).json()["results"] == []


async def test_rest_results_say_what_the_csv_import_says(district):
    """The same facts, the same words as the CSV import's report (oneroster.rules): a result for a user who is
    staff names them as staff; an objective score for an objective the line item is not aligned to names the
    line item and what it measures. In REST the latter stays a 422 (a PUT stores the whole result or nothing:
    a 201 carries no warning in the binding), where the CSV import keeps the total and reports the objective."""
    li, teacher = f"{district.id}-li-words", f"{district.id}-t1"
    staff = {"sourced_id": teacher, "given_name": "T", "family_name": "One", "roles": ["teacher"], "school_ids": [district.schools[0]]}  # fmt: skip
    assert (await district.put("/assessments/roster/staff", {"records": [staff]})).status_code == 200
    body = {"title": "Aligned", "resultValueMax": 10, "learningObjectiveSet": [{"source": "case", "learningObjectiveIds": [CASE_ID]}]}  # fmt: skip
    assert (await district.http.put(f"{BASE}/lineItems/{li}", json={"lineItem": body}, headers=district.sis)).status_code == 201  # fmt: skip
    result = {"lineItem": {"sourcedId": li}, "student": {"sourcedId": teacher}, "scoreStatus": "fully graded", "score": 5}  # fmt: skip
    refused = await district.http.put(
        f"{BASE}/results/{li}-r1", json={"result": result}, headers=district.sis
    )
    assert refused.status_code == 422
    assert f"{teacher} is staff (teacher), not a student: a result needs a student" in refused.json()["imsx_description"]  # fmt: skip
    assert "unknown student" not in refused.json()["imsx_description"]
    extra = "9f0e1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
    scores = [{"learningObjectiveId": CASE_ID, "score": 4}, {"learningObjectiveId": extra, "score": 1}]
    result = {**result, "student": {"sourcedId": district.students[0]}, "learningObjectiveSet": [{"source": "case", "learningObjectiveResults": scores}]}  # fmt: skip
    refused = await district.http.put(
        f"{BASE}/results/{li}-r1", json={"result": result}, headers=district.sis
    )
    assert refused.status_code == 422
    said = refused.json()["imsx_description"]
    assert f"line item '{li}' is not aligned to objective '{extra}' (it measures: {CASE_ID})" in said, said
    assert (await district.http.get(f"{BASE}/results/{li}-r1", headers=district.sis)).status_code == 404
