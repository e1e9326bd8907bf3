"""OneRoster 1.2 CSV packages: a small district imports; bad files are reported by file, row and column."""

import io
import json
import zipfile

import pytest
from assessments.oneroster.rules import decode
from plc_shared.testing import consume
from plc_shared.topics import RESULTS


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def package(
    files: dict[str, str | bytes], modes: dict[str, str] | None = None, manifest: bool = True
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if manifest:
            entries = [["manifest.version", "1.0"], ["oneroster.version", "1.2"]]
            entries += [[f"file.{name}", (modes or {}).get(name, "bulk")] for name in files]
            archive.writestr("manifest.csv", csv_text(["propertyName", "value"], entries))
        for name, content in files.items():
            archive.writestr(f"{name}.csv", content)
    return buffer.getvalue()


def small_district(d: str, students: int = 6) -> dict[str, str]:
    schools = [f"{d}-sch1", f"{d}-sch2"]
    orgs = [[d, "active", "", "District", "district", ""]] + [
        [s, "active", "", s, "school", d] for s in schools
    ]
    classes = [
        [f"{d}-cls{i}", "active", "", f"Math {i}", "04", f"{d}-crs", schools[i], f"{d}-term"] for i in (0, 1)
    ]
    users = [[f"{d}-tch{i}", "active", "", "Teach", f"Er{i}", ""] for i in (0, 1)]
    enrollments = [
        [f"{d}-et{i}", "active", "", f"{d}-cls{i}", schools[i], f"{d}-tch{i}", "teacher"] for i in (0, 1)
    ]
    results = []
    for n in range(students):
        sid, cls = f"{d}-stu{n}", n % 2
        users.append([sid, "active", "", "Stu", f"Dent {n}", "04"])
        enrollments.append([f"{d}-es{n}", "active", "", f"{d}-cls{cls}", schools[cls], sid, "student"])
        results.append(
            [f"{d}-r{n}", "active", "", f"{d}-li1", sid, "fully graded", str(10 + n), "2026-11-20"]
        )
    return {
        "orgs": csv_text(
            ["sourcedId", "status", "dateLastModified", "name", "type", "parentSourcedId"], orgs
        ),
        "academicSessions": csv_text(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "type",
                "startDate",
                "endDate",
                "schoolYear",
            ],
            [[f"{d}-term", "active", "", "Fall", "term", "2026-08-20", "2026-12-20", "2027"]],
        ),
        "courses": csv_text(
            ["sourcedId", "status", "dateLastModified", "title", "courseCode", "grades", "orgSourcedId"],
            [[f"{d}-crs", "active", "", "Math 4", "M4", "04", d]],
        ),
        "classes": csv_text(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "grades",
                "courseSourcedId",
                "schoolSourcedId",
                "termSourcedIds",
            ],
            classes,
        ),
        "users": csv_text(
            ["sourcedId", "status", "dateLastModified", "givenName", "familyName", "grades"], users
        ),
        "enrollments": csv_text(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "classSourcedId",
                "schoolSourcedId",
                "userSourcedId",
                "role",
            ],
            enrollments,
        ),
        "lineItems": csv_text(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "classSourcedId",
                "resultValueMin",
                "resultValueMax",
            ],
            [[f"{d}-li1", "active", "", "Fractions CFA", "", "0", "20"]],
        ),
        "results": csv_text(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "lineItemSourcedId",
                "studentSourcedId",
                "scoreStatus",
                "score",
                "scoreDate",
            ],
            results,
        ),
    }


async def upload(district, data: bytes, headers=None):
    return await district.http.post(
        "/assessments/imports/oneroster",
        content=data,
        headers={**(headers or district.sis), "Content-Type": "application/zip"},
    )


