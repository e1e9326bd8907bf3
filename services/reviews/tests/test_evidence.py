"""Evidence from data: the rules table-driven, then from goals, results and interventions events applied
through the consumers' handlers to what a reviewer sees (and a stale result revision changing nothing)."""

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from plc_shared.events import goals as g
from plc_shared.events import interventions as i
from plc_shared.events.assessments import ResultVoided
from reviews.analytics.repository import AnalyticsRepository
from reviews.config import Settings
from reviews.evidence import rules
from reviews.models import Goal, Result
from reviews.recognition import service as recognition
from reviews.testing import api, apply, assessment, result, staffed_school, team

T0 = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("flags", "assignments", "want"),
    [
        ([], [], {"flagged_students": 0, "median_days_flag_to_intervention": None,
                  "flagged_with_intervention_share": None, "exited_share": None}),
        ([("a", T0), ("b", T0)], [("a", T0 + timedelta(days=4), False)],
         {"flagged_students": 2, "median_days_flag_to_intervention": 4.0,
          "flagged_with_intervention_share": 0.5, "exited_share": 0.0}),
        ([("a", T0), ("a", T0 + timedelta(days=9)), ("b", T0), ("c", T0)],
         [("a", T0 + timedelta(days=2), True), ("b", T0 + timedelta(days=6), False),
          ("c", T0 - timedelta(days=1), True)],
         {"flagged_students": 3, "median_days_flag_to_intervention": 4.0,
          "flagged_with_intervention_share": 1.0, "exited_share": 0.6667}),
    ],
)  # fmt: skip
def test_support_evidence(flags, assignments, want):
    assert rules.support_evidence(flags, assignments) == want


def test_goals_and_common_assessments_evidence():
    t1, t2 = uuid.uuid4(), uuid.uuid4()
    teams = [
        SimpleNamespace(team_id=t1, kind="collaborative", class_ids=["c1"], standard_ids=["s1", "s2"]),
        SimpleNamespace(team_id=t2, kind="collaborative", class_ids=["c2"], standard_ids=["s1"]),
        SimpleNamespace(team_id=uuid.uuid4(), kind="leadership", class_ids=[], standard_ids=[]),
    ]
    goals = [SimpleNamespace(team_id=t1, status="active", progress="on track"),
             SimpleNamespace(team_id=t1, status="active", progress="at risk"),
             SimpleNamespace(team_id=t2, status="achieved", progress="achieved")]  # fmt: skip
    got = rules.goals_evidence(teams, goals)
    assert (
        got["teams_with_active_goal"],
        got["teams_with_active_goal_share"],
        got["goals_on_track_share"],
    ) == (1, 0.5, 0.5)
    given = [("a1", ["c1"], ["s1"]), ("a2", ["c1", "c2"], ["s1", "s2"]), ("a3", ["c3"], ["s1"])]
    assert rules.common_assessments(teams, given) == {str(t1): {"s1": 2, "s2": 1}, str(t2): {"s1": 1}}


def events(district: str, school: str, exit_version: int = 2) -> list:
    team_id, goal_id = uuid.uuid4(), uuid.uuid4()
    flagged = [i.StudentFlagged(student_id=f"stu{n}", district_id=district, school_id=school, flag_id=uuid.uuid4(),
                                kind="support", standard_id="std1", result_id=uuid.uuid4(), result_revision=1,
                                assessment_id="cfa1", score=40, cut=70, rule="support", flagged_at=T0)
               for n in range(2)]  # fmt: skip
    assignment = uuid.uuid4()
    return [
        team(district, school, "collaborative", [f"{school}-t0"], team_id, classes=("c1",), standards=("std1",)),
        g.GoalActivated(district_id=district, goal_id=goal_id, school_id=school, team_id=team_id, occurred_at=T0,
                        version=1, baseline=10, target=80, start=date(2026, 9, 1), deadline=date(2027, 5, 1)),
        g.GoalProgressUpdated(district_id=district, goal_id=goal_id, school_id=school, team_id=team_id,
                              occurred_at=T0, version=1, value=50, n=20, status="on track", as_of=date(2026, 11, 1)),
        assessment(district, "cfa1", "common_formative"),
        result(district, "stu0", school, "cfa1", 40.0, date(2026, 10, 1), classes=("c1",)),
        *flagged,
        i.InterventionAssigned(student_id="stu0", district_id=district, school_id=school, assignment_id=assignment,
                               intervention_id=uuid.uuid4(), tier=2, directive=True, start_on=date(2026, 10, 4),
                               planned_weeks=6, assigned_at=T0 + timedelta(days=3)),
        _exit(exit_version, student_id="stu0", district_id=district, school_id=school, assignment_id=assignment,
              intervention_id=uuid.uuid4(), exited_on=date(2026, 12, 1)),
    ]  # fmt: skip


def _exit(version: int, **who):
    """An exit as published now (v2: a code) or before (v1: the reason and evidence in words)."""
    if version == 1:
        return i.StudentExited(**who, reason="met", evidence="cfa")
    return i.StudentExitedV2(**who, reason_code="goal_met")


