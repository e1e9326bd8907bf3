"""The OneRoster 1.2 rostering reads the gradebook's hrefs point to (classes, orgs / schools, academic sessions /
grading periods / terms, courses, users / students / teachers) and the gradebook's categories: every answer
validated against 1EdTech's own OneRoster 1.2 Rostering OpenAPI (tests/vendor/oneroster/
imsx_1edtech_rostering_v1p2.json, copied from https://github.com/1EdTech/oneroster-bootcamp at
13f31e717aedb82bf41739cca9d352732841d8ad, src/main/resources/oas/onerosterv1p2rostersservice_openapi3_v1p0.json)
and, for categories, the strict client's parser (gradebook_v1p2.json, LongsightGroup/oneroster
src/v1p2/model/category.ts); scoped (a teacher: their classes and their students; another district: 404);
student reads audited; and every href of every answer followed, none skipped.
"""

from __future__ import annotations

import copy
import logging

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from plc_shared.auth import Role

from .test_oneroster_conformance import BASE, IMSX, STATUS_INFO, _hrefs, _links, _rostered, _seed, check

ROSTERING = "/ims/oneroster/rostering/v1p2"
# path -> (the list's member, the single object's member, its 1EdTech type)
SHAPES = {
    "classes": ("classes", "class", "ClassDType"),
    "orgs": ("orgs", "org", "OrgDType"),
    "schools": ("orgs", "org", "OrgDType"),
    "academicSessions": ("academicSessions", "academicSession", "AcademicSessionDType"),
    "gradingPeriods": ("academicSessions", "academicSession", "AcademicSessionDType"),
    "terms": ("academicSessions", "academicSession", "AcademicSessionDType"),
    "courses": ("courses", "course", "CourseDType"),
    "users": ("users", "user", "UserDType"),
    "students": ("users", "user", "UserDType"),
    "teachers": ("users", "user", "UserDType"),
}
SETS = {"ClassDType": "ClassSetDType", "OrgDType": "OrgSetDType", "AcademicSessionDType": "AcademicSessionSetDType", "CourseDType": "CourseSetDType", "UserDType": "UserSetDType"}  # fmt: skip
SINGLES = {"ClassDType": "SingleClassDType", "OrgDType": "SingleOrgDType", "AcademicSessionDType": "SingleAcademicSessionDType", "CourseDType": "SingleCourseDType", "UserDType": "SingleUserDType"}  # fmt: skip


def check_rostering(response, path: str, *, many: bool = False, fields: list[str] | None = None) -> None:
    """The answer is exactly 1EdTech's SingleXDType / XSetDType (a projection: only the selected members)."""
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/json"
        STATUS_INFO.validate(response.json())
        return
    assert response.status_code == 200, response.text
    plural, singular, name = SHAPES[path]
    document = copy.deepcopy(IMSX)
    if fields is not None:
        target = document["components"]["schemas"][name]
        target["required"] = [f for f in target["required"] if f in fields]
    wrapper = (SETS if many else SINGLES)[name]
    validator = Draft202012Validator(
        {**document, "$ref": f"#/components/schemas/{wrapper}"}, format_checker=FormatChecker()
    )
    body = response.json()
    validator.validate(body)
    found = body[plural] if many else [body[singular]]
    if many:
        assert plural in body
        assert int(response.headers["x-total-count"]) >= len(found)
        assert {"first", "last"} <= set(_links(response))
    for item in found:
        if fields is not None:
            assert set(item) <= set(fields)