async def test_small_district_imports_and_each_result_is_one_event(
    blank_district, kafka_settings, bootstrap_servers
):
    district = blank_district
    client = district.http
    d = district.id
    response = await upload(district, package(small_district(d)))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["problems"] == [] and report["rejected"] == 0
    assert report["files"]["results"] == {"rows": 6, "accepted": 6}
    assert report["files"]["users"] == {"rows": 8, "accepted": 8}  # 6 students and 2 teachers (staff)
    stored = await client.get(f"/assessments/results/{d}-li1/{d}-stu1/1", headers=district.sis)
    assert stored.status_code == 200
    assert stored.json()["school_id"] == f"{d}-sch2" and stored.json()["class_ids"] == [f"{d}-cls1"]
    assessment = await client.get(f"/assessments/assessments/{d}-li1", headers=district.sis)
    assert assessment.json()["status"] == "published" and assessment.json()["max_score"] == 20

    def mine(records):
        return [r for r in records if json.loads(r.value)["data"].get("assessment_id") == f"{d}-li1"]

    records = await consume(
        bootstrap_servers,
        kafka_settings.topic(RESULTS.name),
        until=lambda rs: len(mine(rs)) >= 6,
        timeout_s=30,
    )
    assert sorted(r.key.decode() for r in mine(records)) == sorted(
        f"{blank_district.id}/{d}-stu{n}" for n in range(6)
    )


