"""Analysis of one assessment: numbers from known results, filters, and what each role may see."""

import uuid
from datetime import UTC, date, datetime

import pytest
from assessments.analysis.rules import ResultRow, analyse
from hypothesis import given, settings
from hypothesis import strategies as st
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


# --- each student once: retakes, partial retakes, unscored attempts (the counting rule, README) -----------------
def _row(student, attempt, percent, standards=(), on=date(2026, 9, 14), status="fully graded", items=None):
    level = None if percent is None else ("advanced" if percent >= 90 else "below")
    return ResultRow(
        student, "sch", ("c1",), percent, level, tuple(standards), items or {},
        attempt=attempt, assessed_on=on, score_status=status, result_id=uuid.uuid4(),
    )  # fmt: skip


def _analyse(rows, with_students=True):
    return analyse(
        rows,
        proficiency_cut=70,
        mastery_cut=90,
        levels=["below", "advanced"],
        items={"q1": (2, "a")},
        teachers={"c1": ["t1"]},
        with_students=with_students,
    )


def test_a_retake_counts_the_student_once_by_the_latest_attempt():
    """The issue's data meeting: attempt 1 below the cut, attempt 2 at 95 %: one student, not below."""
    later = date(2026, 9, 21)
    rows = [
        _row("s1", 1, 40.0, [_std("a", 40, False)], items={"q1": 0}),
        _row("s1", 2, 95.0, [_std("a", 95, True)], on=later, items={"q1": 2}),
        _row("s2", 1, 50.0, [_std("a", 50, False)], items={"q1": 1}),
    ]
    report = _analyse(rows)
    assert (report["students"], report["results"], report["attempts"], report["scored"]) == (2, 2, 3, 2)
    assert report["below_cut"][0]["student_ids"] == ["s2"]
    assert report["enrichment"][0]["student_ids"] == ["s1"]
    assert report["standards"][0]["students"] == 2 and report["standards"][0]["mean_percent"] == 72.5
    assert report["teachers"] == [
        {"teacher_id": "t1", "students": 2, "mean_percent": 72.5, "percent_proficient": 50.0}
    ]
    assert report["items"][0]["responses"] == 2 and report["items"][0]["percent_correct"] == 75.0
    assert report["mastered_all"] == ["s1"]
    s1 = report["student_results"][0]
    assert (s1["student_id"], s1["attempts"], s1["counted_attempt"], s1["percent"]) == ("s1", 2, 2, 95.0)
    assert [a["attempt"] for a in s1["history"]] == [1, 2]


def test_a_retake_of_one_standard_replaces_that_standard_only():
    rows = [
        _row("s1", 1, 60.0, [_std("a", 40, False), _std("b", 80, True)]),
        _row("s1", 2, 45.0, [_std("a", 90, True)], on=date(2026, 9, 20)),
    ]
    report = _analyse(rows)
    assert [b["students_below"] for b in report["below_cut"]] == [0, 0]
    standards = {s["standard_id"]: s["attempt"] for s in report["student_results"][0]["standards"]}
    assert standards == {"a": 2, "b": 1}


def test_an_exempt_or_unscored_retake_leaves_the_first_score_counting():
    for retake in (
        _row("s1", 2, 100.0, [_std("a", 100, True)], status="exempt"),
        _row("s1", 2, None, status="not submitted"),
    ):
        report = _analyse([_row("s1", 1, 40.0, [_std("a", 40, False)]), retake])
        assert report["below_cut"][0]["student_ids"] == ["s1"]
        assert (report["students"], report["scored"], report["attempts"]) == (1, 1, 2)
        assert report["student_results"][0]["counted_attempt"] == 1


def test_only_exempt_results_count_the_student_but_no_score():
    report = _analyse([_row("s1", 1, 80.0, [_std("a", 80, True)], status="exempt")])
    assert (report["students"], report["scored"], report["standards"], report["below_cut"]) == (1, 0, [], [])


def test_on_one_day_the_higher_attempt_counts_and_aggregate_roles_get_no_ids():
    rows = [_row("s1", 2, 30.0, [_std("a", 30, False)]), _row("s1", 1, 95.0, [_std("a", 95, True)])]
    report = _analyse(rows, with_students=False)
    assert report["below_cut"][0] == {
        "standard_id": "a", "code": "A", "essential": True, "students_below": 1, "student_ids": None,
    }  # fmt: skip
    assert report["student_results"] is None and report["mastered_all"] is None


