"""What the goal pages say about a PDSA study and a goal's versions, from the service's numbers."""

from __future__ import annotations

import pytest
from web.goals.service import EditForm, GoalForm, study_words, version_changes


def run(n, longest, crossings, run_limit, cross_limit, median=50.0):
    return {"n": n, "median": median, "longest_run": longest, "crossings": crossings,
            "longest_run_limit": run_limit, "crossings_limit": cross_limit,
            "shift": run_limit is not None and longest > run_limit,
            "too_few_crossings": cross_limit is not None and crossings < cross_limit}  # fmt: skip


def study(observed, predicted, run_chart, points=10):
    diff = None if observed is None or predicted is None else observed - predicted
    pts = [{"on": "2026-10-01", "value": 50.0, "n": 20}] * points
    return {
        "observed": observed,
        "predicted": predicted,
        "difference": diff,
        "run_chart": run_chart,
        "points": pts,
    }


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (study(62.0, 60.0, run(10, 7, 4, 6, 2)), ["2 points above the prediction of 60 %", "Shift: 7 points in a row",
                                                  "more than 6 in a row"]),
        (study(55.5, 60.0, run(12, 3, 2, 7, 3)), ["4.5 points below the prediction of 60 %", "Too few crossings",
                                                  "only 2 times; fewer than 3"]),
        (study(60.0, 60.0, run(12, 3, 6, 7, 3), points=12), ["60 %: exactly at the prediction", "No signal yet: over 12 points"]),
        (study(60.0, 60.0, run(1, 1, 0, None, None), points=1), ["With 1 progress point in the cycle",
                                                                "needs more results"]),
    ],
)  # fmt: skip
def test_a_study_is_said_in_a_teachers_words(case, expected):
    words = " ".join(study_words(case))
    for phrase in expected:
        assert phrase in words, words
    both = study(62.0, 60.0, run(24, 9, 5, 8, 8))
    assert [w.split(":")[0] for w in study_words(both)[1:]] == ["Shift", "Too few crossings"]


def test_versions_newest_first_say_what_changed():
    v1 = {"version": 1, "title": "t", "target": 80.0, "start": "2026-09-01", "deadline": "2027-05-31",
          "interim_targets": [], "measure": {"kind": "proficient", "assessment_id": "a"}}  # fmt: skip
    v2 = {**v1, "version": 2, "target": 85.0, "interim_targets": [{"on": "2027-01-15", "value": 60.0}]}
    v3 = {**v2, "version": 3, "measure": {"kind": "proficient", "standard_id": "s"}}
    listed = version_changes([v1, v2, v3])
    assert [v["version"] for v in listed] == [3, 2, 1]
    assert listed[2]["changes"] == ["first version"]
    assert listed[1]["changes"] == ["target: 80 → 85", "interim targets: none → 60 by 2027-01-15"]
    assert listed[0]["changes"][0].startswith("measure: Percent of students proficient on an assessment → ")
    assert "on a standard" in listed[0]["changes"][0]


def test_a_team_goal_form_covers_the_teams_classes_and_each_measure_kind():
    form = GoalForm(school_id="s1", team_id="t1", parent_goal_id="g1", measure_kind="growth",
                    pre_assessment_id="a1", post_assessment_id="a2", min_growth="10", target="60")  # fmt: skip
    body = form.body()
    assert body["population"] == {"kind": "team"} and body["parent_goal_id"] == "g1"
    assert body["measure"] == {"kind": "growth", "pre_assessment_id": "a1", "post_assessment_id": "a2",
                               "min_growth": 10.0}  # fmt: skip
    assert GoalForm(measure_kind="standard", standard_id="s").measure() == {
        "kind": "proficient",
        "standard_id": "s",
    }
    assert GoalForm(measure_kind="support_exit").measure() == {"kind": "support_exit"}
    assert GoalForm(grades="03, 04").body()["population"] == {"kind": "grades", "grades": ["03", "04"]}


def test_an_edit_sends_only_what_changed():
    goal = {
        "title": "t",
        "target": 80.0,
        "start": "2026-09-01",
        "deadline": "2027-05-31",
        "interim_targets": [],
    }
    same = EditForm(title="t ", target=80, start="2026-09-01", deadline="2027-05-31", interim_value=[""],
                    interim_on=[""])  # fmt: skip
    assert same.changes(goal) == {}
    edited = EditForm(title="t", target=85, start="2026-09-01", deadline="2027-05-31",
                      interim_value=["60", ""], interim_on=["2027-01-15", ""])  # fmt: skip
    assert edited.changes(goal) == {"target": 85.0, "interim_targets": [{"on": "2027-01-15", "value": 60.0}]}