async def test_bad_rows_are_reported_with_file_row_column(blank_district):
    district = blank_district
    client = district.http
    d = district.id
    files = small_district(d, students=3)
    files["results"] = csv_text(
        ["sourcedId", "status", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score", "scoreDate"],
        [
            ["r0", "active", f"{d}-li1", f"{d}-stu0", "fully graded", "25", "2026-11-20"],
            ["r1", "active", f"{d}-li1", f"{d}-stu1", "fully graded", "abc", "2026-11-20"],
            ["r2", "active", f"{d}-li1", "ghost", "fully graded", "3", "2026-11-20"],
            ["r3", "active", "no-item", f"{d}-stu1", "fully graded", "3", "2026-11-20"],
            ["r4", "active", f"{d}-li1", f"{d}-stu2", "fully graded", "12", "2026-11-20"],
        ],
    )
    files["enrollments"] = files["enrollments"].replace(",teacher", ",boss", 1)
    report = (await upload(district, package(files))).json()
    problems = {(p["file"], p["row"], p["column"]) for p in report["problems"]}
    assert problems == {
        ("results.csv", 2, "score"),
        ("results.csv", 3, "score"),
        ("results.csv", 4, "studentSourcedId"),
        ("results.csv", 5, "lineItemSourcedId"),
        ("enrollments.csv", 2, "role"),
    }
    assert report["files"]["results"] == {"rows": 5, "accepted": 1}
    kept = await client.get(f"/assessments/results/{d}-li1/{d}-stu2/1", headers=district.sis)
    assert kept.json()["total_score"] == 12


async def test_bom_latin1_and_quoted_newlines(blank_district):
    district = blank_district
    d = district.id
    files: dict[str, str | bytes] = dict(small_district(d, students=2))
    files["orgs"] = b"\xef\xbb\xbf" + files["orgs"].encode()
    files["courses"] = csv_text(
        ["sourcedId", "status", "dateLastModified", "title", "courseCode", "grades", "orgSourcedId"],
        [[f"{d}-crs", "active", "", "Mathématiques\nniveau 4", "M4", "04", d]],
    ).encode("latin-1")
    report = (await upload(district, package(files))).json()
    assert report["problems"] == [], report
    assert report["files"]["orgs"]["accepted"] == 3 and report["files"]["courses"]["accepted"] == 1


def test_latin1_is_decoded_and_bom_dropped():
    assert decode("Mathématiques".encode("latin-1")) == "Mathématiques"
    assert decode(b"\xef\xbb\xbfsourcedId") == "sourcedId"


async def test_zip_without_manifest_is_a_problem(district):
    response = await upload(district, package({"orgs": "sourcedId,name,type\r\n"}, manifest=False))
    assert response.status_code == 422
    body = response.json()
    assert "manifest" in body["detail"] and body["errors"][0]["file"] == "manifest.csv"


async def test_not_a_zip_is_a_problem(district):
    response = await upload(district, b"plain text")
    assert response.status_code == 422 and "zip" in response.json()["detail"]


async def test_missing_header_column_and_empty_file(blank_district):
    district = blank_district
    files = {"orgs": "sourcedId,status,name\r\nx,active,X\r\n", "courses": ""}
    report = (await upload(district, package(files))).json()
    problems = {(p["file"], p["row"], p["column"]) for p in report["problems"]}
    assert problems == {("orgs.csv", 1, "type"), ("courses.csv", None, None)}


async def test_delta_tobedeleted_voids_and_bulk_retires(blank_district):
    district = blank_district
    client = district.http
    d = district.id
    assert (await upload(district, package(small_district(d, students=2)))).json()["rejected"] == 0
    delta = {
        "results": csv_text(
            ["sourcedId", "status", "lineItemSourcedId", "studentSourcedId", "scoreStatus", "score"],
            [["r0", "tobedeleted", f"{d}-li1", f"{d}-stu0", "fully graded", "10"]],
        )
    }
    report = (await upload(district, package(delta, {"results": "delta"}))).json()
    assert report["files"]["results"] == {"rows": 1, "accepted": 1}
    assert (
        await client.get(f"/assessments/results/{d}-li1/{d}-stu0/1", headers=district.sis)
    ).status_code == 404
    assert (
        await client.get(f"/assessments/results/{d}-li1/{d}-stu1/1", headers=district.sis)
    ).status_code == 200
    # A bulk users file without stu1: stu1 is retired and no longer accepts results.
    bulk_users = {
        "users": csv_text(["sourcedId", "status", "role"], [[f"{d}-stu0", "active", "student"]]),
        "enrollments": csv_text(
            ["sourcedId", "status", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
            [[f"{d}-es0", "active", f"{d}-cls0", f"{d}-sch1", f"{d}-stu0", "student"]],
        ),
    }
    assert (await upload(district, package(bulk_users))).json()["rejected"] == 0
    write = await district.put(
        "/assessments/results", {"assessment_id": f"{d}-li1", "student_id": f"{d}-stu1", "total_score": 1}
    )
    assert write.status_code == 422 and "unknown student" in write.json()["errors"][0]["reason"]


@pytest.mark.parametrize("role", ["teacher", "analyst"])
async def test_import_needs_a_district_writer(district, role):
    from plc_shared.auth import Role

    response = await upload(
        district, package({}), headers=district.token(Role(role), schools=(district.schools[0],))
    )
    assert response.status_code == 403


async def test_import_without_token_401(district):
    response = await district.http.post("/assessments/imports/oneroster", content=package({}))
    assert response.status_code == 401


async def test_cli_upload_shows_progress_and_the_report(blank_district, tmp_path):
    from assessments.cli import import_oneroster

    district = blank_district
    path = tmp_path / "district.zip"
    path.write_bytes(package(small_district(district.id, students=4)))
    out = io.StringIO()
    token = district.sis["Authorization"].removeprefix("Bearer ")
    report = await import_oneroster(path, client=district.http, token=token, out=out)
    assert report["files"]["results"] == {"rows": 4, "accepted": 4}
    text = out.getvalue()
    assert "100.0%" in text and "rows accepted" in text


async def test_oversized_package_is_413(blank_district, settings, monkeypatch):
    monkeypatch.setattr(settings, "import_max_bytes", 100)
    response = await upload(blank_district, package(small_district(blank_district.id)))
    assert response.status_code == 413 and response.json()["limit"] == 100


async def test_reimporting_an_older_results_file_never_undoes_a_correction(blank_district):
    """dateLastModified is the source's modification time: last week's file, imported again after a
    correction, is reported row by row as stale and changes nothing."""
    district, d = blank_district, blank_district.id
    assert (await upload(district, package(small_district(d)))).status_code == 200
    header = [
        "sourcedId",
        "status",
        "dateLastModified",
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
        "score",
    ]

    def results(score: str, modified: str) -> bytes:
        row = [f"{d}-r1", "active", modified, f"{d}-li1", f"{d}-stu1", "fully graded", score]
        return package({"results": csv_text(header, [row])}, modes={"results": "delta"})

    assert (await upload(district, results("18", "2026-11-27T15:00:00.000Z"))).json()["problems"] == []
    stale = (await upload(district, results("8", "2026-11-20T09:00:00.000Z"))).json()
    assert [(p["file"], p["row"], p["column"]) for p in stale["problems"]] == [
        ("results.csv", 2, "dateLastModified")
    ]
    assert stale["problems"][0]["reason"].startswith("stale")
    stored = await district.http.get(f"/assessments/results/{d}-li1/{d}-stu1/1", headers=district.sis)
    assert stored.json()["total_score"] == 18


# --- OneRoster 1.2 gradebook files: standards, cuts, result identity, a complete report ------------------------
CASE_A, CASE_B = "9f0c6a2e-3b1d-4c55-8a7e-1d2f3a4b5c6d", "2b7e1516-28ae-4d2a-a6ab-f7158809cf4f"
RESULT_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "lineItemSourcedId",
    "studentSourcedId",
    "scoreStatus",
    "score",
    "scoreDate",
    "comment",
    "textScore",
]


def aligned_package(d: str, results: list[list[str]], **extra: str) -> bytes:
    files: dict[str, str | bytes] = dict(small_district(d, students=3))
    files["lineItems"] = csv_text(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "description",
            "assignDate",
            "dueDate",
            "classSourcedId",
            "categorySourcedId",
            "academicSessionSourcedId",
            "resultValueMin",
            "resultValueMax",
            "schoolSourcedId",
        ],
        [
            [
                f"{d}-li1",
                "active",
                "2026-11-01T08:00:00Z",
                "Fractions CFA",
                "Unit 3",
                "2026-11-02",
                "2026-11-20",
                "",
                f"{d}-cat",
                f"{d}-term",
                "0",
                "20",
                "",
            ],
        ],
    )
    files["lineItemLearningObjectiveIds"] = csv_text(
        ["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "source", "learningObjectiveId"],
        [["lo1", "active", "", f"{d}-li1", "case", CASE_A]],
    )
    files["results"] = csv_text(RESULT_HEADER, results)
    files.update(extra)
    return package(files)


def result_row(d, sid, student, score, status="fully graded", modified="2026-11-21T10:00:00Z"):
    return [sid, "active", modified, f"{d}-li1", f"{d}-stu{student}", status, score, "2026-11-20", "", ""]


async def test_learning_objective_aligns_line_item_and_results_score_the_standard(
    blank_district, kafka_settings, bootstrap_servers
):
    """A CASE id the district lacks becomes a standard (noted); 6/20 on a one-standard line item is 30 % on
    that standard below the cut, and the ResultRecorded event carries it (so interventions can flag)."""
    district, d = blank_district, blank_district.id
    data = aligned_package(d, [result_row(d, f"{d}-r0", 0, "6"), result_row(d, f"{d}-r1", 1, "19")])
    report = (await upload(district, data)).json()
    assert report["problems"] == [], report
    assert report["files"]["lineItemLearningObjectiveIds"] == {"rows": 1, "accepted": 1}
    assert [(n["file"], n["row"]) for n in report["notes"]] == [("lineItemLearningObjectiveIds.csv", 2)]
    standard = await district.http.get(f"/assessments/standards/{CASE_A}", headers=district.sis)
    assert standard.status_code == 200 and standard.json()["case_identifier"] == CASE_A
    stored = (
        await district.http.get(f"/assessments/results/{d}-li1/{d}-stu0/1", headers=district.sis)
    ).json()
    [score] = stored["standard_scores"]
    assert (score["standard_id"], score["percent"], score["proficient"]) == (CASE_A, 30.0, False)

    def mine(records):
        return [
            json.loads(r.value)["data"]
            for r in records
            if json.loads(r.value)["data"].get("assessment_id") == f"{d}-li1"
        ]

    records = await consume(
        bootstrap_servers,
        kafka_settings.topic(RESULTS.name),
        until=lambda rs: len(mine(rs)) >= 2,
        timeout_s=30,
    )
    event = next(e for e in mine(records) if e["student_id"] == f"{d}-stu0")
    assert [s["standard_id"] for s in event["standards"]] == [CASE_A]
    assert event["standards"][0]["proficient"] is False


async def test_result_learning_objective_scores_and_score_scale_cuts(blank_district):
    """Two standards: resultLearningObjectiveIds give each its score; the score scale names the cuts."""
    district, d = blank_district, blank_district.id
    await district.post(
        "/assessments/standards", {"id": "std-b", "code": CASE_B, "statement": "B", "case_identifier": CASE_B}
    )
    extra = {
        "lineItemLearningObjectiveIds": csv_text(
            ["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "source", "learningObjectiveId"],
            [
                ["lo1", "active", "", f"{d}-li1", "case", CASE_A],
                ["lo2", "active", "", f"{d}-li1", "case", CASE_B],
            ],
        ),
        "resultLearningObjectiveIds": csv_text(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "resultSourcedId",
                "source",
                "learningObjectiveId",
                "score",
                "textScore",
            ],
            [
                ["x1", "active", "", f"{d}-r0", "case", CASE_A, "18", ""],
                ["x2", "active", "", f"{d}-r0", "case", CASE_B, "9", ""],
            ],
        ),
        "scoreScales": csv_text(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "type",
                "orgSourcedId",
                "courseSourcedId",
                "classSourcedId",
                "scoreScaleValue",
            ],
            [
                [
                    "sc1",
                    "active",
                    "",
                    "4 levels",
                    "points",
                    "",
                    "",
                    "",
                    "{0:Below},{8:Approaching},{12:Proficient},{17:Advanced}",
                ]
            ],
        ),
        "lineItemScoreScales": csv_text(
            ["sourcedId", "status", "dateLastModified", "title", "lineItemSourcedId", "scoreScaleSourcedId"],
            [["ls1", "active", "", "", f"{d}-li1", "sc1"]],
        ),
    }
    report = (await upload(district, aligned_package(d, [result_row(d, f"{d}-r0", 0, "14")], **extra))).json()
    assert report["problems"] == [], report
    assert report["files"]["resultLearningObjectiveIds"] == {"rows": 2, "accepted": 2}
    assessment = (await district.http.get(f"/assessments/assessments/{d}-li1", headers=district.sis)).json()
    assert (assessment["proficiency_cut"], assessment["mastery_cut"]) == (60.0, 85.0)
    assert [lv["name"] for lv in assessment["performance_levels"]] == [
        "Below",
        "Approaching",
        "Proficient",
        "Advanced",
    ]
    stored = (
        await district.http.get(f"/assessments/results/{d}-li1/{d}-stu0/1", headers=district.sis)
    ).json()
    assert stored["performance_level"] == "Proficient"
    scores = {s["standard_id"]: (s["percent"], s["proficient"]) for s in stored["standard_scores"]}
    assert scores == {CASE_A: (90.0, True), "std-b": (45.0, False)}


