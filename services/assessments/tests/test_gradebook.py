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
    assert updated.status_code == 200 and updated.json()["lineItem"]["title"] == "Unit 3 CFA (v2)"
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
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "resultValueMax"
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
    assert updated.status_code == 200 and updated.json()["result"]["metadata"]["revision"] == 2
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
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "assessmentLineItem"
    listed = await district.http.get(f"{BASE}/assessmentResults", headers=district.sis)
    assert [r["sourcedId"] for r in listed.json()["assessmentResults"]] == [f"{district.id}-ar1"]
