"""Public OneRoster CSV packages (tests/vendor/oneroster/packages, sources and licences in the README there),
imported as they are: every row of every file is accounted for exactly once in the report (accepted, skipped
with a reason, or a problem), and no score is lost over a detail.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from .test_oneroster import upload

PACKAGES = Path(__file__).parent / "vendor" / "oneroster" / "packages"


def zipped(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((PACKAGES / name).glob("*.csv")):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def row_counts(name: str) -> dict[str, int]:
    """Data rows per file named bulk or delta in the manifest, as csv reads them (blank lines are no rows)."""
    folder = PACKAGES / name
    manifest = dict(csv.reader(io.StringIO((folder / "manifest.csv").read_text())))
    counts = {}
    for prop, mode in manifest.items():
        if prop.startswith("file.") and mode.strip() in ("bulk", "delta"):
            file = prop.removeprefix("file.")
            rows = list(csv.reader(io.StringIO((folder / f"{file}.csv").read_text(encoding="utf-8-sig"))))
            counts[file] = sum(1 for r in rows[1:] if any(v.strip() for v in r))
    return counts


def accounting(report: dict) -> dict[str, int]:
    """Rows accounted per file: accepted + rows listed in problems or skipped (each row in one list only); a
    whole-file line (row None: a file not imported) accounts for all its rows."""
    places: dict[tuple[str, int], str] = {}
    whole: set[str] = set()
    for kind in ("problems", "skipped"):
        for line in report[kind]:
            file = line["file"].removesuffix(".csv")
            if line["row"] is None:
                whole.add(file)
                continue
            key = (file, line["row"])
            assert key not in places, f"{key} is in {places[key]} and in {kind}: {report}"
            places[key] = kind
    counted = {}
    for file, count in report["files"].items():
        listed = sum(1 for (f, _row) in places if f == file)
        counted[file] = count["rows"] if file in whole else count["accepted"] + listed
    return counted


@pytest.mark.parametrize(
    "name", ["longsight-1p2-gradebook-bulk", "longsight-1p2-rostering-bulk", "oat-1p1-base"]
)
async def test_every_row_of_every_public_package_is_accounted_for_once(blank_district, name):
    response = await upload(blank_district, zipped(name))
    assert response.status_code == 200, response.text
    report = response.json()
    expected = row_counts(name)
    assert {f: c["rows"] for f, c in report["files"].items()} == expected, report
    assert accounting(report) == expected, report


async def test_the_gradebook_package_keeps_its_scores_and_names_what_is_wrong(blank_district):
    """LongsightGroup/oneroster's valid 1.2 gradebook graph: its one result is for user-1, who is a teacher
    (roles.csv, enrollments.csv); its objective score names an objective the line item is not aligned to."""
    report = (await upload(blank_district, zipped("longsight-1p2-gradebook-bulk"))).json()
    problems = {(p["file"], p["row"]): p["reason"] for p in report["problems"]}
    assert (
        problems[("results.csv", 2)] == "user-1 is staff (teacher), not a student: a result needs a student"
    )
    assert "objective-1" in problems[("resultLearningObjectiveIds.csv", 2)]
    assert "line item 'line-item-1'" in problems[("resultLearningObjectiveIds.csv", 2)]
    assert report["files"]["roles"] == {"rows": 2, "accepted": 2}
    # its categories.csv is imported: the line item's category href resolves to it (getCategory)
    assert report["files"]["categories"] == {"rows": 1, "accepted": 1}
    http, sis = blank_district.http, blank_district.sis
    item = (await http.get("/ims/oneroster/gradebook/v1p2/lineItems/line-item-1", headers=sis)).json()[
        "lineItem"
    ]
    category = await http.get(item["category"]["href"].removeprefix("http://svc"), headers=sis)
    assert category.status_code == 200, category.text
    assert category.json()["category"] == {**category.json()["category"], "sourcedId": "category-1", "title": "Homework", "weight": 20.0}  # fmt: skip


async def test_an_unaligned_objective_score_costs_the_result_nothing(blank_district):
    """The public gradebook package with one change: user-1 is a student (roles.csv, enrollments.csv), so its
    result can be stored. The result keeps its total; the objective it names that the line item does not
    measure is a problem of resultLearningObjectiveIds.csv, the file it came from."""
    folder = PACKAGES / "longsight-1p2-gradebook-bulk"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.csv")):
            text = path.read_text()
            if path.name == "roles.csv":
                text = text.replace("role-1,,,user-1,primary,teacher", "role-1,,,user-1,primary,student")
            if path.name == "enrollments.csv":
                text = text.replace("user-1,teacher", "user-1,student")
            archive.writestr(path.name, text)
    report = (await upload(blank_district, buffer.getvalue())).json()
    assert report["files"]["results"] == {"rows": 1, "accepted": 1}, report
    assert [(p["file"], p["row"], p["column"]) for p in report["problems"]] == [
        ("resultLearningObjectiveIds.csv", 2, "learningObjectiveId")
    ]
    stored = await blank_district.http.get(
        "/ims/oneroster/gradebook/v1p2/results/result-1", headers=blank_district.sis
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["result"]["score"] == 95.5
    assert "learningObjectiveSet" not in stored.json()["result"]


def variant(name: str, changes: dict[str, tuple[str, str]]) -> bytes:
    """The public package `name` with one textual change per file (file -> (old, new)), each checked to apply."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((PACKAGES / name).glob("*.csv")):
            text = path.read_text()
            old, new = changes.get(path.stem, ("", ""))
            assert old in text, (path.name, old)
            archive.writestr(path.name, text.replace(old, new, 1) if old else text)
    return buffer.getvalue()


