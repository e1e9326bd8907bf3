"""Outbox rows for result events, serialised without building pydantic models.

Validating and dumping a ResultRecorded and its CloudEvent envelope through pydantic costs ~30 us per event,
more than everything else a bulk row needs: a 50,000-row upload would spend 1.5 s on it. `ResultEventWriter`
fills one JSON template per event instead (strings escaped by the json module's C escaper, floats written
with `repr` as `json` does) and the rows go in with one COPY. tests/test_events.py parses what it writes and
compares it with `CloudEvent.wrap(ResultRecorded(...))` field by field, and validates it against the models.
Events raised once per request (publish, close, void) use the models and `outbox.add`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from json.encoder import encode_basestring as _string

from plc_shared.events.assessments import SOURCE, ResultCorrected, ResultRecorded
from plc_shared.events.envelope import schema_url
from plc_shared.ids import new_id
from plc_shared.observability import current_traceparent

_TEMPLATE = (
    '{"specversion":"1.0","id":"%s","source":' + _string(SOURCE) + ',"type":"%s","subject":"results/%s",'
    '"time":"%s","datacontenttype":"application/json","dataschema":"%s","data":{'
    '"result_id":"%s","revision":%d,"student_id":%s,"district_id":%s,"school_id":%s,"class_ids":%s,'
    '"assessment_id":%s,"attempt":%d,"score_status":%s,"total_score":%s,"max_score":%s,"percent":%s,'
    '"performance_level":%s,"proficiency_cut":%s,"mastery_cut":%s,"standards":%s,"assessed_on":"%s",'
    '"recorded_at":"%s"}}'
)
_KINDS = {
    False: (ResultRecorded.type, ResultRecorded.topic),
    True: (ResultCorrected.type, ResultCorrected.topic),
}


def iso(moment: datetime) -> str:
    """pydantic's JSON form of an aware UTC datetime (`Z`, not `+00:00`)."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def number(value: float | None) -> str:
    return "null" if value is None else repr(float(value))


def text_or_null(value: str | None) -> str:
    return "null" if value is None else _string(value)


class ResultEventWriter:
    """Outbox rows for the result events of one request (one district, one commit time)."""

    def __init__(self, district_id: str, recorded_at: datetime) -> None:
        self.district = _string(district_id)
        self.key_prefix = f"{district_id}/"  # the models' key(): district id/student id
        self.time = iso(recorded_at)
        self.traceparent = current_traceparent.get()
        self._assessments: dict[str, tuple[str, str, str, str]] = {}

    def assessment(self, assessment_id: str, max_score: float, proficiency_cut: float, mastery_cut: float):
        """The per-assessment parts of the template, encoded once per request."""
        consts = self._assessments.get(assessment_id)
        if consts is None:
            consts = (_string(assessment_id), number(max_score), number(proficiency_cut), number(mastery_cut))
            self._assessments[assessment_id] = consts
        return consts

    def row(
        self,
        *,
        corrected: bool,
        result_id: uuid.UUID,
        revision: int,
        student_id: str,
        school_id: str,
        class_ids: list[str],
        assessment: tuple[str, str, str, str],
        attempt: int,
        score_status: str,
        total_score: float | None,
        percent: float | None,
        performance_level: str | None,
        standards_json: str,
        assessed_on: date,
    ) -> tuple:
        """(event_id, topic, key, event_type, payload, traceparent) for the outbox COPY."""
        event_type, topic = _KINDS[corrected]
        schema = schema_url(event_type)  # cached: the configured catalog URL
        event_id = new_id()
        assessment_id, max_score, proficiency_cut, mastery_cut = assessment
        payload = _TEMPLATE % (
            event_id,
            event_type,
            result_id,
            self.time,
            schema,
            result_id,
            revision,
            _string(student_id),
            self.district,
            _string(school_id),
            "[" + ",".join(map(_string, class_ids)) + "]",
            assessment_id,
            attempt,
            _string(score_status),
            number(total_score),
            max_score,
            number(percent),
            text_or_null(performance_level),
            proficiency_cut,
            mastery_cut,
            standards_json,
            assessed_on.isoformat(),
            self.time,
        )
        key = self.key_prefix + student_id
        return (event_id, topic, key, event_type, payload.encode(), self.traceparent)