async def test_default_cuts_come_from_result_value_range(blank_district):
    district, d = blank_district, blank_district.id
    files = dict(small_district(d, students=1))
    files["lineItems"] = files["lineItems"].replace(",0,20", ",10,20")
    assert (await upload(district, package(files))).json()["problems"] == []
    assessment = (await district.http.get(f"/assessments/assessments/{d}-li1", headers=district.sis)).json()
    assert (assessment["proficiency_cut"], assessment["mastery_cut"]) == (85.0, 95.0)


async def test_two_results_of_a_student_on_a_line_item_are_two_attempts(blank_district):
    """Different sourcedIds are different results: both are kept (attempts 1 and 2) and the report says so."""
    district, d = blank_district, blank_district.id
    rows = [result_row(d, f"{d}-ra", 1, "12"), result_row(d, f"{d}-rb", 1, "17")]
    report = (await upload(district, aligned_package(d, rows))).json()
    assert report["problems"] == [] and report["files"]["results"] == {"rows": 2, "accepted": 2}
    assert [(n["file"], n["row"], n["column"]) for n in report["notes"] if n["file"] == "results.csv"] == [
        ("results.csv", 3, "sourcedId")
    ]
    first = await district.http.get(f"/assessments/results/{d}-li1/{d}-stu1/1", headers=district.sis)
    second = await district.http.get(f"/assessments/results/{d}-li1/{d}-stu1/2", headers=district.sis)
    assert (first.json()["total_score"], second.json()["total_score"]) == (12, 17)
    # Re-sending the same file changes nothing: each sourcedId keeps its attempt.
    again = (await upload(district, aligned_package(d, rows))).json()
    assert again["problems"] == [] and not [n for n in again["notes"] if n["file"] == "results.csv"]
    third = await district.http.get(f"/assessments/results/{d}-li1/{d}-stu1/3", headers=district.sis)
    assert third.status_code == 404