async def test_every_rostering_read_matches_1edtechs_openapi(district):
    ids = await _rostered(district)
    http, sis = district.http, district.sis
    singles = {
        "classes": district.classes[0],
        "orgs": district.id,
        "schools": district.schools[0],
        "academicSessions": ids["year"],
        "gradingPeriods": ids["gradingPeriod"],
        "terms": ids["term"],
        "courses": ids["course"],
        "users": district.teachers[0],
        "students": district.students[0],
        "teachers": district.teachers[1],
    }
    for path, sourced_id in singles.items():
        one = await http.get(f"{ROSTERING}/{path}/{sourced_id}", headers=sis)
        check_rostering(one, path)
        assert one.json()[SHAPES[path][1]]["sourcedId"] == sourced_id
        listed = await http.get(f"{ROSTERING}/{path}", headers=sis)
        check_rostering(listed, path, many=True)
        assert sourced_id in {o["sourcedId"] for o in listed.json()[SHAPES[path][0]]}
        paged = await http.get(f"{ROSTERING}/{path}", params={"limit": 1, "offset": 1}, headers=sis)
        check_rostering(paged, path, many=True)
        for fields in (["sourcedId"], ["sourcedId", "status", "dateLastModified"]):
            query = {"fields": ",".join(fields)}
            check_rostering(await http.get(f"{ROSTERING}/{path}", params=query, headers=sis), path, many=True, fields=fields)  # fmt: skip
            check_rostering(await http.get(f"{ROSTERING}/{path}/{sourced_id}", params=query, headers=sis), path, fields=fields)  # fmt: skip
        filtered = await http.get(f"{ROSTERING}/{path}", params={"filter": f"sourcedId='{sourced_id}'"}, headers=sis)  # fmt: skip
        check_rostering(filtered, path, many=True)
        assert [o["sourcedId"] for o in filtered.json()[SHAPES[path][0]]] == [sourced_id]
        ordered = await http.get(f"{ROSTERING}/{path}", params={"sort": "sourcedId", "orderBy": "desc"}, headers=sis)  # fmt: skip
        check_rostering(ordered, path, many=True)
        got = [o["sourcedId"] for o in ordered.json()[SHAPES[path][0]]]
        assert got == sorted(got, reverse=True)
        for url, status, minor in (
            (f"{ROSTERING}/{path}/nope-{sourced_id}", 404, "unknownobject"),
            (f"{ROSTERING}/{path}?sort=nope", 400, "invaliddata"),
            (f"{ROSTERING}/{path}?filter=nope='x'", 400, "invalid_filter_field"),
            (f"{ROSTERING}/{path}?fields=nope", 400, "invalid_selection_field"),
        ):
            answer = await http.get(url, headers=sis)
            assert answer.status_code == status, (url, answer.text)
            check_rostering(answer, path)
            assert (
                answer.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor
            )
        unauthorised = await http.get(f"{ROSTERING}/{path}")
        assert unauthorised.status_code == 401
        check_rostering(unauthorised, path)
    schools = await http.get(f"{ROSTERING}/schools", headers=sis)
    assert {o["type"] for o in schools.json()["orgs"]} == {"school"}
    periods = await http.get(f"{ROSTERING}/gradingPeriods", headers=sis)
    assert [o["sourcedId"] for o in periods.json()["academicSessions"]] == [ids["gradingPeriod"]]
    teachers = await http.get(f"{ROSTERING}/teachers", headers=sis)
    assert {o["sourcedId"] for o in teachers.json()["users"]} == set(district.teachers)
    students = await http.get(f"{ROSTERING}/students", headers=sis)
    assert {o["sourcedId"] for o in students.json()["users"]} == set(district.students)
    assert {r["role"] for u in students.json()["users"] for r in u["roles"]} == {"student"}


async def test_rostering_reads_are_scoped_and_student_reads_audited(district, caplog):
    await _rostered(district)
    http = district.http
    c1, c2 = district.classes
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],), classes=(c1,))
    mine, theirs = district.students[0], district.students[3]  # c1's and c2's
    classes = await http.get(f"{ROSTERING}/classes", headers=teacher)
    check_rostering(classes, "classes", many=True)
    assert [c["sourcedId"] for c in classes.json()["classes"]] == [c1]
    students = await http.get(f"{ROSTERING}/students", headers=teacher)
    assert {u["sourcedId"] for u in students.json()["users"]} == set(district.students[:3])
    schools = await http.get(f"{ROSTERING}/schools", headers=teacher)
    assert [o["sourcedId"] for o in schools.json()["orgs"]] == [district.schools[0]]
    for path, hidden in (("classes", c2), ("students", theirs), ("users", theirs), ("schools", district.schools[1])):  # fmt: skip
        answer = await http.get(f"{ROSTERING}/{path}/{hidden}", headers=teacher)
        nobody = await http.get(f"{ROSTERING}/{path}/{hidden}-nobody", headers=teacher)
        assert answer.status_code == nobody.status_code == 404, (path, answer.text)
        check_rostering(answer, path)
        assert answer.json()["imsx_description"] == nobody.json()["imsx_description"].replace("-nobody", "")
    other = district.token(district=f"{district.id}-other")
    for path, sourced_id in (("classes", c1), ("students", mine), ("orgs", district.id), ("courses", f"{district.id}-course")):  # fmt: skip
        answer = await http.get(f"{ROSTERING}/{path}/{sourced_id}", headers=other)
        assert answer.status_code == 404
        check_rostering(answer, path)
        listed = await http.get(f"{ROSTERING}/{path}", headers=other)
        assert listed.json()[SHAPES[path][0]] == []
    analyst = await http.get(f"{ROSTERING}/students", headers=district.token(Role.ANALYST))
    assert analyst.status_code == 403
    check_rostering(analyst, "students")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="plc.audit"):
        read = await http.get(f"{ROSTERING}/students/{mine}", headers=teacher)
    assert read.status_code == 200
    (record,) = [r for r in caplog.records if r.name == "plc.audit"]
    assert record.audit["action"] == "oneroster.users.read" and record.audit["student_ids"] == [mine]


