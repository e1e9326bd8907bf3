"""Tenancy: SIS ids are unique within a district only.

Two districts roster the very same sourcedIds, adopt the same CASE identifiers and assessment ids and post
different scores: each sees exactly its own data. Every write route, tried by one district with ids that only
another district has, answers exactly as it does for ids nobody has (same status, same body) and changes
nothing of the other district. The write routes come from the app's own route table: a new route without a
case here fails `test_every_write_route_has_a_cross_district_case`.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile

import pytest
from assessments.main import create_app
from assessments.testing import District
from plc_shared.auth import Role

GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
CASE_IDS = [str(uuid.uuid4()), str(uuid.uuid4())]
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?")


@pytest.fixture
async def twins(client, settings) -> tuple[District, District]:
    """d1 and d2 with the same sourcedIds for every roster object, the same CASE ids and assessment id."""
    shared = f"sis-{uuid.uuid4().hex[:8]}"
    d1 = await District(client, settings, ids=shared).build()
    d2 = await District(client, settings, ids=shared).build()
    for district, given in ((d1, "Ana"), (d2, "Bo")):
        named = [
            {"sourced_id": district.students[0], "school_ids": [district.schools[0]], "given_name": given}
        ]
        assert (await district.put("/assessments/roster/students", {"records": named})).status_code == 200
    return d1, d2


async def _same_assessment(district: District) -> dict:
    """The same CASE-aligned assessment, adopted by each district under the same ids."""
    for n, case_id in enumerate(CASE_IDS, 1):
        await district.standard(f"CASE{n}", id=case_id, case_identifier=case_id)
    body = {
        "id": f"{district.ids}-cfa",
        "title": "CFA",
        "kind": "common_formative",
        "grades": ["04"],
        "max_score": 20,
        "proficiency_cut": 70,
        "mastery_cut": 90,
        "objectives": [
            {"code": f"O{n}", "max_points": 10, "standard_ids": [c]} for n, c in enumerate(CASE_IDS)
        ],
    }
    assert (await district.post("/assessments/assessments", body)).status_code == 201
    assert (await district.post(f"/assessments/assessments/{body['id']}/publish")).status_code == 200
    return body


async def test_two_districts_with_the_same_ids_each_see_exactly_their_own(twins):
    d1, d2 = twins
    a1, a2 = await _same_assessment(d1), await _same_assessment(d2)
    assert a1["id"] == a2["id"] and d1.students == d2.students
    for district, scores in ((d1, (2, 3)), (d2, (9, 10))):
        rows = [
            {
                "assessment_id": a1["id"],
                "student_id": s,
                "objective_scores": {"O0": scores[0], "O1": scores[1]},
            }
            for s in district.students
        ]
        response = await district.post("/assessments/results/bulk", {"results": rows})
        assert response.json()["accepted"] == len(rows), response.text

    for district, total in ((d1, 5), (d2, 19)):
        one = await district.http.get(
            f"/assessments/results/{a1['id']}/{district.students[0]}/1", headers=district.sis
        )
        assert one.status_code == 200 and one.json()["total_score"] == total
        listed = await district.http.get(f"/assessments/assessments/{a1['id']}/results", headers=district.sis)
        assert {r["total_score"] for r in listed.json()} == {total}
        assert len(listed.json()) == len(district.students)
        analysis = await district.http.get(
            f"/assessments/assessments/{a1['id']}/analysis", headers=district.sis
        )
        assert analysis.json()["results"] == len(district.students)
        below = {b["standard_id"]: b["student_ids"] for b in analysis.json()["below_cut"]}
        assert all(below.get(c) for c in CASE_IDS) == (district is d1)
        standard = await district.http.get(f"/assessments/standards/{CASE_IDS[0]}", headers=district.sis)
        assert standard.json()["code"] == f"{district.ids}.CASE1"

    for district, given in ((d1, "Ana"), (d2, "Bo")):
        students = await district.http.get(
            f"/assessments/roster/classes/{district.classes[0]}/students", headers=district.sis
        )
        names = {s["sourced_id"]: s.get("given_name") for s in students.json()}
        assert names[district.students[0]] == given and len(names) == 3


async def test_essential_flag_of_one_district_does_not_mark_the_others(twins):
    d1, d2 = twins
    await _same_assessment(d1)
    await _same_assessment(d2)
    leader = d1.token(Role.DISTRICT_ADMIN)
    marked = await d1.http.put(
        f"/assessments/standards/{CASE_IDS[0]}/essential",
        json={"scope": "grade", "value": "04"},
        headers=leader,
    )
    assert marked.status_code == 200 and marked.json()["essential_for"]
    other = await d2.http.get(f"/assessments/standards/{CASE_IDS[0]}", headers=d2.sis)
    assert other.json()["essential_for"] == []


# --- every write route, with another district's ids ----------------------------------------------------------
def _package(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        rows = ["propertyName,value", "manifest.version,1.0", "oneroster.version,1.2"]
        rows += [f"file.{name},delta" for name in files]
        archive.writestr("manifest.csv", "\r\n".join(rows) + "\r\n")
        for name, content in files.items():
            archive.writestr(f"{name}.csv", content)
    return buffer.getvalue()


def _result(ids: dict[str, str]) -> dict:
    return {"assessment_id": ids["assessment"], "student_id": ids["student"], "total_score": 3}


def _gradebook_result(ids: dict[str, str], reference: str = "lineItem") -> dict:
    return {
        reference: {"sourcedId": ids["line_item"]},
        "student": {"sourcedId": ids["student"]},
        "scoreStatus": "fully graded",
        "score": 3,
    }


def _assessment(ids: dict[str, str]) -> dict:
    return {
        "title": "t",
        "kind": "common_formative",
        "max_score": 10,
        "proficiency_cut": 70,
        "mastery_cut": 90,
        "objectives": [{"code": "O", "max_points": 10, "standard_ids": [ids["standard"]]}],
    }


# (method, path template) -> request built from the ids of the objects that only the other district has.
WRITES = {
    ("PUT", "/assessments/roster/orgs"): lambda i: {
        "json": {
            "records": [
                {"sourced_id": i["school"], "name": "S", "type": "school", "parent_id": i["district"]}
            ]
        }
    },
    ("PUT", "/assessments/roster/academic-sessions"): lambda i: {
        "json": {"records": [{"sourced_id": i["term"], "title": "T", "type": "term"}]}
    },
    ("PUT", "/assessments/roster/courses"): lambda i: {
        "json": {"records": [{"sourced_id": i["course"], "title": "C", "school_id": i["school"]}]}
    },
    ("PUT", "/assessments/roster/classes"): lambda i: {
        "json": {"records": [{"sourced_id": i["class"], "title": "C", "school_id": i["school"]}]}
    },
    ("PUT", "/assessments/roster/students"): lambda i: {
        "json": {"records": [{"sourced_id": i["student"], "school_ids": [i["school"]]}]}
    },
    ("PUT", "/assessments/roster/enrollments"): lambda i: {
        "json": {
            "records": [
                {
                    "sourced_id": i["enrollment"],
                    "class_id": i["class"],
                    "school_id": i["school"],
                    "user_id": i["student"],
                    "role": "student",
                }
            ]
        }
    },
    ("PUT", "/assessments/roster/staff"): lambda i: {
        "json": {
            "records": [
                {
                    "sourced_id": i["staff"],
                    "given_name": "G",
                    "family_name": "F",
                    "roles": ["teacher"],
                    "school_ids": [i["school"]],
                }
            ]
        }
    },
    ("POST", "/assessments/standards"): lambda i: {
        "json": {"id": i["standard"], "code": i["standard"], "statement": "s"}
    },
    ("PUT", "/assessments/standards/{standard_id}/essential"): lambda i: {
        "json": {"scope": "grade", "value": "04"}
    },
    ("DELETE", "/assessments/standards/{standard_id}/essential"): lambda i: {
        "params": {"scope": "grade", "value": "04"}
    },
    ("POST", "/assessments/assessments"): lambda i: {"json": {**_assessment(i), "id": i["assessment"]}},
    ("PUT", "/assessments/assessments/{assessment_id}"): lambda i: {"json": _assessment(i)},
    ("PUT", "/assessments/assessments/{assessment_id}/quality"): lambda i: {
        "json": {"ratings": [{"key": "clear_purpose", "rating": "met"}]}
    },
    # A CASE item under the other district's standard id is this district's own standard.
    ("POST", "/assessments/imports/case"): lambda i: {
        "json": {
            "CFDocument": {"identifier": "doc", "title": "D"},
            "CFItems": [
                {"identifier": i["standard"], "humanCodingScheme": i["standard"], "fullStatement": "s"}
            ],
        }
    },
    ("POST", "/assessments/assessments/{assessment_id}/publish"): lambda i: {},
    ("POST", "/assessments/assessments/{assessment_id}/close"): lambda i: {},
    ("PUT", "/assessments/results"): lambda i: {"json": _result(i)},
    ("POST", "/assessments/results"): lambda i: {"json": _result(i)},
    ("DELETE", "/assessments/results/{assessment_id}/{student_id}/{attempt}"): lambda i: {},
    ("POST", "/assessments/results/bulk"): lambda i: {"json": {"results": [_result(i)]}},
    ("POST", "/assessments/imports/oneroster"): lambda i: {
        "content": _package(
            {
                "results": "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score\r\n"
                f"{i['result']},active,,{i['line_item']},{i['student']},fully graded,3\r\n"
            }
        )
    },
    ("PUT", f"{GRADEBOOK}/lineItems/{{sourced_id}}"): lambda i: {
        "json": {"lineItem": {"title": "t", "resultValueMax": 10}}
    },
    ("DELETE", f"{GRADEBOOK}/lineItems/{{sourced_id}}"): lambda i: {},
    ("PUT", f"{GRADEBOOK}/assessmentLineItems/{{sourced_id}}"): lambda i: {
        "json": {"assessmentLineItem": {"title": "t", "resultValueMax": 10}}
    },
    ("DELETE", f"{GRADEBOOK}/assessmentLineItems/{{sourced_id}}"): lambda i: {},
    ("PUT", f"{GRADEBOOK}/results/{{sourced_id}}"): lambda i: {"json": {"result": _gradebook_result(i)}},
    ("DELETE", f"{GRADEBOOK}/results/{{sourced_id}}"): lambda i: {},
    ("PUT", f"{GRADEBOOK}/assessmentResults/{{sourced_id}}"): lambda i: {
        "json": {"assessmentResult": _gradebook_result(i, "assessmentLineItem")}
    },
    ("DELETE", f"{GRADEBOOK}/assessmentResults/{{sourced_id}}"): lambda i: {},
}


def _write_routes(app) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE")
    }


def test_every_write_route_has_a_cross_district_case(settings):
    assert _write_routes(create_app(settings)) == set(WRITES)


def _ids(prefix: str) -> dict[str, str]:
    names = (
        "district",
        "school",
        "term",
        "course",
        "class",
        "student",
        "enrollment",
        "staff",
        "standard",
        "assessment",
    )
    return {name: f"{prefix}-{name}" for name in (*names, "line_item", "result")}


def _path(template: str, ids: dict[str, str], line_item: str) -> str:
    result_collection = "/results/" in template or "/assessmentResults/" in template
    sourced_id = ids["result"] if result_collection else line_item
    return template.format(
        standard_id=ids["standard"],
        assessment_id=ids["assessment"],
        student_id=ids["student"],
        attempt=1,
        sourced_id=sourced_id,
    )


async def _give_d2_its_own_objects(d2: District, ids: dict[str, str]) -> None:
    """Objects only d2 has, under the ids of `ids`: roster, a standard, an assessment, line items, results."""
    roster = {
        "orgs": [{"sourced_id": ids["school"], "name": "S", "type": "school"}],
        "academic-sessions": [{"sourced_id": ids["term"], "title": "T", "type": "term"}],
        "courses": [{"sourced_id": ids["course"], "title": "C", "school_id": ids["school"]}],
        "classes": [{"sourced_id": ids["class"], "title": "C", "school_id": ids["school"]}],
        "students": [{"sourced_id": ids["student"], "school_ids": [ids["school"]]}],
        "enrollments": [
            {
                "sourced_id": ids["enrollment"],
                "class_id": ids["class"],
                "school_id": ids["school"],
                "user_id": ids["student"],
                "role": "student",
            }
        ],
        "staff": [
            {
                "sourced_id": ids["staff"],
                "given_name": "Dana",
                "family_name": "Two",
                "roles": ["teacher"],
                "school_ids": [ids["school"]],
            }
        ],
    }
    for kind, records in roster.items():
        response = await d2.put(f"/assessments/roster/{kind}", {"records": records})
        assert response.json()["rejected"] == [], response.text
    await d2.standard("only", id=ids["standard"])
    assert (
        await d2.post("/assessments/assessments", {**_assessment(ids), "id": ids["assessment"]})
    ).status_code == 201
    assert (await d2.post(f"/assessments/assessments/{ids['assessment']}/publish")).status_code == 200
    assert (await d2.put("/assessments/results", _result(ids))).status_code == 201
    for collection, line_item in (
        ("lineItems", ids["line_item"]),
        ("assessmentLineItems", f"{ids['line_item']}-s"),
    ):
        singular = collection[:-1]
        body = {singular: {"title": "t", "resultValueMax": 10}}
        assert (await d2.put(f"{GRADEBOOK}/{collection}/{line_item}", body)).status_code == 201
    result = {"result": _gradebook_result(ids)}
    assert (await d2.put(f"{GRADEBOOK}/results/{ids['result']}", result)).status_code == 201


async def _snapshot(d2: District, ids: dict[str, str]) -> list:
    """What d2 sees of its own objects (a write by another district must not change any of it)."""
    reads = [
        "/assessments/roster/schools",
        "/assessments/roster/classes",
        f"/assessments/roster/classes/{ids['class']}/students",
        "/assessments/roster/staff",
        f"/assessments/roster/staff/{ids['staff']}",
        "/assessments/standards",
        f"/assessments/assessments/{ids['assessment']}",
        f"/assessments/assessments/{ids['assessment']}/results",
        f"{GRADEBOOK}/lineItems",
        f"{GRADEBOOK}/assessmentLineItems",
        f"{GRADEBOOK}/results",
    ]
    return [(path, (await d2.http.get(path, headers=d2.sis)).json()) for path in reads]


def _normalised(response, *ids: str) -> tuple[int, str]:
    text = TIMESTAMP.sub("<time>", response.text)
    for value in ids:
        text = text.replace(value, "<id>")
    return response.status_code, text


@pytest.mark.parametrize(("method", "template"), sorted(WRITES), ids=lambda v: str(v))
async def test_a_write_naming_another_districts_ids_answers_as_for_missing_ids(
    client, settings, method, template
):
    tag = uuid.uuid4().hex[:8]
    d1 = await District(client, settings).build()
    d2 = await District(client, settings).build()
    theirs, nobodys = _ids(f"only-{tag}"), _ids(f"none-{tag}")
    await _give_d2_its_own_objects(d2, theirs)
    before = await _snapshot(d2, theirs)
    answers = []
    for ids in (theirs, nobodys):
        line_item = ids["line_item"] if "/lineItems/" in template else f"{ids['line_item']}-s"
        request = WRITES[(method, template)](ids)
        response = await d1.http.request(
            method, _path(template, ids, line_item), headers=d1.token(Role.DISTRICT_ADMIN), **request
        )
        answers.append(_normalised(response, line_item, *ids.values()))
    assert answers[0] == answers[1]
    creates_on_put = method == "PUT" and template.startswith(GRADEBOOK)  # OneRoster PUT is an upsert
    if "{" in template and not creates_on_put:
        assert answers[0][0] == 404, answers[0]
    assert answers[0][0] != 409 and answers[0][0] < 500, answers[0]
    assert await _snapshot(d2, theirs) == before