async def test_a_row_without_a_score_never_replaces_a_scored_result(blank_district):
    district, d = blank_district, blank_district.id
    rows = [result_row(d, f"{d}-r1", 1, "18"), result_row(d, f"{d}-r2", 2, "11")]
    assert (await upload(district, aligned_package(d, rows))).json()["problems"] == []
    later = [
        result_row(d, f"{d}-r1", 1, "", "submitted", "2026-11-28T10:00:00Z"),  # ungraded re-send of r1
        result_row(d, f"{d}-r2", 2, "13", modified="2026-11-28T10:00:00Z"),
        result_row(d, f"{d}-r2", 2, "", "submitted", "2026-11-28T11:00:00Z"),  # same file, same result
    ]
    delta = package({"results": csv_text(RESULT_HEADER, later)}, {"results": "delta"})
    report = (await upload(district, delta)).json()
    assert report["problems"] == []
    assert sorted((s["row"], s["column"]) for s in report["skipped"]) == [(2, "score"), (4, "score")]
    assert report["files"]["results"] == {"rows": 3, "accepted": 1}
    kept = await district.http.get(f"/assessments/results/{d}-li1/{d}-stu1/1", headers=district.sis)
    assert kept.json()["total_score"] == 18 and kept.json()["score_status"] == "fully graded"
    changed = await district.http.get(f"/assessments/results/{d}-li1/{d}-stu2/1", headers=district.sis)
    assert changed.json()["total_score"] == 13