students_rows = st.lists(
    st.tuples(
        st.sampled_from(["s1", "s2", "s3"]),
        st.integers(1, 3),
        st.integers(0, 3),
        st.sampled_from(["fully graded", "exempt", "not submitted"]),
        st.dictionaries(st.sampled_from("ab"), st.integers(0, 100), max_size=2),
    ),
    max_size=12,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=200, deadline=None)
@given(students_rows)
def test_every_list_names_each_student_once_by_the_latest_attempt_that_scored(spec):
    rows = []
    for student, attempt, day, status, scores in spec:
        percent = None if not scores else sum(scores.values()) / len(scores)
        standards = [_std(s, p, p >= 70) for s, p in sorted(scores.items())]
        rows.append(_row(student, attempt, percent, standards, date(2026, 9, 1 + day), status))
    report = _analyse(rows)
    assert report["students"] == len({r.student_id for r in rows}) and report["attempts"] == len(rows)
    for entry in report["below_cut"] + report["enrichment"]:
        assert len(entry["student_ids"]) == len(set(entry["student_ids"]))
    for standard in "ab":  # the naive model: sort each student's scoring attempts by (date, attempt)
        latest = {}
        for r in sorted(rows, key=lambda r: (r.assessed_on, r.attempt)):
            for s in r.standards:
                if s["standard_id"] == standard and r.score_status != "exempt":
                    latest[r.student_id] = s["percent"]
        below = next((b["student_ids"] for b in report["below_cut"] if b["standard_id"] == standard), [])
        assert below == sorted(sid for sid, p in latest.items() if p < 70)


async def test_the_data_meeting_after_a_retake_shows_each_student_once(district, scored):
    """Attempt 2 for the three students below the cut on s1 (two now reach it); then a correction of an
    attempt 1 (changes nothing that counts) and a void of one attempt 2 (its attempt 1 counts again)."""
    a, (s1, _s2) = scored["id"], scored["standards"]
    retakers = [district.students[2], district.students[3], district.students[5]]
    retake = [(5, 5, 9), (1, 1, 2), (4, 4, 9)]  # s1: 100 %, 20 %, 80 %
    rows = [
        {"assessment_id": a, "student_id": s, "attempt": 2, "item_scores": {"Q1": q1, "Q2": q2, "Q3": q3}}
        for s, (q1, q2, q3) in zip(retakers, retake, strict=True)
    ]  # assessed today, as attempt 1 was: on the same day the higher attempt counts
    sent = await district.post("/assessments/results/bulk", {"results": rows})
    assert sent.json()["accepted"] == 3, sent.text
    path = f"/assessments/assessments/{a}/analysis"

    async def analysis() -> dict:
        response = await district.http.get(path, headers=district.sis)
        assert response.status_code == 200, response.text
        return response.json()

    body = await analysis()
    assert (body["students"], body["results"], body["attempts"], body["scored"]) == (6, 6, 9, 6)
    below = {b["standard_id"]: b["student_ids"] for b in body["below_cut"]}
    assert below[s1] == [district.students[3]]
    assert sum(lv["students"] for lv in body["levels"]) <= 6
    assert sum(b["students"] for b in body["distribution"]["bins"]) == 6
    assert all(i["responses"] == 6 for i in body["items"])
    per_student = {s["student_id"]: s for s in body["student_results"]}
    assert len(per_student) == 6 and per_student[retakers[0]]["attempts"] == 2
    assert per_student[retakers[0]]["counted_attempt"] == 2
    assert [h["attempt"] for h in per_student[retakers[0]]["history"]] == [1, 2]

    fix = {
        "assessment_id": a,
        "student_id": retakers[0],
        "attempt": 1,
        "item_scores": {"Q1": 0, "Q2": 0, "Q3": 0},
    }
    assert (
        await district.http.put("/assessments/results", json=fix, headers=district.sis)
    ).status_code == 200
    assert {b["standard_id"]: b["student_ids"] for b in (await analysis())["below_cut"]}[s1] == below[s1]

    voided = await district.http.delete(f"/assessments/results/{a}/{retakers[2]}/2", headers=district.sis)
    assert voided.status_code == 204, voided.text
    after = await analysis()
    assert (after["students"], after["attempts"]) == (6, 8)
    assert {b["standard_id"]: b["student_ids"] for b in after["below_cut"]}[s1] == sorted(
        [district.students[3], retakers[2]]
    )


