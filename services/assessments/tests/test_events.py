"""The fast result-event serialiser writes what the event models would write."""

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from assessments import events
from assessments.roster.service import roster_events
from plc_shared.events import CloudEvent, parse_event
from plc_shared.events.assessments import ClassRostered, ResultCorrected, ResultRecorded

STANDARDS = [
    {
        "standard_id": "std-1",
        "code": "MATH.4.NF.1",
        "essential": True,
        "points": 9.0,
        "max_points": 10.0,
        "percent": 90.0,
        "proficiency_cut": 70.0,
        "mastery_cut": 90.0,
        "proficient": True,
        "mastered": True,
    }
]


def write(corrected: bool, **overrides):
    writer = events.ResultEventWriter("d-1", datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC))
    fields = dict(
        corrected=corrected,
        result_id=uuid.uuid4(),
        revision=2,
        student_id='st-"1"\\é',
        school_id="s-1",
        class_ids=["c-1", "c-2"],
        assessment=writer.assessment("a-1", 20, 70, 90.5),
        attempt=1,
        score_status="fully graded",
        total_score=15.0,
        percent=75.0,
        performance_level="proficient",
        standards_json=json.dumps(STANDARDS),
        assessed_on=date(2026, 11, 20),
    )
    fields.update(overrides)
    return fields, writer.row(**fields)


@pytest.mark.parametrize(("corrected", "model"), [(False, ResultRecorded), (True, ResultCorrected)])
def test_serialised_event_equals_the_model_output(corrected, model):
    fields, (event_id, topic, key, event_type, payload, _tp) = write(corrected)
    parsed = parse_event(payload)
    typed = parsed.payload()
    assert isinstance(typed, model)
    reference = json.loads(CloudEvent.wrap(typed, id=event_id, time=parsed.time).to_bytes())
    assert json.loads(payload) == reference
    assert (topic, key, event_type) == (model.topic, typed.key(), model.type)
    assert key == f"d-1/{fields['student_id']}"
    assert typed.student_id == fields["student_id"] and typed.mastery_cut == 90.5
    assert typed.standards[0].code == "MATH.4.NF.1" and typed.standards[0].mastered is True
    assert parsed.subject == f"results/{fields['result_id']}"
    assert typed.recorded_at == datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)


def test_unscored_result_serialises_nulls():
    _fields, row = write(False, total_score=None, percent=None, performance_level=None, standards_json="[]")
    typed = parse_event(row[4]).payload()
    assert (typed.total_score, typed.percent, typed.performance_level, typed.standards) == (
        None,
        None,
        None,
        [],
    )


def test_iso_matches_pydantic_for_utc():
    moment = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert events.iso(moment) == "2026-01-02T03:04:05.000006Z"


def test_a_rostered_class_is_published_with_ids_and_grades_only():
    row = {"district_id": "d1", "sourced_id": "c1", "school_id": "s1", "grades": ["04"], "status": "active",
           "title": "Math 4", "teacher_ids": ["t1"]}  # fmt: skip
    (event,) = roster_events("classes", [row], datetime(2026, 9, 1, tzinfo=UTC))
    assert isinstance(event, ClassRostered)
    assert (event.class_id, event.school_id, event.grades, event.key()) == ("c1", "s1", ["04"], "d1/c1")
    assert "title" not in event.model_dump()