async def test_every_file_and_every_skipped_row_is_in_the_report(blank_district):
    """Unsupported manifest files, CSVs the manifest does not name, users that are neither students nor staff
    and roles.csv rows of other roles (teachers are stored as staff now, so they are not in the lists)."""
    district, d = blank_district, blank_district.id
    files: dict[str, str | bytes] = dict(small_district(d, students=2))
    files["users"] = str(files["users"]) + f"{d}-par0,active,,Pat,Rent,\r\n"  # row 6: a guardian
    files["roles"] = csv_text(
        ["sourcedId", "status", "userSourcedId", "roleType", "role", "orgSourcedId"],
        [
            ["ro1", "active", f"{d}-stu0", "primary", "student", f"{d}-sch1"],
            ["ro2", "active", f"{d}-tch0", "primary", "teacher", f"{d}-sch1"],
            ["ro3", "active", "nobody", "primary", "student", f"{d}-sch1"],
            ["ro4", "active", f"{d}-par0", "primary", "guardian", f"{d}-sch1"],
        ],
    )
    files["categories"] = csv_text(
        ["sourcedId", "status", "title", "weight"], [["c1", "active", "Quizzes", "1"]]
    )
    files["resources"] = csv_text(["sourcedId", "status", "title"], [["r1", "active", "A video"]])
    buffer = io.BytesIO(package(files))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("demographics.csv", "sourcedId,status\r\nx,active\r\n")
    report = (await upload(district, buffer.getvalue())).json()
    assert report["files"]["roles"] == {"rows": 4, "accepted": 2}  # the student's and the teacher's
    assert report["files"]["users"] == {"rows": 5, "accepted": 4}
    assert report["files"]["categories"] == {"rows": 1, "accepted": 1}  # imported (getCategory reads it)
    assert report["files"]["resources"] == {"rows": 1, "accepted": 0}
    skipped = {(s["file"], s["row"]): s["reason"] for s in report["skipped"]}
    assert set(skipped) == {
        ("users.csv", 6),
        ("roles.csv", 5),
        ("resources.csv", None),
        ("demographics.csv", None),
    }
    assert "guardian" in skipped[("users.csv", 6)] and "guardian" in skipped[("roles.csv", 5)]
    assert next(s for s in report["skipped"] if s["file"] == "resources.csv")["reason"].startswith(
        "not supported"
    )
    assert [(p["file"], p["row"]) for p in report["problems"]] == [("roles.csv", 4)]
    for name, count in report["files"].items():  # every row is accepted or listed
        listed = [
            x for x in report["problems"] + report["skipped"] if x["file"] == f"{name}.csv" and x["row"]
        ]
        assert count["accepted"] + len(listed) == count["rows"] or name == "resources", name


