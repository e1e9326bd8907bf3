"""The pure rules, on plain values."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from interventions.flags import rules as flag_rules
from interventions.pyramid import rules as progress_rules
from interventions.tiers import rules as tier_rules


def score(percent: float, day: int = 1, cut: float = 70, mastery: float = 90) -> flag_rules.Score:
    at = datetime(2026, 9, day, tzinfo=UTC)
    return flag_rules.Score(uuid.uuid4(), 1, percent, cut, mastery, at.date(), at, at)


def test_below_the_proficiency_cut_calls_for_support_only():
    assert flag_rules.wanted_kinds(score(69.9)) == {"support"}


def test_at_the_proficiency_cut_calls_for_nothing():
    assert flag_rules.wanted_kinds(score(70)) == set()


def test_at_the_mastery_cut_calls_for_enrichment():
    assert flag_rules.wanted_kinds(score(90)) == {"enrichment"}


def test_no_score_calls_for_no_flag():
    assert flag_rules.wanted_kinds(None) == set()


def test_latest_is_by_assessment_date_then_attempt_not_by_recording_time():
    early, late = score(10, day=1), score(80, day=2)
    assert flag_rules.latest([late, early]) is late
    retake = replace(score(90, day=3), attempt=2)
    first = replace(score(40, day=3), first_recorded_at=retake.first_recorded_at + timedelta(hours=1))
    assert flag_rules.latest([retake, first]) is retake  # though attempt 1 was recorded after it


def test_assessment_override_beats_school_which_beats_the_event():
    event, school, assessment = flag_rules.Cuts(70, 90), flag_rules.Cuts(60, 85), flag_rules.Cuts(50, 80)
    assert flag_rules.effective_cuts(event, school, assessment) == assessment
    assert flag_rules.effective_cuts(event, school, None) == school
    assert flag_rules.effective_cuts(event, None, None) == event


def test_escalation_by_the_number_of_open_support_flags():
    policy = flag_rules.Escalation(open_flags=3)
    now = datetime(2026, 10, 1, tzinfo=UTC)
    assert (
        flag_rules.escalation_rule(policy, open_support=2, previous_resolved_at=None, flagged_at=now) is None
    )
    assert flag_rules.escalation_rule(policy, open_support=3, previous_resolved_at=None, flagged_at=now)


def test_escalation_by_a_reflag_within_the_window_only():
    policy = flag_rules.Escalation(open_flags=9, reflag_weeks=6)
    now = datetime(2026, 10, 1, tzinfo=UTC)
    inside, outside = now - timedelta(weeks=6), now - timedelta(weeks=6, days=1)
    assert flag_rules.escalation_rule(policy, open_support=1, previous_resolved_at=inside, flagged_at=now)
    assert (
        flag_rules.escalation_rule(policy, open_support=1, previous_resolved_at=outside, flagged_at=now)
        is None
    )


def test_tiers_stop_at_three():
    assert [flag_rules.tier_up(t) for t in (1, 2, 3)] == [2, 3, 3]


def test_school_days_skip_weekends():
    friday = date(2026, 11, 20)
    assert tier_rules.school_days_between(friday, friday + timedelta(days=3)) == 1  # Monday
    assert tier_rules.school_days_between(friday, friday + timedelta(days=14)) == 10
    assert tier_rules.school_days_between(friday, friday) == 0


def test_overdue_only_for_tier_two_or_three_without_intervention_after_k_days():
    policy = flag_rules.Escalation(overdue_school_days=5)
    monday = date(2026, 11, 16)
    assert tier_rules.is_overdue(2, monday, monday + timedelta(days=8), False, policy)
    assert not tier_rules.is_overdue(2, monday, monday + timedelta(days=7), False, policy)  # 5 school days
    assert not tier_rules.is_overdue(2, monday, monday + timedelta(days=8), True, policy)
    assert not tier_rules.is_overdue(1, monday, monday + timedelta(days=30), False, policy)


def test_slope_is_the_least_squares_fit():
    assert progress_rules.slope([(0, 1), (1, 3), (2, 5)]) == pytest.approx(2)
    assert progress_rules.slope([(0, 0), (1, 2), (2, 1)]) == pytest.approx(0.5)
    assert progress_rules.slope([(1, 1)]) is None
    assert progress_rules.slope([(1, 1), (1, 2)]) is None


def test_rate_of_improvement_is_per_week():
    start = date(2026, 9, 1)
    points = [(start + timedelta(weeks=w), 40 + 3 * w) for w in range(4)]
    assert progress_rules.rate_of_improvement(points) == pytest.approx(3)
    assert progress_rules.goal_rate(40, 70, start, start + timedelta(weeks=10)) == pytest.approx(3)


def test_distribution_against_80_15_5():
    got = tier_rules.distribution([1] * 7 + [2] * 2 + [3])
    assert got[1] == {"count": 7, "share": 0.7, "guidance": 0.8}
    assert got[3]["share"] == pytest.approx(0.1)
    assert tier_rules.distribution([])[2]["share"] == 0.0
