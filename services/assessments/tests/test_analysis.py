"""Analysis of one assessment: numbers from known results, filters, and what each role may see."""

import pytest
from assessments.analysis.rules import ResultRow, analyse
from plc_shared.auth import Role


def _std(sid, percent, proficient, essential=True):
    return {
        "standard_id": sid,
        "code": sid.upper(),
        "essential": essential,
        "percent": percent,
        "proficient": proficient,
        "mastered": percent >= 90,
    }


def test_analyse_counts_shares_items_and_below_cut():
    rows = [
        ResultRow("s1", "sch", ("c1",), 95.0, "advanced", (_std("a", 100, True),), {"q1": 2, "q2": 0}),
        ResultRow("s2", "sch", ("c1",), 60.0, "below", (_std("a", 50, False),), {"q1": 2, "q2": 0}),
        ResultRow("s3", "sch", ("c2",), 75.0, "proficient", (_std("a", 75, True),), {"q1": 1, "q2": 1}),
        ResultRow("s4", "sch", ("c2",), None, None, (), {}),
    ]
    report = analyse(
        rows,
        proficiency_cut=70,
        mastery_cut=90,
        levels=["below", "proficient", "advanced"],
        items={"q1": (2, "a"), "q2": (2, None)},
        teachers={"c1": ["t1"]},
        with_students=True,
    )
    assert (report["results"], report["scored"]) == (4, 3)
    assert (report["percent_proficient"], report["percent_mastered"]) == (66.7, 33.3)
    assert [lv["students"] for lv in report["levels"]] == [1, 1, 1]
    assert report["distribution"]["bins"][9]["students"] == 1 and report["distribution"]["median"] == 75.0
    (standard,) = report["standards"]
    assert (standard["students"], standard["percent_proficient"]) == (3, 66.7)
    classes = {c["class_id"]: c for c in report["classes"]}
    assert classes["c1"]["teacher_ids"] == ["t1"] and classes["c1"]["percent_proficient"] == 50.0
    assert report["teachers"] == [
        {"teacher_id": "t1", "students": 2, "mean_percent": 77.5, "percent_proficient": 50.0}
    ]
    items = {i["code"]: i for i in report["items"]}
    assert (items["q1"]["percent_correct"], items["q1"]["percent_full_credit"]) == (83.3, 66.7)
    assert items["q2"]["percent_correct"] == 16.7 and items["q2"]["most_missed"] is True
    assert items["q1"]["most_missed"] is False
    assert report["below_cut"] == [
        {"standard_id": "a", "code": "A", "essential": True, "students_below": 1, "student_ids": ["s2"]}
    ]


def test_below_cut_lists_every_standard_essential_first():
    """Not only essential standards: a team asks question 3 of every standard; essentials lead, marked."""
    rows = [
        ResultRow("s1", "sch", (), 40.0, None, (_std("b", 40, False, False), _std("z", 90, True)), {}),
        ResultRow("s2", "sch", (), 40.0, None, (_std("b", 60, False, False), _std("z", 40, False)), {}),
    ]
    report = analyse(
        rows, proficiency_cut=70, mastery_cut=90, levels=[], items={}, teachers={}, with_students=True
    )
    assert [(b["standard_id"], b["essential"], b["student_ids"]) for b in report["below_cut"]] == [
        ("z", True, ["s2"]),
        ("b", False, ["s1", "s2"]),
    ]


def test_analyse_without_results_has_no_shares():
    report = analyse(
        [], proficiency_cut=70, mastery_cut=90, levels=["x"], items={}, teachers={}, with_students=False
    )
    assert report["percent_proficient"] is None and report["distribution"]["mean"] is None


@pytest.fixture
async def scored(district):
    a = await district.assessment()
    s1, _s2 = a["standards"]
    await district.http.put(
        f"/assessments/standards/{s1}/essential", json={"scope": "grade", "value": "04"}, headers=district.sis
    )
    scores = [(5, 5, 9), (5, 4, 10), (2, 1, 3), (0, 1, 2), (5, 5, 10), (3, 3, 7)]
    rows = [
        {"assessment_id": a["id"], "student_id": s, "item_scores": {"Q1": q1, "Q2": q2, "Q3": q3}}
        for s, (q1, q2, q3) in zip(district.students, scores, strict=True)
    ]
    report = (
        await district.http.post("/assessments/results/bulk", json={"results": rows}, headers=district.sis)
    ).json()
    assert report["accepted"] == 6
    return a


async def test_analysis_endpoint_for_the_district(district, scored):
    response = await district.http.get(
        f"/assessments/assessments/{scored['id']}/analysis", headers=district.sis
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["results"], body["scored"]) == (6, 6)
    # totals 19, 19, 6, 3, 20, 13 of 20 = 95, 95, 30, 15, 100, 65 %: three of six at or above the 70 % cut
    assert body["percent_proficient"] == 50.0
    assert {c["class_id"]: c["teacher_ids"] for c in body["classes"]} == {
        district.classes[0]: [district.teachers[0]],
        district.classes[1]: [district.teachers[1]],
    }
    below = {b["standard_id"]: b for b in body["below_cut"]}
    s1 = scored["standards"][0]
    assert below[s1]["students_below"] == 3
    assert sorted(below[s1]["student_ids"]) == sorted(
        [district.students[2], district.students[3], district.students[5]]
    )
    assert body["distribution"]["bins"][0]["from"] == 0


async def test_analysis_filters_and_roles(district, scored, other_district):
    path = f"/assessments/assessments/{scored['id']}/analysis"
    by_class = (
        await district.http.get(path, params={"class_id": district.classes[1]}, headers=district.sis)
    ).json()
    assert by_class["results"] == 3
    by_grade = (await district.http.get(path, params={"grade": "05"}, headers=district.sis)).json()
    assert by_grade["results"] == 0
    teacher = district.token(Role.TEACHER, schools=(district.schools[0],))
    mine = (await district.http.get(path, headers=teacher)).json()
    assert mine["results"] == 3 and {c["class_id"] for c in mine["classes"]} == {district.classes[0]}
    analyst = (await district.http.get(path, headers=district.token(Role.ANALYST))).json()
    assert analyst["results"] == 6 and all(b["student_ids"] is None for b in analyst["below_cut"])
    assert (await district.http.get(path, headers=other_district.sis)).status_code == 404
    assert (await district.http.get(path)).status_code == 401
    reviewer = district.token(Role.REVIEWER)
    assert (await district.http.get(path, headers=reviewer)).status_code == 403
