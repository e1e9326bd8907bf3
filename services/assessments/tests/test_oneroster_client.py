"""A public, strict OneRoster 1.2 client (LongsightGroup/oneroster, bundled in tests/vendor/oneroster/client;
README there) run with Node.js against the real gateway in front of this service: every read it makes of the
gradebook and assessment-results services succeeds, its parsers accepting every answer."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from assessments.main import create_app
from gateway.testing import behind_gateway

from .test_oneroster_conformance import BASE, _seed

CLIENT = Path(__file__).parent / "vendor" / "oneroster" / "client" / "longsight-oneroster-client.mjs"


@pytest.fixture(scope="module")
async def gateway_url(settings, create_database):
    async with behind_gateway(create_database, "assessments", create_app(settings)) as url:
        yield url


async def test_the_public_client_reads_everything_through_the_gateway(district, gateway_url):
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed to run the public OneRoster client (tests/vendor/oneroster/client)"
    ids = await _seed(district)
    targets = {
        "classId": district.classes[0],
        "lineItemId": ids["lineItems"],
        "resultId": ids["results"],
        "studentId": district.students[0],
        "assessmentLineItemId": ids["assessmentLineItems"],
        "assessmentResultId": ids["assessmentResults"],
        "scoreScaleId": f"{district.id}-scale",
    }
    bearer = district.sis["Authorization"].removeprefix("Bearer ")
    process = await asyncio.create_subprocess_exec(
        node,
        str(CLIENT),
        f"{gateway_url}{BASE}",
        bearer,
        json.dumps(targets),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    calls = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert len(calls) == 18, out.decode()
    failed = [c for c in calls if not c["ok"]]
    assert failed == [], json.dumps(failed, indent=1)
    counts = {c["call"]: c.get("count") for c in calls}
    assert counts["getAllResults"] == 3 and counts["getAllResults limit=1"] == 1
    assert counts["getResultsForStudentForClass"] == 1 and counts["getLineItemsForClass"] == 1


# The client's `fields` calls, replayed. Its driver does not make them (client/README.md: it parses a projected
# answer as a whole object and reports the members a projection leaves out as missing), so the exact requests it
# builds are sent here and each answer is checked against the schema with only the requested members:
# - the operations and their paths: LongsightGroup/oneroster src/v1p2/rest/operation.generated.ts (the
#   `operationData` table in client/longsight-oneroster-client.mjs): collections take limit, offset, sort,
#   orderBy, filter and fields (group g0), single reads `fields` only (g1);
# - the query string: src/rest/query.ts `serializeOneRosterRestQuery` (client/longsight-oneroster-client.mjs,
#   the `serializeOneRosterRestQuery` function): URLSearchParams in the order limit, offset, sort, orderBy,
#   filter, fields, `fields` joined with "," (so sent as %2C), and `sort` only with `orderBy` (the v1.2 grammar's
#   requireOrderByForSort, src/v1p2/rest/query.ts).
def client_query(query: dict) -> str:
    """serializeOneRosterRestQuery: the categories in their normative order, URLSearchParams' encoding."""
    from urllib.parse import urlencode

    assert "sort" not in query or "orderBy" in query, "the v1.2 client requires orderBy with sort"
    order = ("limit", "offset", "sort", "orderBy", "filter", "fields")
    pairs = [(k, ",".join(query[k]) if k == "fields" else str(query[k])) for k in order if k in query]
    return urlencode(pairs)


