"""The pure rules, table-driven: rubric scoring, program rules, recognition, and the statistics against the
issue's test vectors."""

import pytest
from reviews.analytics import rules as stats
from reviews.program import rules as program
from reviews.recognition import rules as recognition
from reviews.rubrics.service import default_body
from reviews.site_reviews import rules as scoring

RUBRIC = {
    "strands": [
        {"id": "a", "indicators": [{"id": "a1", "evidence_required": [False, False, True, True]},
                                   {"id": "a2", "evidence_required": [False, True, True, True]}]},
        {"id": "b", "indicators": [{"id": "b1", "evidence_required": [False, False, False, True]}]},
    ]
}  # fmt: skip


@pytest.mark.parametrize(
    ("levels", "overall", "a", "b"),
    [
        ({"a1": 2, "a2": 2, "b1": 2}, (100.0, 0.6667), (100.0, 0.6667), (100.0, 0.6667)),
        ({"a1": 3, "a2": 3, "b1": 3}, (100.0, 1.0), (100.0, 1.0), (100.0, 1.0)),
        ({"a1": 0, "a2": 1, "b1": 3}, (33.3333, 0.4444), (0.0, 0.1667), (100.0, 1.0)),
        ({"a1": 1, "b1": 2}, (50.0, 0.5), (0.0, 0.3333), (100.0, 0.6667)),
        ({}, (None, None), (None, None), (None, None)),
    ],
)
def test_scores_per_strand_and_overall(levels, overall, a, b):
    got = scoring.score(RUBRIC, levels)
    cell = lambda c: (c["percent_proficient"], c["points"])  # noqa: E731
    got_cells = [cell(got["overall"]), cell(got["strands"]["a"]), cell(got["strands"]["b"])]
    for got_cell, want in zip(got_cells, (overall, a, b), strict=True):
        assert got_cell == (pytest.approx(want[0], abs=1e-4), pytest.approx(want[1], abs=1e-4))
    assert got["overall"]["n"] == len(levels)


@pytest.mark.parametrize(
    ("ratings", "missing"),
    [
        ({"a1": {"level": 2, "evidence": []}}, ["a1"]),
        ({"a1": {"level": 1, "evidence": []}}, []),
        ({"a2": {"level": 1, "evidence": []}, "b1": {"level": 2, "evidence": []}}, ["a2"]),
        ({"b1": {"level": 3, "evidence": ["x"]}}, []),
    ],
)
def test_missing_evidence_follows_the_level_flags(ratings, missing):
    assert scoring.missing_evidence(RUBRIC, ratings) == missing


def test_change_since_the_previous_review():
    before, now = (
        scoring.score(RUBRIC, {"a1": 1, "a2": 1, "b1": 1}),
        scoring.score(RUBRIC, {"a1": 2, "a2": 3, "b1": 1}),
    )
    change = scoring.change(now, before)
    assert change["overall"] == {
        "percent_proficient": pytest.approx(66.6667, abs=1e-4),
        "points": pytest.approx(0.3333, abs=1e-4),
    }
    assert change["strands"]["b"] == {"percent_proficient": 0.0, "points": 0.0}
    assert scoring.change(now, None) is None


def test_the_default_rubric_has_six_strands_four_levels_and_targets_every_training_year():
    body = default_body()
    assert [s["id"] for s in body["strands"]] == [
        "culture",
        "leadership",
        "teams",
        "learn",
        "know",
        "respond",
    ]
    indicators = [i for s in body["strands"] for i in s["indicators"]]
    assert all(len(i["descriptors"]) == 4 and len(i["evidence_required"]) == 4 for i in indicators)
    assert {y for i in indicators for y in i["targeted_years"]} == {"1", "2", "3", "continuing"}


@pytest.mark.parametrize(
    ("entry", "year", "expected"),
    [(2026, 2025, None), (2026, 2026, "1"), (2026, 2027, "2"), (2026, 2028, "3"), (2026, 2029, "continuing"), (2020, 2026, "continuing")],
)  # fmt: skip
def test_training_year(entry, year, expected):
    assert program.training_year(entry, year) == expected


@pytest.mark.parametrize(
    ("in_program", "buildings", "expected"),
    [(1, 1, True), (1, 2, False), (2, 3, True), (2, 4, False), (3, 4, True), (5, 5, True), (0, 4, False), (3, None, True), (3, 2, True)],
)  # fmt: skip
def test_district_implementation_is_all_or_a_majority_of_the_buildings(in_program, buildings, expected):
    assert program.district_implementation(in_program, buildings) is expected


@pytest.mark.parametrize(
    ("roles", "violations"),
    [
        (["administrator", "teacher", "teacher", "teacher"], 0),
        (["administrator", "teacher", "teacher"], 1),
        (["teacher"] * 4, 1),
        (["teacher"] * 7, 2),
    ],
)
def test_leadership_rule(roles, violations):
    assert len(program.leadership_violations(roles)) == violations


