"""The fast result-event serialiser writes what the event models would write."""

import json
import uuid
from datetime import UTC, date, datetime

from assessments import events
from plc_shared.events import CloudEvent, parse_event
from plc_shared.events.assessments import ResultCorrected, ResultRecorded

RESULT_ID = uuid.uuid4()


def sample_data_json():
    return events.result_data_json(
        result_id=RESULT_ID,
        revision=2,
        student_id="st-1",
        district_id="d-1",
        school_id="s-1",
        class_ids=["c-1", "c-2"],
        assessment_id="a-1",
        attempt=1,
        score_status="fully graded",
        total_score=15.0,
        max_score=20,
        percent=75.0,
        performance_level="proficient",
        proficiency_cut=70,
        mastery_cut=90,
        standards_json=json.dumps(
            [
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
        ),
        assessed_on=date(2026, 11, 20),
        recorded_at=events.iso(datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)),
    )


def test_serialised_event_equals_the_model_output():
    for corrected, model in ((False, ResultRecorded), (True, ResultCorrected)):
        time = events.iso(datetime.now(UTC))
        event_id, topic, key, event_type, payload, _tp = events.result_outbox_row(
            corrected, sample_data_json(), result_id=RESULT_ID, student_id="st-1", time=time
        )
        parsed = parse_event(payload)
        typed = parsed.payload()
        assert isinstance(typed, model)
        reference = json.loads(CloudEvent.wrap(typed, id=event_id, time=parsed.time).to_bytes())
        assert json.loads(payload) == reference
        assert (topic, key, event_type) == (model.topic, "st-1", model.type)
        assert typed.standards[0].code == "MATH.4.NF.1" and typed.standards[0].mastered is True
        assert parsed.subject == f"results/{RESULT_ID}"


def test_iso_matches_pydantic_for_utc():
    moment = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert events.iso(moment) == "2026-01-02T03:04:05.000006Z"
