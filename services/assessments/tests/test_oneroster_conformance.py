"""Every answer of every /ims/oneroster/gradebook/v1p2 route, checked against the vendored 1.2 schemas
(tests/vendor/oneroster, README there: imsx_* verbatim from 1EdTech's OpenAPI, the gradebook objects as the
strict public client LongsightGroup/oneroster parses them): successes, each error status, lists, `fields`
projections; the Link header of every page. Every href is followed in test_oneroster_rostering.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from plc_shared.auth import Role

BASE = "/ims/oneroster/gradebook/v1p2"
VENDOR = Path(__file__).parent / "vendor" / "oneroster"
IMSX = json.loads((VENDOR / "imsx_1edtech_rostering_v1p2.json").read_text())
GRADEBOOK = json.loads((VENDOR / "gradebook_v1p2.json").read_text())
SINGULAR = {
    "lineItems": ("lineItem", "LineItem"),
    "assessmentLineItems": ("assessmentLineItem", "AssessmentLineItem"),
    "results": ("result", "Result"),
    "assessmentResults": ("assessmentResult", "AssessmentResult"),
    "scoreScales": ("scoreScale", "ScoreScale"),
    "categories": ("category", "Category"),
}


def _validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator({"$defs": GRADEBOOK["$defs"], **schema}, format_checker=FormatChecker())


def _object_schema(name: str, fields: list[str] | None = None) -> dict:
    schema = dict(GRADEBOOK["$defs"][name])
    if fields is not None:  # a projection: the selected members, none other, none required beyond them
        schema["required"] = [f for f in schema["required"] if f in fields]
    return schema


STATUS_INFO = _validator({**IMSX, "$ref": "#/components/schemas/imsx_StatusInfoDType"})


def check(response, collection: str, *, many: bool = False, fields: list[str] | None = None) -> None:
    """The answer is exactly what the binding allows for its status."""
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/json", response.headers
        STATUS_INFO.validate(response.json())
        return
    if response.status_code == 204:
        assert response.content == b""
        return
    singular, name = SINGULAR[collection]
    item = _object_schema(name, fields)
    body = response.json()
    if many:
        envelope = {"type": "object", "properties": {collection: {"type": "array", "items": item}}}
        _validator({**envelope, "required": [collection], "additionalProperties": False}).validate(body)
        assert int(response.headers["x-total-count"]) >= len(body[collection])
        assert {"first", "last"} <= set(_links(response))
    else:
        envelope = {"type": "object", "properties": {singular: item}, "required": [singular]}
        _validator({**envelope, "additionalProperties": False}).validate(body)
    for found in _objects(body):
        if fields is not None:
            assert set(found) <= set(fields)


def _objects(body: dict) -> list[dict]:
    (value,) = body.values()
    return value if isinstance(value, list) else [value]


def _links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))}


def _hrefs(value) -> list[str]:
    if isinstance(value, dict):
        return ([value["href"]] if "href" in value else []) + [h for v in value.values() for h in _hrefs(v)]
    if isinstance(value, list):
        return [h for v in value for h in _hrefs(v)]
    return []


def _line_item(district, title: str, **extra) -> dict:
    """A lineItem with every member the 1.2 binding requires (class, school, category, dates)."""
    return {
        "title": title,
        "assignDate": "2026-11-01T00:00:00Z",
        "dueDate": "2026-11-20T00:00:00Z",
        "class": {"sourcedId": district.classes[0]},
        "school": {"sourcedId": district.schools[0]},
        "category": {"sourcedId": f"{district.id}-cat-cfa"},
        "gradingPeriod": {"sourcedId": f"{district.id}-gp"},
        "resultValueMax": 10,
        "scoreScale": {"sourcedId": f"{district.id}-scale"},
        **extra,
    }


async def _score_scale(district) -> str:
    """Score scales come from CSV (scoreScales.csv, delta)."""
    from .test_oneroster import csv_text, package, upload

    scale = f"{district.id}-scale"
    header = ["sourcedId", "status", "dateLastModified", "title", "type", "orgSourcedId", "courseSourcedId", "classSourcedId", "scoreScaleValue"]  # fmt: skip
    row = [scale, "active", "", "CFA levels", "performance", "", "", district.classes[0], "{0:Beginning},{7:Proficient},{9:Advanced}"]  # fmt: skip
    imported = await upload(
        district, package({"scoreScales": csv_text(header, [row])}, {"scoreScales": "delta"})
    )
    assert imported.status_code == 200 and imported.json()["problems"] == [], imported.text
    return scale


async def _rostered(district) -> dict[str, str]:
    """What a SIS sends for the district's roster, every member the 1.2 objects require: org identifiers, a
    school year > term > grading period, a course, classes with their course and term, names."""
    d = district.id
    year, term, period, course = f"{d}-y", f"{d}-term", f"{d}-gp", f"{d}-course"
    orgs = [{"sourced_id": d, "name": "District", "type": "district", "identifier": "NCES-0"}] + [
        {"sourced_id": s, "name": s, "type": "school", "parent_id": d, "identifier": f"NCES-{n}"}
        for n, s in enumerate(district.schools, 1)
    ]
    sessions = [
        {
            "sourced_id": year,
            "title": "2026-27",
            "type": "schoolYear",
            "start_date": "2026-08-01",
            "end_date": "2027-07-31",
            "school_year": "2027",
        },
        {
            "sourced_id": term,
            "title": "Fall",
            "type": "term",
            "start_date": "2026-08-01",
            "end_date": "2026-12-31",
            "parent_id": year,
        },
        {
            "sourced_id": period,
            "title": "Q2",
            "type": "gradingPeriod",
            "start_date": "2026-10-15",
            "end_date": "2026-12-31",
            "parent_id": term,
        },
    ]
    courses = [{"sourced_id": course, "title": "Grade 4 Math", "course_code": "M4", "school_id": None}]
    classes = [
        {
            "sourced_id": c,
            "title": c,
            "school_id": s,
            "course_id": course,
            "term_ids": [term],
            "grades": ["04"],
            "teacher_ids": [t],
        }
        for c, s, t in zip(district.classes, district.schools, district.teachers, strict=True)
    ]
    students = [
        {
            "sourced_id": sid,
            "school_ids": [district.schools[n // 3]],
            "grades": ["04"],
            "given_name": f"Given{n}",
            "family_name": f"Family{n}",
            "identifier": f"ID{n}",
        }
        for n, sid in enumerate(district.students)
    ]
    staff = [
        {
            "sourced_id": t,
            "given_name": "Teach",
            "family_name": f"Er{n}",
            "roles": ["teacher"],
            "school_ids": [s],
        }
        for n, (t, s) in enumerate(zip(district.teachers, district.schools, strict=True))
    ]
    for kind, records in (("orgs", orgs), ("academic-sessions", sessions), ("courses", courses), ("classes", classes), ("students", students), ("staff", staff)):  # fmt: skip
        written = await district.put(f"/assessments/roster/{kind}", {"records": records})
        assert written.status_code == 200, written.text
    return {"year": year, "term": term, "gradingPeriod": period, "course": course}


async def _categories(district) -> None:
    """Categories come from CSV (categories.csv, delta)."""
    from .test_oneroster import csv_text, package, upload

    header = ["sourcedId", "status", "dateLastModified", "title", "weight"]
    rows = [[f"{district.id}-cat-cfa", "active", "", "Common formative", "20"]]
    imported = await upload(
        district, package({"categories": csv_text(header, rows)}, {"categories": "delta"})
    )
    assert imported.status_code == 200 and imported.json()["problems"] == [], imported.text
    assert imported.json()["files"]["categories"] == {"rows": 1, "accepted": 1}


async def _seed(district) -> dict[str, str]:
    """Line items, results and their assessment-profile twins on a roster with every member the 1.2 objects
    require, the score scale and category they name: every href they hold resolves."""
    http, sis = district.http, district.sis
    await _rostered(district)
    await _categories(district)
    await _score_scale(district)
    li, ali = f"{district.id}-li", f"{district.id}-ali"
    r, ar = f"{district.id}-r", f"{district.id}-ar"
    created = await http.put(
        f"{BASE}/lineItems/{li}", json={"lineItem": _line_item(district, "CFA 1")}, headers=sis
    )
    check(created, "lineItems")
    assert created.status_code == 201
    replaced = await http.put(
        f"{BASE}/lineItems/{li}", json={"lineItem": _line_item(district, "CFA 1")}, headers=sis
    )
    assert replaced.status_code == 201, "the binding's putLineItem answers 201 for a replaced object too"
    body = {"title": "Benchmark", "class": {"sourcedId": district.classes[0]}, "resultValueMax": 40}
    put = await http.put(f"{BASE}/assessmentLineItems/{ali}", json={"assessmentLineItem": body}, headers=sis)
    check(put, "assessmentLineItems")
    assert put.status_code == 201 and "dueDate" not in put.json()["assessmentLineItem"]
    for n, student in enumerate(district.students[:3]):
        result = {
            "lineItem": {"sourcedId": li},
            "student": {"sourcedId": student},
            "scoreStatus": "fully graded",
            "score": 5 + n,
            "scoreDate": "2026-11-20",
        }
        put = await http.put(f"{BASE}/results/{r}{n}", json={"result": result}, headers=sis)
        check(put, "results")
        assert put.status_code == 201
        assert "textScore" not in put.json()["result"] and "comment" not in put.json()["result"]
    again = await http.put(f"{BASE}/results/{r}0", json={"result": {**result, "student": {"sourcedId": district.students[0]}, "score": 5}}, headers=sis)  # fmt: skip
    assert again.status_code == 201, "a re-PUT of an unchanged result answers 201, as the binding's putResult"
    assessment_result = {
        "assessmentLineItem": {"sourcedId": ali},
        "student": {"sourcedId": district.students[0]},
        "scoreStatus": "fully graded",
        "score": 30,
        "scoreDate": "2026-11-21",
    }
    put = await http.put(
        f"{BASE}/assessmentResults/{ar}", json={"assessmentResult": assessment_result}, headers=sis
    )
    check(put, "assessmentResults")
    await _native_cfa(district)
    return {"lineItems": li, "assessmentLineItems": ali, "results": f"{r}0", "assessmentResults": ar}


async def _native_cfa(district) -> str:
    """A CFA made through the assessments API (not OneRoster): no class, category or due date. Served as an
    assessmentLineItem (gradebook.rules.collection_of), with a OneRoster result as an assessmentResult."""
    native = f"{district.id}-native"
    body = {"id": native, "title": "Team CFA", "kind": "common_formative", "school_id": district.schools[0], "max_score": 10, "proficiency_cut": 70, "mastery_cut": 90}  # fmt: skip
    made = await district.post("/assessments/assessments", body)
    assert made.status_code == 201, made.text
    assert (await district.post(f"/assessments/assessments/{native}/publish")).status_code == 200
    result = {"assessmentLineItem": {"sourcedId": native}, "student": {"sourcedId": district.students[1]}, "scoreStatus": "fully graded", "score": 8, "scoreDate": "2026-11-22"}  # fmt: skip
    put = await district.http.put(f"{BASE}/assessmentResults/{native}-r", json={"assessmentResult": result}, headers=district.sis)  # fmt: skip
    check(put, "assessmentResults")
    assert put.status_code == 201, put.text
    return native


async def test_a_native_cfa_is_valid_in_every_list_it_appears_in(district):
    """A native CFA lacks the class, category and dueDate a 1.2 lineItem requires: it is served in the
    Assessment Results profile (assessmentLineItems, its results assessmentResults), valid there in every list,
    page, projection and single read, and in no lineItems list."""
    await _seed(district)
    http, sis = district.http, district.sis
    native = f"{district.id}-native"
    for collection, sourced_id in (("assessmentLineItems", native), ("assessmentResults", f"{native}-r")):
        check(await http.get(f"{BASE}/{collection}/{sourced_id}", headers=sis), collection)
        for params in ({}, {"limit": 1, "sort": "sourcedId", "orderBy": "desc"}, {"fields": "sourcedId,title" if collection == "assessmentLineItems" else "sourcedId,score"}):  # fmt: skip
            listed = await http.get(f"{BASE}/{collection}", params=params, headers=sis)
            fields = params["fields"].split(",") if "fields" in params else None
            check(listed, collection, many=True, fields=fields)
        everything = await http.get(f"{BASE}/{collection}", params={"filter": f"sourcedId='{sourced_id}'"}, headers=sis)  # fmt: skip
        check(everything, collection, many=True)
        assert [o["sourcedId"] for o in everything.json()[collection]] == [sourced_id]
    item = (await http.get(f"{BASE}/assessmentLineItems/{native}", headers=sis)).json()["assessmentLineItem"]
    assert item["metadata"]["kind"] == "common_formative" and "class" not in item
    for url in (f"{BASE}/lineItems", f"{BASE}/classes/{district.classes[0]}/lineItems"):
        listed = await http.get(url, headers=sis)
        check(listed, "lineItems", many=True)
        assert native not in {o["sourcedId"] for o in listed.json()["lineItems"]}
    results = await http.get(f"{BASE}/results", headers=sis)
    assert f"{native}-r" not in {o["sourcedId"] for o in results.json()["results"]}
    as_line_item = await http.get(f"{BASE}/lineItems/{native}", headers=sis)
    assert as_line_item.status_code == 404
    check(as_line_item, "lineItems")
    as_result = await http.get(f"{BASE}/results/{native}-r", headers=sis)
    assert as_result.status_code == 404
    wrong = {"lineItem": {"sourcedId": native}, "student": {"sourcedId": district.students[1]}, "scoreStatus": "fully graded", "score": 8}  # fmt: skip
    refused = await http.put(f"{BASE}/results/{native}-r2", json={"result": wrong}, headers=sis)
    assert (
        refused.status_code == 422
        and "its results are assessmentResults" in refused.json()["imsx_description"]
    )
    check(refused, "results")


async def test_every_answer_of_every_route_matches_the_binding(district):
    ids = await _seed(district)
    http, sis = district.http, district.sis
    for collection, sourced_id in ids.items():
        check(await http.get(f"{BASE}/{collection}/{sourced_id}", headers=sis), collection)
        check(await http.get(f"{BASE}/{collection}", headers=sis), collection, many=True)
        paged = await http.get(f"{BASE}/{collection}", params={"limit": 1, "offset": 1}, headers=sis)
        check(paged, collection, many=True)
        for fields in (["sourcedId"], ["sourcedId", "status", "dateLastModified"], ["sourcedId", "metadata"]):
            query = {"fields": ",".join(fields)}
            check(await http.get(f"{BASE}/{collection}", params=query, headers=sis), collection, many=True, fields=fields)  # fmt: skip
            check(await http.get(f"{BASE}/{collection}/{sourced_id}", params=query, headers=sis), collection, fields=fields)  # fmt: skip
        sorted_ = await http.get(f"{BASE}/{collection}", params={"sort": "sourcedId", "orderBy": "desc"}, headers=sis)  # fmt: skip
        check(sorted_, collection, many=True)
        filtered = await http.get(f"{BASE}/{collection}", params={"filter": f"sourcedId='{sourced_id}'"}, headers=sis)  # fmt: skip
        check(filtered, collection, many=True)
        assert [o["sourcedId"] for o in filtered.json()[collection]] == [sourced_id]
        # every error status of the route
        errors = {
            400: [
                ("GET", f"{BASE}/{collection}?sort=nope", "invaliddata"),
                ("GET", f"{BASE}/{collection}?orderBy=up", "invaliddata"),
                ("GET", f"{BASE}/{collection}?filter=nope='x'", "invalid_filter_field"),
                ("GET", f"{BASE}/{collection}?fields=nope", "invalid_selection_field"),
                ("PUT", f"{BASE}/{collection}/{sourced_id}", "invaliddata"),  # no wrapper
            ],
            401: [("GET", f"{BASE}/{collection}", "unauthorisedrequest")],
            403: [("DELETE", f"{BASE}/{collection}/{sourced_id}", "forbidden")],
            404: [("GET", f"{BASE}/{collection}/nope-{district.id}", "unknownobject")],
        }
        for status, calls in errors.items():
            for method, url, minor in calls:
                headers = {} if status == 401 else sis
                if status == 403:
                    headers = district.token(Role.ANALYST)
                inner = {
                    "title": "t",
                    "resultValueMax": 1,
                    "student": {"sourcedId": "x"},
                    "scoreStatus": "submitted",
                }
                answer = await http.request(method, url, headers=headers, json={"wrong": inner})
                assert answer.status_code == status, (method, url, answer.text)
                check(answer, collection)
                minor_field = answer.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]
                assert minor_field["imsx_codeMinorFieldValue"] == minor, (url, answer.json())
        check(await http.delete(f"{BASE}/{collection}/{sourced_id}", headers=sis), collection)
    # 409 (a result's student changed), 422 (score above the maximum)
    moved = {"lineItem": {"sourcedId": ids["lineItems"]}, "student": {"sourcedId": district.students[1]}, "scoreStatus": "fully graded", "score": 1, "scoreDate": "2026-11-20"}  # fmt: skip
    clash = await http.put(f"{BASE}/results/{ids['results'][:-1]}2", json={"result": moved}, headers=sis)
    assert clash.status_code == 409, clash.text
    check(clash, "results")
    too_high = {**moved, "student": {"sourcedId": district.students[2]}, "score": 99}
    bad = await http.put(f"{BASE}/results/{ids['results'][:-1]}2", json={"result": too_high}, headers=sis)
    assert bad.status_code == 422, bad.text
    check(bad, "results")
    missing = await http.put(f"{BASE}/lineItems/{district.id}-new", json={"lineItem": {"title": "x"}}, headers=sis)  # fmt: skip
    assert missing.status_code == 422 and "resultValueMax" in missing.json()["imsx_description"]
    check(missing, "lineItems")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PUT", "/categories/cat-1", 405),  # getCategory is served (categories.csv): 405, GET in Allow
        ("GET", "/classes/c-1/categories", 501),
        ("PUT", "/scoreScales/scale-1", 405),  # its GET is served: 405 with the path's methods in Allow
        ("POST", "/lineItems/li-1/results", 501),
        ("POST", "/schools/s-1/lineItems", 501),
    ],
)
async def test_an_unserved_part_of_the_binding_is_unsupported_not_404(district, method, path, status):
    answer = await district.http.request(method, f"{BASE}{path}", headers=district.sis, json={})
    assert answer.status_code == status
    if status == 405:
        assert "GET" in answer.headers["allow"] and method not in answer.headers["allow"]
    STATUS_INFO.validate(answer.json())
    assert answer.json()["imsx_codeMajor"] == "unsupported"
    nowhere = await district.http.get(f"{BASE}/nothing/here/at/all", headers=district.sis)
    assert nowhere.status_code == 404
    STATUS_INFO.validate(nowhere.json())


async def test_pages_link_first_prev_next_last_on_the_callers_address(district):
    await _seed(district)
    forwarded = {**district.sis, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "plc.example.org", "X-Forwarded-Prefix": "/api"}  # fmt: skip
    page = await district.http.get(f"{BASE}/results", params={"limit": 1, "offset": 1, "sort": "sourcedId"}, headers=forwarded)  # fmt: skip
    assert page.headers["x-total-count"] == "3"
    links = _links(page)
    assert set(links) == {"first", "prev", "next", "last"}
    assert links["next"].startswith(f"https://plc.example.org/api{BASE}/results?")
    assert "offset=2" in links["next"] and "offset=0" in links["prev"] and "offset=2" in links["last"]
    assert "sort=sourcedId" in links["next"] and "limit=1" in links["next"]
    for href in _hrefs(page.json()):
        assert href.startswith("https://plc.example.org/api/ims/oneroster/"), href


# Every href (gradebook and rostering, categories included) is followed, none skipped, in
# test_oneroster_rostering.py::test_every_href_of_every_answer_resolves.


async def test_score_scales_read_as_the_binding_says(district):
    scale = await _score_scale(district)
    http, sis = district.http, district.sis
    one = await http.get(f"{BASE}/scoreScales/{scale}", headers=sis)
    check(one, "scoreScales")
    assert one.json()["scoreScale"]["scoreScaleValue"][1] == {
        "itemValueLHS": "7",
        "itemValueRHS": "Proficient",
    }
    check(await http.get(f"{BASE}/scoreScales", headers=sis), "scoreScales", many=True)
    fields = ["sourcedId", "title"]
    check(await http.get(f"{BASE}/scoreScales", params={"fields": "sourcedId,title"}, headers=sis), "scoreScales", many=True, fields=fields)  # fmt: skip
    filtered = await http.get(f"{BASE}/scoreScales", params={"filter": f"sourcedId='{scale}'"}, headers=sis)
    assert [s["sourcedId"] for s in filtered.json()["scoreScales"]] == [scale]
    missing = await http.get(f"{BASE}/scoreScales/{scale}-nobody", headers=sis)
    assert missing.status_code == 404
    check(missing, "scoreScales")
    other = await http.get(
        f"{BASE}/scoreScales/{scale}", headers=district.token(district=f"{district.id}-other")
    )
    assert other.status_code == 404


async def test_class_scoped_reads_match_the_binding_and_the_class_scope(district):
    """getLineItemsForClass, getResultsForClass, getResultsForLineItemForClass, getResultsForStudentForClass:
    same shapes, paging, filter, sort and fields; a teacher reads their own class only (another is a 404,
    exactly as a class nobody has)."""
    ids = await _seed(district)
    http, sis = district.http, district.sis
    c1, c2, li = district.classes[0], district.classes[1], ids["lineItems"]
    student = district.students[0]
    routes = {
        f"{BASE}/classes/{c1}/lineItems": ("lineItems", {li}),
        f"{BASE}/classes/{c1}/results": ("results", {f"{district.id}-r0", f"{district.id}-r1", f"{district.id}-r2"}),
        f"{BASE}/classes/{c1}/lineItems/{li}/results": ("results", {f"{district.id}-r0", f"{district.id}-r1", f"{district.id}-r2"}),
        f"{BASE}/classes/{c1}/students/{student}/results": ("results", {f"{district.id}-r0"}),
    }  # fmt: skip
    own = district.token(Role.TEACHER, schools=(district.schools[0],), classes=(c1,))
    other = district.token(Role.TEACHER, schools=(district.schools[0],), classes=(c2,))
    for url, (collection, expected) in routes.items():
        for headers in (sis, own):
            listed = await http.get(url, headers=headers)
            check(listed, collection, many=True)
            assert {o["sourcedId"] for o in listed.json()[collection]} == expected, (url, listed.text)
        page = await http.get(
            url, params={"limit": 1, "sort": "sourcedId", "fields": "sourcedId"}, headers=sis
        )
        check(page, collection, many=True, fields=["sourcedId"])
        assert page.headers["x-total-count"] == str(len(expected))
        for href in _links(page).values():
            assert (await http.get(href.removeprefix("http://svc"), headers=sis)).status_code == 200
        hidden = await http.get(url, headers=other)
        nobody = await http.get(url.replace(c1, f"{c1}-nobody"), headers=sis)
        assert hidden.status_code == nobody.status_code == 404
        check(hidden, collection)
        assert hidden.json()["imsx_description"] == nobody.json()["imsx_description"].replace("-nobody", "")
    wrong_class = await http.get(f"{BASE}/classes/{c2}/lineItems/{li}/results", headers=sis)
    assert wrong_class.status_code == 404
    check(wrong_class, "results")