def _aggregates_only(body: dict) -> dict:
    """A report without what only student readers get (the aggregate roles' view of the same report)."""
    out = {**body, "mastered_all": None, "student_results": None}
    for key in ("below_cut", "enrichment"):
        out[key] = [{**entry, "student_ids": None} for entry in body[key]]
    return out


async def test_the_set_based_aggregates_equal_the_rules_on_every_filter(district, scored):
    """An aggregate role's analysis is computed in PostgreSQL (the values that count picked per student and
    figure, analysis.repository.AGGREGATES; issue 25); a student reader's by analysis.rules from every attempt.
    After retakes (one re-testing a single item, one exempt, one voided) both give the same figures, for the
    district, a school, a class and a grade, and for a leader's schools."""
    a = scored["id"]
    retakes = [
        {"assessment_id": a, "student_id": district.students[0], "attempt": 2, "item_scores": {"Q1": 1}},
        {"assessment_id": a, "student_id": district.students[2], "attempt": 2,
         "item_scores": {"Q1": 5, "Q2": 5, "Q3": 10}},
        {"assessment_id": a, "student_id": district.students[3], "attempt": 2, "score_status": "exempt",
         "item_scores": {"Q1": 5, "Q2": 5, "Q3": 10}},
        {"assessment_id": a, "student_id": district.students[5], "attempt": 2,
         "item_scores": {"Q1": 0, "Q2": 0, "Q3": 0}},
    ]  # fmt: skip
    sent = await district.post("/assessments/results/bulk", {"results": retakes})
    assert sent.json()["accepted"] == 4, sent.text
    voided = await district.http.delete(
        f"/assessments/results/{a}/{district.students[5]}/2", headers=district.sis
    )
    assert voided.status_code == 204
    path = f"/assessments/assessments/{a}/analysis"
    analyst, admin = district.token(Role.ANALYST), district.token(Role.DISTRICT_ADMIN)
    filters = [{}, {"school_id": district.schools[0]}, {"class_id": district.classes[1]}, {"grade": "04"},
               {"grade": "05"}]  # fmt: skip
    for params in filters:
        by_sql = (await district.http.get(path, params=params, headers=analyst)).json()
        by_rules = (await district.http.get(path, params=params, headers=admin)).json()
        assert by_sql["student_results"] is None and by_rules["student_results"] is not None
        assert by_sql == _aggregates_only(by_rules), params
    assert by_sql["students"] == 0  # grade 05: nobody
    everyone = (await district.http.get(path, headers=analyst)).json()
    assert (everyone["students"], everyone["attempts"]) == (6, 9)
    assert any(i["responses"] for i in everyone["items"]) and everyone["teachers"]


