"""Outbox rows for result events, serialised without building pydantic models.

Validating and dumping a ResultRecorded and its CloudEvent envelope through pydantic costs ~30 us per event,
more than everything else a bulk row needs: a 50,000-row upload would spend 1.5 s on it. `ResultEventWriter`
fills one JSON template per event instead (strings escaped by the json module's C escaper, floats written
with `repr` as `json` does) and the rows go in with one COPY. What is the same for every event of a request
(the envelope's type, time, schema, the district) is in the template it makes per event kind, and the score
fields are encoded once per distinct score (`scores`): a row then costs one id, a few escaped strings and one
`%`. tests/test_events.py parses what it writes and compares it with `CloudEvent.wrap(ResultRecorded(...))`
field by field, and validates it against the models. Events raised once per request (publish, close, void)
use the models and `outbox.add`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from json.encoder import encode_basestring as _string

from plc_shared.events.assessments import SOURCE, ResultCorrected, ResultRecorded
from plc_shared.events.envelope import schema_url
from plc_shared.ids import new_id_text
from plc_shared.observability import current_traceparent

# The envelope and the data, in the models' field order; `{…}` are filled once per writer and kind, `%s`/`%d`
# per event (event id, result id twice, revision, student, school, class ids, assessment, attempt, the score
# fields, assessed on).
_TEMPLATE = (
    '{{"specversion":"1.0","id":"%s","source":{source},"type":"{type}","subject":"results/%s",'
    '"time":"{time}","datacontenttype":"application/json","dataschema":"{schema}","data":{{'
    '"result_id":"%s","revision":%d,"student_id":%s,"district_id":{district},"school_id":%s,"class_ids":%s,'
    '"assessment_id":%s,"attempt":%d,%s,"assessed_on":"%s","recorded_at":"{time}"}}}}'
)
_SCORES = (
    '"score_status":%s,"total_score":%s,"max_score":%s,"percent":%s,"performance_level":%s,'
    '"proficiency_cut":%s,"mastery_cut":%s,"standards":%s'
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


def _literal(text: str) -> str:
    """`text` as a constant part of a %-template."""
    return text.replace("%", "%%")


class ResultEventWriter:
    """Outbox rows for the result events of one request (one district, one commit time)."""

    def __init__(self, district_id: str, recorded_at: datetime) -> None:
        self.district = _string(district_id)
        self.key_prefix = f"{district_id}/"  # the models' key(): district id/student id
        self.time = iso(recorded_at)
        self.traceparent = current_traceparent.get()
        self._assessments: dict[str, tuple[str, str, str, str]] = {}
        self._kinds = {
            corrected: (
                _TEMPLATE.format(
                    source=_literal(_string(SOURCE)),
                    type=_literal(event_type),
                    time=_literal(self.time),
                    schema=_literal(schema_url(event_type)),  # the configured catalog URL
                    district=_literal(self.district),
                ),
                event_type,
                topic,
            )
            for corrected, (event_type, topic) in _KINDS.items()
        }
        self._scores: dict[tuple, str] = {}
        self._strings: dict[str, str] = {}  # schools, as JSON strings
        self._dates: dict[date, str] = {}

    def assessment(self, assessment_id: str, max_score: float, proficiency_cut: float, mastery_cut: float):
        """The per-assessment parts of the template, encoded once per request."""
        consts = self._assessments.get(assessment_id)
        if consts is None:
            consts = (_string(assessment_id), number(max_score), number(proficiency_cut), number(mastery_cut))
            self._assessments[assessment_id] = consts
        return consts

    def scores(
        self,
        assessment: tuple[str, str, str, str],
        score_status: str,
        total_score: float | None,
        percent: float | None,
        performance_level: str | None,
        standards_json: str,
    ) -> str:
        """The score fields of an event (status to standards), encoded once per distinct set in a request."""
        # 0.0 and -0.0 are equal keys but print differently: a zero is keyed by its text.
        key = (
            assessment,
            score_status,
            total_score if total_score else repr(total_score),
            percent if percent else repr(percent),
            performance_level,
            standards_json,
        )
        encoded = self._scores.get(key)
        if encoded is None:
            _assessment_id, max_score, proficiency_cut, mastery_cut = assessment
            encoded = _SCORES % (
                _string(score_status),
                number(total_score),
                max_score,
                number(percent),
                text_or_null(performance_level),
                proficiency_cut,
                mastery_cut,
                standards_json,
            )
            self._scores[key] = encoded
        return encoded

    def event(
        self,
        corrected: bool,
        result_id: uuid.UUID,
        revision: int,
        student_id: str,
        school_id: str,
        class_ids: list[str],
        assessment: tuple[str, str, str, str],
        attempt: int,
        scores: str,
        assessed_on: date,
    ) -> tuple:
        """(event_id, topic, key, event_type, payload, traceparent) for the outbox COPY; `scores` from
        `scores()`. The event id is the text of a new id (the COPY takes it for the uuid column)."""
        template, event_type, topic = self._kinds[corrected]
        school = self._strings.get(school_id)
        if school is None:
            school = self._strings[school_id] = _string(school_id)
        day = self._dates.get(assessed_on)
        if day is None:
            day = self._dates[assessed_on] = assessed_on.isoformat()
        event_id, result = new_id_text(), str(result_id)
        payload = template % (
            event_id,
            result,
            result,
            revision,
            _string(student_id),
            school,
            "[" + ",".join(map(_string, class_ids)) + "]",
            assessment[0],
            attempt,
            scores,
            day,
        )
        return (event_id, topic, self.key_prefix + student_id, event_type, payload.encode(), self.traceparent)

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
        """One event's outbox row from its fields (`event` with `scores`)."""
        scores = self.scores(
            assessment, score_status, total_score, percent, performance_level, standards_json
        )
        return self.event(
            corrected,
            result_id,
            revision,
            student_id,
            school_id,
            class_ids,
            assessment,
            attempt,
            scores,
            assessed_on,
        )