async def test_categories_come_from_csv_and_read_as_the_binding_says(district):
    ids = await _seed(district)
    http, sis = district.http, district.sis
    category = f"{district.id}-cat-cfa"
    one = await http.get(f"{BASE}/categories/{category}", headers=sis)
    check(one, "categories")
    assert one.json()["category"] == {**one.json()["category"], "title": "Common formative", "weight": 20.0}
    check(await http.get(f"{BASE}/categories", headers=sis), "categories", many=True)
    fields = ["sourcedId", "title"]
    check(await http.get(f"{BASE}/categories", params={"fields": "sourcedId,title"}, headers=sis), "categories", many=True, fields=fields)  # fmt: skip
    missing = await http.get(f"{BASE}/categories/{category}-nobody", headers=sis)
    assert missing.status_code == 404
    check(missing, "categories")
    other = await http.get(
        f"{BASE}/categories/{category}", headers=district.token(district=f"{district.id}-other")
    )
    assert other.status_code == 404
    line_item = (await http.get(f"{BASE}/lineItems/{ids['lineItems']}", headers=sis)).json()["lineItem"]
    followed = await http.get(line_item["category"]["href"].removeprefix("http://svc"), headers=sis)
    assert followed.status_code == 200 and followed.json()["category"]["sourcedId"] == category


def _kind(href: str) -> tuple[str, str]:
    """(service path, collection) of an href: `/ims/oneroster/<service>/v1p2/<collection>/<id>`."""
    path = href.removeprefix("http://svc").split("?")[0]
    parts = path.split("/")
    return parts[3], parts[5]


async def test_every_href_of_every_answer_resolves(district):
    """Start from every gradebook object and list, follow every href and Link they contain and every href
    of what those answer, until nothing new: each answers 200, in its schema, with the object it names.
    Nothing is skipped."""
    ids = await _seed(district)
    http, sis = district.http, district.sis
    todo = [f"{BASE}/{collection}/{sourced_id}" for collection, sourced_id in ids.items()]
    todo += [f"{BASE}/{collection}?limit=1" for collection in ids]
    todo += [f"{BASE}/scoreScales?limit=1", f"{BASE}/categories?limit=1"]
    seen: set[str] = set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        answer = await http.get(url.removeprefix("http://svc"), headers=sis)
        assert answer.status_code == 200, (url, answer.text)
        service, collection = _kind(url)
        many = "x-total-count" in answer.headers
        if service == "rostering":
            check_rostering(answer, collection, many=many)
        else:
            check(answer, collection, many=many)
        if not many:
            (found,) = answer.json().values()
            assert found["sourcedId"] == url.split("?")[0].rsplit("/", 1)[1]
        todo += [h for h in _hrefs(answer.json()) + list(_links(answer).values()) if h not in seen]
    followed = {_kind(u) for u in seen}
    expected = {
        ("gradebook", c)
        for c in (
            "lineItems",
            "assessmentLineItems",
            "results",
            "assessmentResults",
            "scoreScales",
            "categories",
        )
    }
    expected |= {("rostering", c) for c in ("classes", "orgs", "academicSessions", "courses", "students")}
    assert expected <= followed, followed


# The rostering reads of the 1.2 binding that no gradebook href points to (LongsightGroup/oneroster
# src/v1p2/rest/operation.generated.ts lists them: getAllEnrollments, getStudentsForClass, getClassesForSchool, ...):
# the binding's `unsupported`, as the README's conformance table says, never a bare 404.
@pytest.mark.parametrize(
    "path",
    [
        "/enrollments",
        "/enrollments/e-1",
        "/demographics/u-1",
        "/classes/c-1/students",
        "/schools/s-1/classes/c-1/teachers",
        "/terms/t-1/gradingPeriods",
        "/users/u-1/classes",
    ],
)
async def test_an_unserved_rostering_read_is_unsupported_not_404(district, path):
    answer = await district.http.get(f"{ROSTERING}{path}", headers=district.sis)
    assert answer.status_code == 501, answer.text
    STATUS_INFO.validate(answer.json())
    assert answer.json()["imsx_codeMajor"] == "unsupported"
    nowhere = await district.http.get(f"{ROSTERING}/nothing/here", headers=district.sis)
    assert nowhere.status_code == 404
    STATUS_INFO.validate(nowhere.json())


async def test_a_nul_the_caller_sent_is_not_echoed_in_the_description(district):
    # Found by the gateway's fuzz run (schemathesis): a query parameter named with a NUL came back inside
    # imsx_description, which the documented payload forbids.
    answer = await district.http.get(f"{ROSTERING}/orgs/0", params={"a\x00b": "1"}, headers=district.sis)
    assert answer.status_code == 422, answer.text
    STATUS_INFO.validate(answer.json())
    description = answer.json()["imsx_description"]
    assert "\x00" not in description and "a\ufffdb" in description
