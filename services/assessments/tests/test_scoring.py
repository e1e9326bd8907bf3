"""Scoring rules without I/O: percent, Ed-Fi performance levels, per-standard proficient/mastered, scores."""

import math
from datetime import date

import pytest
from assessments.results.rules import RowInvalid, parse_row
from assessments.rules import (
    AssessmentDef,
    ItemDef,
    Level,
    ObjectiveDef,
    StandardInfo,
    check_score,
    levels_overlap,
    percent,
    performance_level,
    standard_scores,
)

LEVELS = (
    Level("below", 0, 10),
    Level("approaching", 10, 14),
    Level("proficient", 14, 18),
    Level("advanced", 18, None),
)


def test_percent_rounds_to_two_decimals():
    assert percent(2, 3) == 66.67
    assert percent(20, 20) == 100.0
    assert percent(0, 20) == 0.0


def test_percent_refuses_a_zero_maximum():
    with pytest.raises(ValueError):
        percent(1, 0)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, "below"),
        (9.99, "below"),
        (10, "approaching"),
        (13.9, "approaching"),
        (14, "proficient"),
        (17.99, "proficient"),
        (18, "advanced"),
        (20, "advanced"),
    ],
)
def test_performance_level_minimum_inclusive_maximum_exclusive(score, level):
    assert performance_level(score, LEVELS) == level


def test_performance_level_none_when_no_level_covers_the_score():
    assert performance_level(5, (Level("top", 10, 20),)) is None
    assert performance_level(20, (Level("top", 10, 20),)) is None  # maximum is exclusive


def test_levels_overlap_detects_overlap_and_inversion():
    assert levels_overlap(LEVELS) is None
    assert "overlap" in levels_overlap((Level("a", 0, 11), Level("b", 10, None)))
    assert "overlap" in levels_overlap((Level("a", 0, None), Level("b", 10, None)))
    assert "maximum <= minimum" in levels_overlap((Level("a", 5, 5),))


def _assessment() -> AssessmentDef:
    return AssessmentDef(
        id="a1",
        max_score=20,
        proficiency_cut=70,
        mastery_cut=90,
        levels=LEVELS,
        objectives={
            "o1": ObjectiveDef("o1", 10, ("s1",), proficiency_cut=80, mastery_cut=95),
            "o2": ObjectiveDef("o2", 10, ("s2", "s3")),
        },
        items={"i1": ItemDef("i1", 2, "s2"), "i2": ItemDef("i2", 3, "s2"), "i3": ItemDef("i3", 5, None)},
        standards={"s1": StandardInfo("s1", "MATH.4.NF.1", essential=True)},
    )


def test_standard_scores_from_objectives_use_the_objective_cuts():
    scores = {s["standard_id"]: s for s in standard_scores(_assessment(), {"o1": 8, "o2": 7}, {})}
    assert set(scores) == {"s1", "s2", "s3"}
    s1 = scores["s1"]
    assert (s1["code"], s1["essential"], s1["percent"]) == ("MATH.4.NF.1", True, 80.0)
    assert (s1["proficiency_cut"], s1["mastery_cut"]) == (80, 95)
    assert s1["proficient"] is True and s1["mastered"] is False
    s3 = scores["s3"]  # o2 has no cuts of its own: the assessment's apply
    assert (s3["percent"], s3["proficiency_cut"], s3["proficient"]) == (70.0, 70, True)


def test_item_scores_take_precedence_over_objective_scores_for_a_standard():
    scores = {s["standard_id"]: s for s in standard_scores(_assessment(), {"o2": 10}, {"i1": 1, "i2": 1})}
    assert (scores["s2"]["points"], scores["s2"]["max_points"], scores["s2"]["percent"]) == (2, 5, 40.0)
    assert scores["s2"]["proficient"] is False
    assert scores["s3"]["percent"] == 100.0 and scores["s3"]["mastered"] is True


def test_mastered_at_exactly_the_mastery_cut():
    assessment = _assessment()
    (s1,) = standard_scores(assessment, {"o1": 9.5}, {})
    assert s1["percent"] == 95.0 and s1["mastered"] is True


def test_unaligned_items_give_no_standard_score():
    assert standard_scores(_assessment(), {}, {"i3": 5}) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0.0), (20, 20.0), ("12.5", 12.5), (7, 7.0)],
)
def test_check_score_accepts_numbers_in_range(value, expected):
    assert check_score(value, 20) == (expected, None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (21, "outside 0..20"),
        (-1, "outside 0..20"),
        ("abc", "not numeric"),
        (None, "not numeric"),
        (True, "not numeric"),
        ([1], "not numeric"),
        (math.nan, "not a finite number"),
        ("inf", "not a finite"),
    ],
)
def test_check_score_rejects_bad_values_with_a_reason(value, reason):
    score, why = check_score(value, 20)
    assert score is None and reason in why


def test_item_scores_use_the_cuts_of_the_items_objective():
    assessment = AssessmentDef(
        id="a2",
        max_score=10,
        proficiency_cut=70,
        mastery_cut=90,
        objectives={"o": ObjectiveDef("o", 10, ("s",), proficiency_cut=80, mastery_cut=95)},
        items={"q": ItemDef("q", 10, "s", objective="o")},
    )
    (score,) = standard_scores(assessment, {}, {"q": 7.5})
    assert (score["proficiency_cut"], score["mastery_cut"], score["proficient"]) == (80, 95, False)


def test_cached_score_check_keeps_true_apart_from_one():
    from assessments.results.rules import check_score_cached as _check_score

    assert _check_score(1, 5) == (1.0, None)
    assert _check_score(True, 5)[0] is None
    assert _check_score(1.0, 5) == (1.0, None)


def test_a_total_alone_scores_the_standard_of_a_single_standard_assessment_against_its_cuts():
    single = AssessmentDef(
        id="cfa",
        max_score=20,
        proficiency_cut=70,
        mastery_cut=90,
        objectives={"o1": ObjectiveDef("o1", 10, ("s1",), proficiency_cut=80, mastery_cut=95)},
        items={"q1": ItemDef("q1", 10, "s1", "o1")},
        standards={"s1": StandardInfo("s1", "MATH.4.NF.1", essential=True)},
    )
    (s1,) = standard_scores(single, {}, {}, total_score=13)
    assert (s1["standard_id"], s1["code"], s1["essential"]) == ("s1", "MATH.4.NF.1", True)
    assert (s1["points"], s1["max_points"], s1["percent"]) == (13, 20, 65.0)
    assert (s1["proficiency_cut"], s1["mastery_cut"], s1["proficient"]) == (70, 90, False)
    assert standard_scores(single, {}, {}, total_score=18)[0]["mastered"] is True
    # part scores decide whenever there are some: the total is ignored then
    (from_items,) = standard_scores(single, {}, {"q1": 10}, total_score=0)
    assert from_items["percent"] == 100.0


def test_a_total_alone_cannot_be_apportioned_between_several_standards():
    assert standard_scores(_assessment(), {}, {}, total_score=15) == []


@pytest.mark.parametrize("status", [[], {}, 1, None])
def test_a_row_whose_score_status_is_not_text_is_rejected_not_a_crash(status):
    row = {"assessment_id": "a", "student_id": "s", "score_status": status}
    with pytest.raises(RowInvalid) as raised:
        parse_row(0, row, date(2026, 1, 1))
    assert raised.value.field == "score_status"