IDS = ["a1", "a2", "b1"]
MET = recognition.Achievement("percent_proficient", 75.0, 70.0, 100)
LOW = recognition.Achievement("percent_proficient", 60.0, 70.0, 100)
NONE = recognition.Achievement("percent_proficient", None, 70.0)
STATE_MET = recognition.Achievement("state_result", 1.0, 1.0, 1)
STATE_NOT_MET = recognition.Achievement("state_result", 0.0, 1.0, 1)
STATE_NONE = recognition.Achievement("state_result", None, 1.0)
GOALS_MET = recognition.Achievement("goals_achieved", 75.0, 70.0, 4)
GOALS_LOW = recognition.Achievement("goals_achieved", 50.0, 70.0, 4)
GOALS_NONE = recognition.Achievement("goals_achieved", None, 70.0)


def standing(year=2026, levels=None, achievement=MET, narrative=True, history=()):
    levels = {i: 2 for i in IDS} if levels is None else levels
    return recognition.Standing(year, levels, IDS, achievement, narrative, list(history))


@pytest.mark.parametrize(
    ("s", "level", "unmet"),
    [
        (standing(), "exemplary", []),
        (standing(levels={"a1": 3, "a2": 2, "b1": 3}), "exemplary", []),
        (standing(levels={"a1": 2, "a2": 1, "b1": 2}), None, ["indicators below Proficient on the 2026 site review: a2"]),
        (standing(levels={"a1": 2, "a2": 2}), None, ["indicators below Proficient on the 2026 site review: b1"]),
        (standing(achievement=LOW), None, ["percent proficient 60 below 70 in 2026"]),
        (standing(achievement=NONE), None, ["no percent proficient data for 2026"]),
        (standing(narrative=False), None, ["no reflective narrative for 2026"]),
        (standing(None), None, ["no finalized site review"]),
        (standing(achievement=STATE_MET), "exemplary", []),
        (standing(achievement=STATE_NOT_MET), None, ["state-accountability target not met in 2026"]),
        (standing(achievement=STATE_NONE), None, ["no state-accountability result entered for 2026"]),
        (standing(achievement=GOALS_MET), "exemplary", []),
        (standing(achievement=GOALS_LOW), None, ["goals achieved 50 % below 70 % in 2026"]),
        (standing(achievement=GOALS_NONE), None, ["no SMART goals achieved or missed in 2026"]),
        (standing(2029, history=[2026]), "sustaining", []),
        (standing(2028, history=[2026]), None, ["a site review in 2029 or later (3 years after 2026)"]),
        (standing(2026, history=[2026]), None, ["a site review in 2029 or later (3 years after 2026)"]),
        (standing(2032, history=[2026, 2029]), "sustaining", []),
    ],
)  # fmt: skip
def test_recognition_and_its_unmet_criteria(s, level, unmet):
    assert recognition.recognition(s, 3) == level
    assert recognition.unmet(s, 3) == unmet


@pytest.mark.parametrize(("k", "n", "interval"), [(127, 181, (0.631, 0.764)), (47, 50, (0.838, 0.979))])
def test_wilson_intervals(k, n, interval):
    assert stats.wilson(k, n) == pytest.approx(list(interval), abs=0.0005)


def test_the_seeds_comparison_is_significant():
    r = stats.compare((127, 181), (47, 50), labels=("program", "exemplary"), districts=40)
    assert r["z"] == pytest.approx(3.46, abs=0.005)
    assert r["p"] == pytest.approx(0.0005, abs=0.00005)
    assert r["fisher_p"] == pytest.approx(0.0003, abs=0.00005)
    assert r["newcombe_95"] == pytest.approx([0.119, 0.319], abs=0.0005)
    assert r["significant"] and "significant at the 5 % level" in r["verdict"] and "cluster" in r["verdict"]
    assert "not significant" not in r["verdict"]


def test_a_small_difference_is_reported_not_significant():
    r = stats.compare((14, 20), (15, 16), labels=("a", "b"), districts=5)
    assert r["p"] == pytest.approx(0.074, abs=0.0005)
    assert r["fisher_p"] == pytest.approx(0.104, abs=0.0005)
    assert not r["significant"] and "not significant" in r["verdict"]


def test_an_empty_group_is_not_compared():
    assert stats.compare((3, 10), (0, 0), labels=("a", "b"), districts=1)["difference"] is None


def test_correlation_with_fisher_z_intervals():
    x = [10.0, 20, 30, 40, 50, 60, 70, 80]
    y = [12.0, 25, 29, 45, 48, 66, 69, 85]
    r = stats.correlate(x, y, districts=3)
    assert r["pearson"]["r"] > 0.98 and r["spearman"]["r"] == pytest.approx(1.0)
    lo, hi = r["pearson"]["fisher_z_95"]
    assert lo < r["pearson"]["r"] < hi and r["n"] == 8
    assert stats.correlate([1.0, 2.0], [1.0, 2.0], districts=1)["pearson"] is None
