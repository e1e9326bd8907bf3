"""Outbox rows for result events, serialised without building pydantic models.

Validating and dumping a ResultRecorded and its CloudEvent envelope through pydantic costs ~30 µs per event,
more than everything else a bulk row needs; a 50,000-row upload would spend 1.5 s on it. These functions write
the JSON that `CloudEvent.wrap(ResultRecorded(...)).to_bytes()` writes (tests/test_events.py parses
both and compares them, and validates ours against the event models), and the rows go in with one COPY.
Events raised once per request (publish, close, void) use the models and `outbox.add`.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from plc_shared.events.assessments import SOURCE, ResultCorrected, ResultRecorded
from plc_shared.events.envelope import SCHEMA_BASE
from plc_shared.observability import current_traceparent

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def iso(moment: datetime) -> str:
    """pydantic's JSON form of an aware UTC datetime (`Z`, not `+00:00`)."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def result_data(
    *,
    result_id: uuid.UUID,
    revision: int,
    student_id: str,
    district_id: str,
    school_id: str,
    class_ids: list[str],
    assessment_id: str,
    attempt: int,
    score_status: str,
    total_score: float | None,
    max_score: float,
    percent: float | None,
    performance_level: str | None,
    proficiency_cut: float,
    mastery_cut: float,
    standards: list[dict[str, Any]],
    assessed_on: date,
    recorded_at: str,
) -> dict[str, Any]:
    """The `data` of ResultRecorded / ResultCorrected, in JSON form (recorded_at already ISO text)."""
    return {
        "result_id": str(result_id),
        "revision": revision,
        "student_id": student_id,
        "district_id": district_id,
        "school_id": school_id,
        "class_ids": class_ids,
        "assessment_id": assessment_id,
        "attempt": attempt,
        "score_status": score_status,
        "total_score": total_score,
        "max_score": float(max_score),
        "percent": percent,
        "performance_level": performance_level,
        "proficiency_cut": float(proficiency_cut),
        "mastery_cut": float(mastery_cut),
        "standards": standards,
        "assessed_on": assessed_on.isoformat(),
        "recorded_at": recorded_at,
    }


def result_data_json(*, standards_json: str, **fields: Any) -> str:
    """`result_data` as JSON text, splicing in the standards already encoded for the results row."""
    data = result_data(standards=[], **fields)
    del data["standards"]
    return _dumps(data)[:-1] + ',"standards":' + standards_json + "}"


_ENVELOPE = (
    '{"specversion":"1.0","id":"%s","source":' + json.dumps(SOURCE) + ',"type":"%s","subject":"results/%s",'
    '"time":"%s","datacontenttype":"application/json","dataschema":"%s","data":%s}'
)


def result_outbox_row(
    corrected: bool, data_json: str, *, result_id: uuid.UUID, student_id: str, time: str
) -> tuple:
    """(event_id, topic, key, event_type, payload, traceparent) for the outbox COPY."""
    event = ResultCorrected if corrected else ResultRecorded
    event_id = uuid.uuid4()
    schema = f"{SCHEMA_BASE}{event.type}.json"
    payload = (_ENVELOPE % (event_id, event.type, result_id, time, schema, data_json)).encode()
    return (event_id, event.topic, student_id, event.type, payload, current_traceparent.get())
