"""The pure rules, table-driven: the SMART check letter by letter, Anhøj's run-chart cut-offs, the
leadership-team rule, and progress (contribution, status, projection)."""

import random
import uuid
from datetime import date

import pytest
from goals.plans.rules import Context, smart
from goals.plans.schemas import GoalBody
from goals.progress import rules as progress
from goals.progress.service import Matcher, Touched
from goals.rules import crossings_limit, longest_run_limit, run_chart
from goals.teams.rules import leadership_violations

GOOD = {
    "title": "Grade 4 fractions",
    "measure": {"kind": "proficient", "assessment_id": "a1"},
    "population": {"kind": "school"},
    "baseline": {"value": 52.0},
    "target": 70.0,
    "start": "2026-09-01",
    "deadline": "2027-05-20",
}
CTX = Context(level="school", assessments=frozenset({"a1", "a2"}), standards=frozenset({"std1"}))
TEAM = Context(level="team", linked_to_school_goal=True, assessments=CTX.assessments, standards=CTX.standards)


def check(changes: dict, ctx: Context = CTX) -> dict:
    verdict = smart(GoalBody.model_validate({**GOOD, **changes}), ctx)
    return {letter.letter: letter for letter in verdict.letters}


CASES = [  # (letter, passes?, changes, context)
    ("S", True, {}, CTX),
    ("S", False, {"population": {"kind": "grades", "grades": []}}, CTX),
    ("S", False, {}, Context(level="team", assessments=CTX.assessments)),  # team goal not linked
    ("S", True, {}, TEAM),
    ("M", True, {"measure": {"kind": "proficient", "standard_id": "std1"}}, CTX),
    ("M", False, {"measure": {"kind": "proficient", "assessment_id": "nope"}}, CTX),
    ("M", False, {"measure": {"kind": "average", "standard_id": "nope"}}, CTX),
    ("M", False, {"measure": {"kind": "growth", "pre_assessment_id": "a1", "post_assessment_id": "a9"}}, CTX),
    (
        "M",
        True,
        {
            "measure": {
                "kind": "growth",
                "pre_assessment_id": "a1",
                "post_assessment_id": "a2",
                "min_growth": 5,
            }
        },
        CTX,
    ),
    ("A", True, {}, CTX),
    ("A", False, {"target": 52.0}, CTX),
    ("A", False, {"target": 40.0}, CTX),
    ("A", True, {"direction": "decrease", "target": 40.0}, CTX),
    ("A", False, {"baseline": None}, CTX),
    ("R", True, {}, CTX),
    ("R", False, {"measure": {"kind": "process", "description": "develop common assessments"}}, CTX),
    ("T", True, {}, CTX),
    ("T", False, {"deadline": "2026-09-01"}, CTX),
    ("T", False, {"deadline": "2026-08-01"}, CTX),
    ("T", False, {"deadline": "2027-12-20"}, TEAM),  # a team goal: at most one school year
    ("T", True, {"deadline": "2028-12-20"}, CTX),  # a school goal: up to three
    ("T", False, {"deadline": "2030-12-20"}, CTX),
]


@pytest.mark.parametrize(("letter", "passes", "changes", "ctx"), CASES)
def test_smart_letter(letter, passes, changes, ctx):
    verdict = check(changes, ctx)[letter]
    assert verdict.passed is passes, verdict.reasons
    assert bool(verdict.reasons) is not passes


def test_a_fully_smart_goal_passes_every_letter_and_a_process_goal_fails_m_and_r():
    assert smart(GoalBody.model_validate(GOOD), CTX).passed
    failing = {
        k for k, v in check({"measure": {"kind": "process", "description": "x"}}).items() if not v.passed
    }
    assert failing == {"M", "R"}


def test_attainable_warns_on_100_percent_and_on_a_gain_above_the_largest_seen():
    ctx = Context(level="school", assessments=CTX.assessments, largest_gain=10.0)
    verdict = check({"target": 100.0}, ctx)["A"]
    assert verdict.passed and len(verdict.warnings) == 2


@pytest.mark.parametrize(("n", "run", "crossings"), [(10, 6, 2), (12, 7, 3), (20, 7, 6), (24, 8, 8)])
def test_anhoej_cut_offs(n, run, crossings):
    assert (longest_run_limit(n), crossings_limit(n)) == (run, crossings)


def test_a_shift_and_too_few_crossings_are_signals():
    shifted = [1.0] * 8 + [5.0, 9.0] * 4  # median 3: 8 below in a row, n = 16, limit 7
    chart = run_chart(shifted)
    assert (chart.longest_run, chart.longest_run_limit, chart.shift) == (8, 7, True)
    alternating = [1.0, 9.0] * 6
    chart = run_chart(alternating)
    assert not chart.shift and not chart.too_few_crossings
    halves = [1.0] * 5 + [9.0] * 5  # one crossing, n = 10: fewer than 2
    assert run_chart(halves).too_few_crossings