async def test_a_zip_bomb_is_refused_from_its_directory_with_413(blank_district):
    """20 MB of zeros deflate to ~20 KB: refused by its ratio before anything is decompressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", csv_text(["propertyName", "value"], [["file.orgs", "bulk"]]))
        archive.writestr("orgs.csv", b"sourcedId,name,type\r\n" + b"0" * 20 * 1024**2)
    response = await upload(blank_district, buffer.getvalue())
    assert response.status_code == 413, response.text
    assert "orgs.csv" in response.json()["detail"] and "unpack" in response.json()["detail"]


async def test_a_nul_byte_in_a_latin1_csv_is_a_row_problem_not_a_500(blank_district):
    district = blank_district
    orgs = "sourcedId,name,type\r\nok,École,school\r\nbad,Ma\x00th,school\r\n".encode("latin-1")
    report = (await upload(district, package({"orgs": orgs}))).json()
    assert report["files"]["orgs"] == {"rows": 1, "accepted": 1}  # the bad row is a problem
    assert [(p["file"], p["row"], p["column"]) for p in report["problems"]] == [("orgs.csv", 3, "name")]
    assert "NUL" in report["problems"][0]["reason"]


async def test_a_field_past_the_csv_limit_is_a_problem_and_the_rows_before_it_are_kept(blank_district):
    orgs = "sourcedId,name,type\r\nok,Ok,school\r\nbig," + "x" * 200_000 + ",school\r\n"
    report = (await upload(blank_district, package({"orgs": orgs}))).json()
    assert report["files"]["orgs"]["accepted"] == 1
    assert [(p["file"], p["row"]) for p in report["problems"]] == [("orgs.csv", 3)]


async def test_an_import_stores_teachers_and_administrators_with_their_names(blank_district):
    district, d = blank_district, blank_district.id
    files: dict[str, str | bytes] = dict(small_district(d, students=2))
    files["users"] = csv_text(
        ["sourcedId", "status", "dateLastModified", "givenName", "familyName", "email"],
        [
            [f"{d}-tch0", "active", "", "Maria", "Rivera", "m.rivera@example.org"],
            [f"{d}-tch1", "active", "", "Sam", "Okoro", ""],
            [f"{d}-prin", "active", "", "Pat", "Lee", ""],
            [f"{d}-stu0", "active", "", "Stu", "Dent 0", ""],
            [f"{d}-stu1", "active", "", "Stu", "Dent 1", ""],
        ],
    )
    files["roles"] = csv_text(
        ["sourcedId", "status", "userSourcedId", "roleType", "role", "orgSourcedId"],
        [["ro1", "active", f"{d}-prin", "primary", "principal", f"{d}-sch1"]],
    )
    report = (await upload(district, package(files))).json()
    assert report["problems"] == [] and report["skipped"] == []
    assert report["files"]["users"] == {"rows": 5, "accepted": 5}
    assert report["files"]["roles"] == {"rows": 1, "accepted": 1}
    listed = (await district.http.get("/assessments/roster/staff", headers=district.sis)).json()
    assert [(s["sourced_id"], s["family_name"], s["roles"], s["school_ids"]) for s in listed] == [
        (f"{d}-prin", "Lee", ["administrator"], [f"{d}-sch1"]),
        (f"{d}-tch1", "Okoro", ["teacher"], [f"{d}-sch2"]),
        (f"{d}-tch0", "Rivera", ["teacher"], [f"{d}-sch1"]),
    ]
    classes = (await district.http.get("/assessments/roster/classes", headers=district.sis)).json()
    assert {c["sourced_id"]: [t["family_name"] for t in c["teachers"]] for c in classes} == {
        f"{d}-cls0": ["Rivera"],
        f"{d}-cls1": ["Okoro"],
    }


async def test_a_staff_user_without_a_name_is_a_row_problem(blank_district):
    district, d = blank_district, blank_district.id
    files: dict[str, str | bytes] = dict(small_district(d, students=1))
    files["users"] = csv_text(
        ["sourcedId", "status", "dateLastModified", "givenName", "familyName"],
        [[f"{d}-tch0", "active", "", "Maria", ""], [f"{d}-stu0", "active", "", "Stu", "Dent"]],
    )
    report = (await upload(district, package(files))).json()
    assert [(p["file"], p["row"], p["column"]) for p in report["problems"]] == [
        ("users.csv", 2, "familyName")
    ]
    assert report["files"]["users"] == {"rows": 2, "accepted": 1}