async def test_the_district_wide_analysis_from_the_standings_equals_the_rules_over_every_attempt(
    district, scored, settings
):
    """A district-wide analysis is read from each student's standing (analysis_students, kept as results change:
    issue 25), not from every attempt. After each kind of write (retakes in bulk, one re-testing a single item,
    an exempt one, a void, a correction, a single PUT, every attempt of a student voided) the report a district
    admin and an analyst get equals analysis.rules over every live attempt (service.from_attempts), for the
    district and by grade; so it does after the periodic job computed the stale standings."""
    import json

    from assessments.analysis.repository import AnalysisRepository
    from assessments.analysis.service import from_attempts, refresh, refresh_stale
    from assessments.catalog.repository import AssessmentRepository
    from plc_shared.auth import Principal
    from plc_shared.db import create_engine, make_sessionmaker
    from pydantic_core import to_json

    a, st = scored["id"], district.students
    path = f"/assessments/assessments/{a}/analysis"
    admin, analyst = district.token(Role.DISTRICT_ADMIN), district.token(Role.ANALYST)
    engine = create_engine(settings.database_url, pool_size=1)
    sessions = make_sessionmaker(engine)

    async def reference(grade: str | None) -> dict:
        principal = Principal(subject="test", role=Role.DISTRICT_ADMIN, district_id=district.id)
        async with sessions() as session, session.begin():
            assessment = await AssessmentRepository(session).get_in_district(district.id, a)
            report = await from_attempts(session, principal, assessment, None, None, grade)
        return json.loads(to_json(report))

    async def same(step: str) -> None:
        for grade in (None, "04", "05"):
            params = {"grade": grade} if grade else {}
            expected = await reference(grade)
            by_admin = await district.http.get(path, params=params, headers=admin)
            by_analyst = await district.http.get(path, params=params, headers=analyst)
            assert by_admin.status_code == by_analyst.status_code == 200, by_admin.text
            body = by_admin.json()
            assert (body.pop("assessment_id"), body.pop("filters")["grade"]) == (a, grade)
            assert body == expected, (step, grade)
            aggregates = by_analyst.json()
            del aggregates["assessment_id"], aggregates["filters"]
            assert aggregates == _aggregates_only(expected), (step, grade)

    async def put(row: dict) -> None:
        response = await district.http.put("/assessments/results", json=row, headers=district.sis)
        assert response.status_code in (200, 201), response.text

    async def void(student: str, attempt: int) -> None:
        response = await district.http.delete(
            f"/assessments/results/{a}/{student}/{attempt}", headers=district.sis
        )
        assert response.status_code == 204, response.text

    try:
        await same("first results")
        retakes = [
            {"assessment_id": a, "student_id": st[0], "attempt": 2, "item_scores": {"Q1": 1}},
            {"assessment_id": a, "student_id": st[2], "attempt": 2, "item_scores": {"Q1": 5, "Q2": 5, "Q3": 10}},
            {"assessment_id": a, "student_id": st[3], "attempt": 2, "score_status": "exempt",
             "item_scores": {"Q1": 5, "Q2": 5, "Q3": 10}},
            {"assessment_id": a, "student_id": st[5], "attempt": 2, "item_scores": {"Q1": 0, "Q2": 0, "Q3": 0}},
        ]  # fmt: skip
        sent = await district.post("/assessments/results/bulk", {"results": retakes})
        assert sent.json()["accepted"] == 4, sent.text
        await same("retakes")
        await void(st[5], 2)
        await same("a void")
        await put(
            {
                "assessment_id": a,
                "student_id": st[0],
                "attempt": 1,
                "item_scores": {"Q1": 0, "Q2": 5, "Q3": 1},
            }
        )
        await same("a correction")
        await put(
            {
                "assessment_id": a,
                "student_id": st[4],
                "attempt": 2,
                "item_scores": {"Q1": 2, "Q2": 2, "Q3": 2},
            }
        )
        await same("a single retake")
        await void(st[1], 1)
        await same("a student's only attempt voided")
        assert (await district.http.get(path, headers=admin)).json()["students"] == 5

        await put(
            {
                "assessment_id": a,
                "student_id": st[1],
                "attempt": 2,
                "item_scores": {"Q1": 5, "Q2": 5, "Q3": 10},
            }
        )
        async with sessions() as session, session.begin():  # the periodic job, as a replica runs it
            while await refresh_stale(session, datetime.now(UTC)):
                pass
            assert await refresh(AnalysisRepository(session), district.id, a) == 0  # nothing left stale
        await same("after the periodic job")
        async with sessions() as session, session.begin():  # a read computed nothing: it read the standings
            assert await refresh(AnalysisRepository(session), district.id, a) == 0
    finally:
        await engine.dispose()


async def test_two_transactions_computing_one_students_standing_never_collide(district, scored, settings):
    """The triggers only append to analysis_stale, so a key can be stale twice: the periodic job takes one
    marker, a read the other, and both compute the same student. The second waits for the first (one advisory
    lock per assessment) and then replaces its row, instead of inserting the key a second time."""
    import asyncio

    from assessments.analysis.repository import AnalysisRepository
    from assessments.analysis.service import _compute
    from plc_shared.db import create_engine, make_sessionmaker

    a, student = scored["id"], district.students[0]
    engine = create_engine(settings.database_url, pool_size=2)
    sessions = make_sessionmaker(engine)

    async def compute_in_new_transaction() -> None:
        async with sessions() as session, session.begin():
            await _compute(AnalysisRepository(session), district.id, a, [student])

    try:
        async with sessions() as job, job.begin():
            await _compute(
                AnalysisRepository(job), district.id, a, [student]
            )  # its row inserted, not committed
            reader = asyncio.create_task(compute_in_new_transaction())
            await asyncio.sleep(0.5)
            assert not reader.done()  # waits for the job's transaction
        await reader  # then replaces the job's row: no unique violation
        analysis = await district.http.get(
            f"/assessments/assessments/{a}/analysis", headers=district.token(Role.DISTRICT_ADMIN)
        )
        assert analysis.status_code == 200 and analysis.json()["students"] == 6
    finally:
        await engine.dispose()