@pytest.mark.parametrize(("district", "exit_version"), [("d1", 2), ("d1-v1", 1)])
async def test_a_reviewer_sees_the_evidence_from_the_events(app, sessions, district, exit_version):
    """The same evidence whichever version of the exit event arrived (old ones stay readable)."""
    await apply(sessions, *staffed_school(district, "s1"), *events(district, "s1", exit_version))
    async with api(app, "district_admin", district) as admin:
        assert (
            await admin.put("/program/schools/s1", json={"regional_center": "C", "entry_year": 2026})
        ).status_code == 200
        evidence = (await admin.get("/schools/s1/evidence/2026")).json()
        draft = (await admin.post("/schools/s1/reviews", json={"kind": "interim", "on": "2027-01-10"})).json()
    assert (
        evidence["goals"]["teams_with_active_goal"] == 1 and evidence["goals"]["goals_on_track_share"] == 1.0
    )
    assert list(evidence["common_assessments"].values()) == [{"std1": 1}]
    assert evidence["support"] == {"flagged_students": 2, "median_days_flag_to_intervention": 3.0,
                                   "flagged_with_intervention_share": 0.5, "exited_share": 1.0}  # fmt: skip
    assert draft["data_evidence"] == evidence
    assert "respond.pyramid" in evidence["informs"]


async def test_a_goal_activated_alone_is_stored_and_never_resets_its_progress(app, sessions):
    goal = {"district_id": "d1", "goal_id": uuid.uuid4(), "school_id": "s5", "team_id": None, "version": 1}
    window = {"baseline": 10, "target": 80, "start": date(2026, 9, 1), "deadline": date(2027, 5, 1)}
    await apply(sessions, g.GoalActivated(**goal, **window, occurred_at=T0))  # its own batch
    async with sessions() as session:
        first = await session.get(Goal, ("d1", goal["goal_id"]))
        assert (first.status, first.progress) == ("active", "insufficient data")
    update = g.GoalProgressUpdated(
        **goal, occurred_at=T0, value=50, n=20, status="on track", as_of=date(2026, 11, 1)
    )
    await apply(sessions, update)
    await apply(
        sessions, g.GoalActivated(**{**goal, "version": 2}, **window, occurred_at=T0)
    )  # a new version
    async with sessions() as session:
        row = await session.get(Goal, ("d1", goal["goal_id"]))
    assert (row.status, row.progress) == ("active", "on track")


async def test_a_stale_result_revision_changes_nothing(app, sessions):
    newer = result("d1", "stu9", "s1", "cfa1", 90.0, date(2026, 10, 2))
    newer = newer.model_copy(update={"revision": 3})
    older = newer.model_copy(update={"revision": 2, "percent": 10.0})
    await apply(sessions, newer)
    await apply(sessions, older)
    async with sessions() as session:
        row = await session.get(Result, ("d1", newer.result_id))
    assert (row.revision, row.percent) == (3, 90.0)


async def test_goals_achieved_in_the_school_year_as_the_achievement_criterion(app, sessions):
    def decided(event, on: date):
        return event(district_id="d1", goal_id=uuid.uuid4(), school_id="s7", occurred_at=datetime(on.year, on.month,
                      on.day, tzinfo=UTC), value=80, target=80)  # fmt: skip

    await apply(sessions, decided(g.GoalAchieved, date(2026, 12, 1)), decided(g.GoalAchieved, date(2027, 5, 30)),
                decided(g.GoalMissed, date(2027, 6, 1)), decided(g.GoalAchieved, date(2027, 8, 1)))  # fmt: skip
    settings = Settings(achievement_criterion="goals_achieved", achievement_threshold=70)
    async with sessions() as session:
        got = await recognition.achievement(session, "d1", "s7", 2026, settings)
        none = await recognition.achievement(session, "d1", "s7", 2025, settings)
    assert (got.value, got.n, got.met) == (pytest.approx(200 / 3), 3, False)
    assert (none.value, none.n) == (None, 0)


async def test_a_late_progress_update_does_not_reopen_a_decided_goal(app, sessions):
    goal_id, on = uuid.uuid4(), datetime(2027, 5, 2, tzinfo=UTC)
    common = {"district_id": "d1", "goal_id": goal_id, "school_id": "s8", "occurred_at": on}
    await apply(sessions, g.GoalAchieved(**common, value=90, target=80))
    late = g.GoalProgressUpdated(
        **common, version=1, value=85, n=20, status="on track", as_of=date(2027, 5, 1)
    )
    await apply(sessions, late)
    async with sessions() as session:
        row = await session.get(Goal, ("d1", goal_id))
    assert (row.status, row.decided_on) == ("achieved", date(2027, 5, 2))


async def test_the_achievement_counts_each_student_once_per_summative_by_the_result_that_counts(
    app, sessions
):
    """A retake counts instead of the first attempt (on the same day too), an exempt retake never counts, a
    voided retake brings the first attempt back; the program analytics count the same students."""
    day, later = date(2026, 11, 2), date(2026, 11, 20)
    voided_retake = result("d1", "r3", "s9", "sum9", 95.0, later, attempt=2)
    await apply(
        sessions,
        assessment("d1", "sum9"),
        result("d1", "r1", "s9", "sum9", 40.0, day), result("d1", "r1", "s9", "sum9", 85.0, later, attempt=2),
        result("d1", "r2", "s9", "sum9", 90.0, day, attempt=2), result("d1", "r2", "s9", "sum9", 30.0, day),
        result("d1", "r3", "s9", "sum9", 20.0, day), voided_retake,
        result("d1", "r4", "s9", "sum9", 50.0, day), result("d1", "r4", "s9", "sum9", 99.0, later, attempt=2, status="exempt"),
        ResultVoided(
            result_id=voided_retake.result_id, revision=2, student_id="r3", district_id="d1", school_id="s9",
            assessment_id="sum9", attempt=2, voided_at=T0,
        ),
    )  # fmt: skip
    async with sessions() as session:
        got = await recognition.achievement(session, "d1", "s9", 2026, Settings(achievement_threshold=70))
        by_school = await AnalyticsRepository(session).achievement("d1")
    assert (got.value, got.n) == (50.0, 4)  # r1 85 and r2 90 at or above 70; r3 20 and r4 50 below
    assert by_school[("d1", "s9", 2026)] == {"percent": 50.0, "n": 4}
