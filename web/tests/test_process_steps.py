"""Where a school stands on the PLC process chart, from the services' answers (pure): each step's status and
evidence; and the service's field errors put back on the forms' fields (rows of a list by their own key)."""

from web.client import ApiError
from web.process.service import chart, checklist_body, field_errors, lines, quality_body

EMPTY = {
    "foundation_version": None,
    "teams": [],
    "goals_active": {"school": 0, "team": 0},
    "cycles": {"open": 0, "closed": 0},
}
TEAM = {"team_id": "t1", "name": "Grade 4", "kind": "collaborative", "has_norms": True}


def by_id(steps):
    return {s.id: s for s in steps}


def test_a_school_with_nothing_has_every_step_not_started_and_says_what_is_missing():
    steps = by_id(chart("s1", EMPTY, [], []))
    assert [s.status for s in steps.values()] == ["Not started"] * 6
    assert steps["priorities"].evidence[0][0].startswith("No mission, vision")
    assert steps["teams"].evidence[0] == ("No leadership team yet", "/app/teams?school_id=s1")


def test_a_school_well_on_its_way_shows_each_steps_evidence():
    process = {
        "foundation_version": 3,
        "teams": [
            {**TEAM, "team_id": "lt", "name": "LT", "kind": "leadership", "has_norms": False, "issues": {}},
            {**TEAM, "issues": {"done": 4, "in progress": 2, "not started": 12}},
        ],
        "goals_active": {"school": 1, "team": 2},
        "cycles": {"open": 1, "closed": 1},
    }
    quality = [
        {"assessment_id": "cfa1", "kind": "common_formative", "rated": 5, "checked": True},
        {"assessment_id": "cfa2", "kind": "common_formative", "rated": 2, "checked": False},
        {"assessment_id": "bench", "kind": "benchmark", "rated": 0, "checked": False},
    ]
    pyramid = [{"tier": 2}, {"tier": 2}, {"tier": 3}]
    steps = by_id(chart("s 1", process, quality, pyramid))
    assert steps["priorities"].status == "In place"
    assert steps["priorities"].evidence[0][1] == "/app/schools/s%201/foundation"
    assert steps["teams"].status == "In place"
    assert ("Grade 4: 4 of 18 critical issues done, 2 in progress", "/app/teams/t1/practice") in steps[
        "teams"
    ].evidence
    assert steps["reality"].status == "In place"
    assert steps["reality"].evidence[0] == (
        "The school dashboard: the picture of the school in data",
        "/app/dashboard?school_id=s%201",
    )
    assert steps["assessments"].status == "Under way"
    assert (
        steps["assessments"].evidence[0][0]
        == "1 of 2 common formative assessment(s) checked against the five keys"
    )
    assert steps["goals"].status == "In place"
    assert steps["pyramid"].status == "In place"
    assert steps["pyramid"].evidence[0][0] == "3 intervention(s) in the pyramid (tier 2: 2, tier 3: 1)"
    assert steps["teams"].indicators == ("leadership.team", "teams.norms", "teams.critical_issues")


def test_a_pyramid_the_caller_may_not_read_is_said_so_not_counted_as_empty():
    step = by_id(chart("s1", EMPTY, [], None))["pyramid"]
    assert step.evidence == [("The pyramid is visible to the school's staff only", None)]


def test_field_errors_land_on_their_fields_rows_by_their_key_and_in_plain_words():
    problem = ApiError(
        422,
        {
            "title": "Unprocessable content",
            "errors": [
                {
                    "location": ["body", "mission"],
                    "message": "String should have at least 1 character",
                    "type": "string_too_short",
                },
                {"location": ["body", "values", 2], "message": "too long"},
                {"location": ["body", "ratings", 1, "note"], "message": "say what the team will change"},
            ],
        },
    )
    errors = field_errors(problem, ["clear_purpose", "sound_design"])
    assert errors == {
        "mission": "cannot be blank",
        "values": "too long",
        "note_sound_design": "say what the team will change",
    }
    assert field_errors(None) == {}


def test_the_forms_become_the_apis_bodies():
    assert lines(" a \n\n b\n") == ["a", "b"]
    body = checklist_body({"status_1": "done", "note_1": "agreed", "status_2": "in progress"})
    assert body["items"][0] == {"issue": 1, "status": "done", "note": "agreed"}
    assert body["items"][1] == {"issue": 2, "status": "in progress", "note": ""}
    assert len(body["items"]) == 18 and body["items"][17]["status"] == "not started"
    keys = ["clear_purpose", "sound_design"]
    assert quality_body({"rating_sound_design": "met", "note_clear_purpose": "x"}, keys) == {
        "ratings": [{"key": "sound_design", "rating": "met", "note": ""}]
    }
