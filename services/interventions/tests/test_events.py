"""The event contract of this service."""

import re
import uuid
from datetime import UTC, date, datetime

import pytest
from interventions.pyramid.rules import exit_reason_code
from plc_shared.events import CloudEvent, parse_event
from plc_shared.events.interventions import (
    FlagResolved,
    InterventionAssigned,
    StudentExited,
    StudentExitedV2,
    StudentFlagged,
    TierChanged,
)
from plc_shared.topics import FLAGS

NOW = datetime(2026, 10, 1, tzinfo=UTC)
WHO = {"student_id": "stu-1", "district_id": "d-1", "school_id": "s-1"}
EXAMPLES = [
    StudentFlagged(
        **WHO,
        flag_id=uuid.uuid4(),
        kind="support",
        standard_id="A",
        result_id=uuid.uuid4(),
        result_revision=1,
        assessment_id="a-1",
        score=40,
        cut=70,
        rule="support: percent < proficiency cut",
        flagged_at=NOW,
    ),
    FlagResolved(
        **WHO, flag_id=uuid.uuid4(), kind="support", standard_id="A", reason="decision", resolved_at=NOW
    ),
    TierChanged(**WHO, from_tier=1, to_tier=2, reason="escalation", rule="x", changed_at=NOW),
    InterventionAssigned(
        **WHO,
        assignment_id=uuid.uuid4(),
        intervention_id=uuid.uuid4(),
        tier=2,
        directive=True,
        start_on=date(2026, 10, 1),
        planned_weeks=6,
        assigned_at=NOW,
    ),
    StudentExited(  # v1: no longer published, still readable
        **WHO,
        assignment_id=uuid.uuid4(),
        intervention_id=uuid.uuid4(),
        reason="goal met",
        evidence="3 results above the cut",
        exited_on=date(2026, 11, 1),
    ),
    StudentExitedV2(
        **WHO,
        assignment_id=uuid.uuid4(),
        intervention_id=uuid.uuid4(),
        reason_code="goal_met",
        exited_on=date(2026, 11, 1),
    ),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_is_versioned_on_the_flags_topic_keyed_by_district_and_student_and_round_trips(event):
    assert re.fullmatch(r"org\.plc\.interventions\.[a-z]+\.[a-z]+\.v[12]", event.type)
    assert (event.topic, event.key()) == (FLAGS.name, "d-1/stu-1")
    assert parse_event(CloudEvent.wrap(event).to_bytes()).payload() == event


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_no_event_has_a_field_for_names(event):
    assert not [f for f in type(event).model_fields if "name" in f]


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("Goal met", "goal_met"),
        ("  goal   MET ", "goal_met"),
        ("Goal not met: a more intensive intervention", "goal_not_met_more_intensive"),
        ("Goal not met: a different intervention", "goal_not_met_different"),
        ("Left the school", "left_school"),
        ("left_school", "left_school"),
        ("Ana moved to her aunt's in Ohio", "other"),
        ("", "other"),
    ],
)
def test_an_exit_reason_becomes_the_code_its_event_carries(said, code):
    assert exit_reason_code(said) == code