ROSTER = "longsight-1p2-rostering-bulk"


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        # the README's leniency table, one row each
        (
            {"academicSessions": ("as-1,,,", "as-1,inactive,,")},
            ("academicSessions.csv", 3, "status", "status 'inactive' is not a OneRoster 1.2 value"),
        ),
        (
            {"classes": ("class-1,,,", "class-1,,15/06/2023,")},
            ("classes.csv", 2, "dateLastModified", "'15/06/2023' is not an ISO 8601"),
        ),
        (
            {"classes": (",course-1,", ",course-gone,")},
            ("classes.csv", 2, "courseSourcedId", "'course-gone' is not in courses.csv"),
        ),
        (
            {"classes": (",as-1,", ",term-gone,")},
            ("classes.csv", 2, "termSourcedIds", "'term-gone' is not in academicSessions.csv"),
        ),
        (
            {"orgs": ("North School,school", "North School,department")},
            ("classes.csv", 2, "schoolSourcedId", "org 'org-1' is a department, not a school"),
        ),
        (
            {"enrollments": ("user-1,teacher", "user-1,student")},
            ("users.csv", 3, "role", "user-1 is staff (teacher) and a student: stored as a student"),
        ),
    ],
)
async def test_lenient_but_never_silent(blank_district, changes, note):
    report = (await upload(blank_district, variant(ROSTER, changes))).json()
    file, row, column, reason = note
    found = [n for n in report["notes"] if (n["file"], n["row"], n["column"]) == (file, row, column)]
    assert len(found) == 1 and found[0]["reason"].startswith(reason), report["notes"]
    assert report["problems"] == [], report["problems"]
    name = file.removesuffix(".csv")
    assert report["files"][name]["accepted"] == report["files"][name]["rows"], report
    assert accounting(report) == row_counts(ROSTER)


async def test_a_1p1_package_keeps_importing_with_its_1p0_columns_noted(blank_district):
    """oat-sa's OneRoster 1.1 sample: 1.0's `grade` column read as `grades`; its classes name term '1', which
    its (empty, bulk) academicSessions.csv does not hold."""
    report = (await upload(blank_district, zipped("oat-1p1-base"))).json()
    notes = {(n["file"], n["row"], n["column"]): n["reason"] for n in report["notes"]}
    assert (
        notes[("classes.csv", None, "grade")]
        == "column 'grade' is OneRoster 1.0/1.1's: read as 1.2's 'grades'"
    )
    assert all(("classes.csv", row, "termSourcedIds") in notes for row in (2, 3, 4))
    assert {f: c["accepted"] for f, c in report["files"].items() if f in ("orgs", "classes", "users", "enrollments")} == {"orgs": 2, "classes": 3, "users": 2, "enrollments": 3}  # fmt: skip