async def test_the_clients_fields_calls_answer_only_what_was_asked(district, gateway_url):
    import httpx

    from .test_oneroster_conformance import check
    from .test_oneroster_rostering import ROSTERING, check_rostering

    ids = await _seed(district)
    d = district.id
    page = {"limit": 2, "offset": 0, "sort": "sourcedId", "orderBy": "asc"}
    gradebook = [  # (operationId, path, collection of the answer, many, fields)
        ("getAllLineItems", "/lineItems", "lineItems", True, ["sourcedId", "title", "class", "dueDate"]),
        ("getLineItem", f"/lineItems/{ids['lineItems']}", "lineItems", False, ["sourcedId", "category"]),
        ("getAllResults", "/results", "results", True, ["sourcedId", "score", "student"]),
        ("getResult", f"/results/{ids['results']}", "results", False, ["sourcedId", "lineItem", "scoreDate"]),
        (
            "getLineItemsForClass",
            f"/classes/{district.classes[0]}/lineItems",
            "lineItems",
            True,
            ["sourcedId", "title"],
        ),
        (
            "getResultsForClass",
            f"/classes/{district.classes[0]}/results",
            "results",
            True,
            ["sourcedId", "score"],
        ),
        (
            "getResultsForLineItemForClass",
            f"/classes/{district.classes[0]}/lineItems/{ids['lineItems']}/results",
            "results",
            True,
            ["student"],
        ),
        (
            "getResultsForStudentForClass",
            f"/classes/{district.classes[0]}/students/{district.students[0]}/results",
            "results",
            True,
            ["sourcedId", "scoreStatus"],
        ),
        ("getAllScoreScales", "/scoreScales", "scoreScales", True, ["sourcedId", "scoreScaleValue"]),
        ("getScoreScale", f"/scoreScales/{d}-scale", "scoreScales", False, ["title"]),
        ("getAllCategories", "/categories", "categories", True, ["sourcedId", "title", "weight"]),
        ("getCategory", f"/categories/{d}-cat-cfa", "categories", False, ["weight"]),
        (
            "getAllAssessmentLineItems",
            "/assessmentLineItems",
            "assessmentLineItems",
            True,
            ["sourcedId", "title"],
        ),
        (
            "getAssessmentLineItem",
            f"/assessmentLineItems/{ids['assessmentLineItems']}",
            "assessmentLineItems",
            False,
            ["resultValueMax"],
        ),
        ("getAllAssessmentResults", "/assessmentResults", "assessmentResults", True, ["sourcedId", "score"]),
        (
            "getAssessmentResult",
            f"/assessmentResults/{ids['assessmentResults']}",
            "assessmentResults",
            False,
            ["assessmentLineItem"],
        ),
    ]
    rostering = [
        ("getAllClasses", "/classes", "classes", True, ["sourcedId", "title", "school"]),
        ("getClass", f"/classes/{district.classes[0]}", "classes", False, ["terms", "course"]),
        ("getAllSchools", "/schools", "schools", True, ["sourcedId", "name"]),
        ("getOrg", f"/orgs/{d}", "orgs", False, ["identifier"]),
        ("getAllAcademicSessions", "/academicSessions", "academicSessions", True, ["sourcedId", "startDate"]),
        ("getGradingPeriod", f"/gradingPeriods/{d}-gp", "gradingPeriods", False, ["parent", "schoolYear"]),
        ("getAllCourses", "/courses", "courses", True, ["sourcedId", "courseCode"]),
        ("getAllStudents", "/students", "students", True, ["sourcedId", "givenName", "roles"]),
        ("getStudent", f"/students/{district.students[0]}", "students", False, ["familyName"]),
        ("getAllTeachers", "/teachers", "teachers", True, ["sourcedId", "email", "roles"]),
        ("getUser", f"/users/{district.teachers[0]}", "users", False, ["enabledUser", "roles"]),
    ]
    headers = {"Authorization": district.sis["Authorization"]}
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as http:
        for base, calls, checker in ((BASE, gradebook, check), (ROSTERING, rostering, check_rostering)):
            for operation, path, collection, many, fields in calls:
                query = {**page, "fields": fields} if many else {"fields": fields}
                url = f"{base}{path}?{client_query(query)}"
                assert "fields=" + "%2C".join(fields) in url
                answer = await http.get(url, headers=headers)
                assert answer.status_code == 200, (operation, url, answer.text)
                checker(answer, collection, many=many, fields=fields)
                (found,) = answer.json().values()
                objects = found if many else [found]
                assert objects, (operation, answer.text)
                for item in objects:
                    assert set(item) <= set(fields), (operation, item)
                    assert item, (operation, "a projection of members the object has answers them")