@pytest.mark.parametrize(
    ("roles", "ok"),
    [
        (["administrator", "teacher", "teacher", "teacher"], True),
        (["administrator"] + ["teacher"] * 5, True),
        (["administrator", "teacher", "teacher"], False),
        (["administrator"] + ["teacher"] * 6, False),
        (["teacher"] * 5, False),
    ],
)
def test_leadership_team_rule(roles, ok):
    assert (leadership_violations(roles) == []) is ok


SPEC = progress.Spec(uuid.uuid4(), "proficient", date(2026, 9, 1), date(2027, 5, 1), "s1", assessment_id="a1")


def entry(percent, on=date(2026, 10, 1), role="score", rid=None):
    return progress.Entry(rid or uuid.uuid4(), 1, role, on, 1, percent, 70.0)


def test_a_student_counts_by_their_latest_result():
    assert progress.contribution(SPEC, [entry(50, date(2026, 10, 1)), entry(80, date(2026, 11, 1))]) == (
        1.0,
        1,
    )
    assert progress.contribution(SPEC, [entry(80, date(2026, 10, 1)), entry(50, date(2026, 11, 1))]) == (
        0.0,
        1,
    )
    assert progress.contribution(SPEC, [entry(None, role=None)]) == (0.0, 0)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([40, 42], "insufficient data"),
        ([40, 85], "on track"),  # at the target (80) from two points: not "insufficient data" (issue 24)
        ([85], "on track"),
        ([40, 50, 60], "on track"),
        ([40, 45, 56], "at risk"),
        ([40, 41, 42], "off track"),
    ],
)
def test_status_against_the_aimline(values, expected):
    days = [date(2026, 12, 1), date(2027, 1, 1), date(2027, 1, 1)]
    points = list(zip(days[: len(values)], values, strict=True))
    # baseline 40 on 2026-09-01, target 80 on 2027-05-01: expected on 2027-01-01 is 40 + 40 * 122 / 242
    got = progress.status(
        points, baseline=40, target=80, start=SPEC.start, deadline=SPEC.deadline, today=date(2027, 1, 2)
    )
    assert got == expected


def test_achieved_or_missed_after_the_deadline_and_the_projection():
    points = [(date(2026, 10, 1), 50.0), (date(2026, 11, 1), 60.0)]
    kw = {"baseline": 40, "start": SPEC.start, "deadline": SPEC.deadline, "today": date(2027, 6, 1)}
    assert progress.status(points, target=55, **kw) == "achieved"
    assert progress.status(points, target=80, **kw) == "missed"
    assert progress.projection(points, date(2026, 12, 2)) == pytest.approx(70.0)


def test_the_indexed_matcher_finds_exactly_the_relevant_goals_of_the_facts_school():
    """progress.service.Matcher (goals indexed by school and assessment or standard) against rules.relevant
    on every goal, over random goals and facts."""
    rng, schools, assessments, standards = (
        random.Random(11),
        ["s1", "s2"],
        ["a1", "a2", "a3"],
        ["x", "y", "z"],
    )
    touched = []
    for _ in range(60):
        kind = rng.choice(["proficient", "average", "growth"])
        by_standard = kind != "growth" and rng.random() < 0.4
        spec = progress.Spec(
            goal_id=uuid.uuid4(), kind=kind, start=date(2026, 9, 1), deadline=date(2027, 5, 1),
            school_id=rng.choice(schools),
            assessment_id=None if by_standard or kind == "growth" else rng.choice(assessments),
            standard_id=rng.choice(standards) if by_standard else None,
            pre_assessment_id=rng.choice(assessments) if kind == "growth" else None,
            post_assessment_id=rng.choice(assessments) if kind == "growth" else None,
        )  # fmt: skip
        touched.append(Touched(goal=type("G", (), {"id": spec.goal_id})(), body=None, spec=spec))
    matcher = Matcher(touched)
    for _ in range(300):
        fact = progress.Fact(
            uuid.uuid4(), 1, "stu", rng.choice(schools), (), rng.choice(assessments), 1, date(2026, 10, 1), 80.0,
            70.0, {s: (80.0, 70.0) for s in rng.sample(standards, rng.randrange(3))},
        )  # fmt: skip
        found = {t.spec.goal_id for t in matcher.candidates(fact)}
        want = {
            t.spec.goal_id
            for t in touched
            if t.spec.school_id == fact.school_id and progress.relevant(t.spec, fact)
        }
        assert found == want
        assert len(matcher.candidates(fact)) == len(found)  # no goal twice
