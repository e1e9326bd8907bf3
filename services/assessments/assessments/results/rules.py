"""Result rules, pure: parsing a written row, checking and scoring it against its assessment, comparing it with
the stored result, and the rows the pipeline (service.Ingest) stores and sends. No I/O."""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, get_args

from plc_shared.events.assessments import ScoreStatus
from plc_shared.schemas import ID_MAX, TEXT_MAX, is_id, text_problem

from assessments import events, rules
from assessments.exceptions import NoResultToMatch, StaleResult

if TYPE_CHECKING:
    from assessments.catalog.service import Loaded

SCORE_STATUSES = frozenset(get_args(ScoreStatus))
UNSCORED = frozenset({"exempt", "not submitted"})
FIELDS = frozenset(
    {
        "assessment_id",
        "student_id",
        "attempt",
        "score_status",
        "total_score",
        "objective_scores",
        "item_scores",
        "assessed_on",
        "school_id",
        "source_modified_at",
    }
)
# The OneRoster paths (CSV import, gradebook binding) also carry the result's identity and its text parts.
ONEROSTER_FIELDS = FIELDS | {"sourced_id", "text_score", "comment"}


# The length limit of each text field (plc_shared.schemas: ids and codes, other text).
_LIMITS = {name: ID_MAX if is_id(name) else TEXT_MAX for name in ONEROSTER_FIELDS}


class RowInvalid(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


@dataclass
class Row:
    index: int
    assessment_id: str
    student_id: str
    attempt: int
    score_status: str
    total_score: Any
    objective_scores: dict[str, Any]
    item_scores: dict[str, Any]
    assessed_on: date
    school_id: str | None
    source_modified_at: datetime | None = None
    sourced_id: str | None = None
    text_score: str | None = None
    comment: str | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.assessment_id, self.student_id, self.attempt)


@dataclass
class Written:
    """What happened to one accepted row (for single writes and reports)."""

    index: int
    key: tuple[str, str, int]
    result_id: uuid.UUID | None
    revision: int
    outcome: str  # created | updated | unchanged


@dataclass
class Outcome:
    received: int
    written: list[Written] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, int]] = field(default_factory=list)
    stale: list[dict[str, Any]] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)  # unscored rows that met a scored result

    def count(self, outcome: str) -> int:
        return sum(1 for w in self.written if w.outcome == outcome)

    def report(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": len(self.written),
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "rejected": sorted(self.rejected, key=lambda e: e["index"]),
            "duplicates": self.duplicates,
            "stale": sorted(self.stale, key=lambda e: e["index"]),
        }


def parse_row(index: int, raw: Any, today: date, fields: frozenset[str] = FIELDS) -> Row:
    if not isinstance(raw, dict):
        raise RowInvalid(None, "a result must be a JSON object")
    if not raw.keys() <= fields:
        raise RowInvalid(sorted(set(raw) - fields)[0], "unknown field")
    return Row(
        index=index,
        assessment_id=_text(raw, "assessment_id"),
        student_id=_text(raw, "student_id"),
        attempt=_attempt(raw.get("attempt", 1)),
        score_status=_status(raw.get("score_status", "fully graded")),
        total_score=raw.get("total_score"),
        objective_scores=_mapping(raw, "objective_scores"),
        item_scores=_mapping(raw, "item_scores"),
        assessed_on=_date(raw.get("assessed_on"), today),
        school_id=_text(raw, "school_id") if raw.get("school_id") is not None else None,
        source_modified_at=_timestamp(raw.get("source_modified_at")),
        sourced_id=_optional_text(raw, "sourced_id"),
        text_score=_optional_text(raw, "text_score"),
        comment=_optional_text(raw, "comment"),
    )


def named(raw_rows: list[Any], name: str) -> list[str]:
    """The distinct values of the text field `name` in rows not parsed yet, those `parse_row` would accept
    (what may be looked up while the rows are parsed)."""
    limit, found = _LIMITS[name], set()
    for raw in raw_rows:
        value = raw.get(name) if isinstance(raw, dict) else None
        if isinstance(value, str) and value and value not in found and text_problem(value, limit) is None:
            found.add(value)
    return list(found)


def _timestamp(value: Any) -> datetime | None:
    """When the source (SIS gradebook) last changed the result: ISO 8601 with a time zone."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise RowInvalid("source_modified_at", "source_modified_at must be a date-time with a time zone")
    return parsed


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise RowInvalid(name, "required text is missing" if value in (None, "") else "must be text")
    limit = _LIMITS.get(name)
    _storable(name, value, limit if limit is not None else ID_MAX if is_id(name) else TEXT_MAX)
    return value


def _storable(name: str, value: Any, limit: int) -> None:
    """What the API's schemas refuse (plc_shared.schemas) is this row's problem: NUL, a lone surrogate, over
    the limit."""
    problem = text_problem(value, limit)
    if problem is not None:
        reason = problem[1].format(**problem[2])
        raise RowInvalid(name, reason[:1].lower() + reason[1:])


def _optional_text(raw: dict, name: str) -> str | None:
    return _text(raw, name) if raw.get(name) not in (None, "") else None


def _attempt(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        raise RowInvalid("attempt", "attempt must be a whole number from 1 to 2147483647")
    return value


def _status(value: Any) -> str:
    if not isinstance(value, str) or value not in SCORE_STATUSES:  # a list or an object is not hashable
        raise RowInvalid("score_status", f"score_status must be one of {sorted(SCORE_STATUSES)}")
    return value


def _mapping(raw: dict, name: str) -> dict[str, Any]:
    value = raw.get(name) or {}
    if not isinstance(value, dict):
        raise RowInvalid(name, "must be an object of code: score")
    problem = _codes_problem(tuple(value))  # rows repeat the same codes: each set is checked once
    if problem is not None:
        reason = problem[1].format(**problem[2])
        raise RowInvalid(name, reason[:1].lower() + reason[1:])
    return value


@functools.lru_cache(maxsize=1024)
def _codes_problem(codes: tuple[str, ...]) -> tuple[str, str, dict] | None:
    return text_problem(codes, ID_MAX)


def _date(value: Any, today: date) -> date:
    if value is None:
        return today
    parsed = _iso_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise RowInvalid("assessed_on", "assessed_on must be a date (YYYY-MM-DD)")
    return parsed


@functools.lru_cache(maxsize=1024)
def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# Rows repeat the same few score values: check each (value, maximum) once. `typed` keeps True apart from 1.
check_score_cached = functools.lru_cache(maxsize=4096, typed=True)(rules.check_score)


def assessment_for(row: Row, assessments: dict[str, Loaded]) -> Loaded:
    loaded = assessments.get(row.assessment_id)
    if loaded is None:
        raise RowInvalid("assessment_id", f"unknown assessment '{row.assessment_id}'")
    if loaded.status != "published":
        raise RowInvalid(
            "assessment_id", f"assessment '{row.assessment_id}' is {loaded.status}, not accepting results"
        )
    return loaded


def school_for(row: Row, student: Any, loaded: Loaded, schools: frozenset[str] | None) -> str:
    if student is None:
        raise RowInvalid("student_id", f"unknown student '{row.student_id}'")
    school_ids = list(student["school_ids"])
    if not school_ids:
        raise RowInvalid("student_id", f"student '{row.student_id}' belongs to no school")
    if row.school_id is not None:
        if row.school_id not in school_ids:
            raise RowInvalid(
                "school_id", f"student '{row.student_id}' is not enrolled in school '{row.school_id}'"
            )
        school_id = row.school_id
    elif loaded.school_id in school_ids:
        school_id = loaded.school_id
    else:
        school_id = sorted(school_ids)[0]
    if loaded.school_id is not None and school_id != loaded.school_id:
        raise RowInvalid("school_id", f"assessment '{loaded.id}' belongs to another school")
    if schools is not None and school_id not in schools:  # out of scope reads as unknown (plc_shared.scope)
        raise RowInvalid("student_id", f"unknown student '{row.student_id}'")
    return school_id


def scores_of(given: dict[str, Any], defined: dict, name: str) -> dict[str, float]:
    scores = {}
    for code, value in given.items():
        part = defined.get(code)
        if part is None:
            raise RowInvalid(f"{name}.{code}", f"unknown code '{code}'")
        score, reason = (
            check_score_cached(value, part.max_points)
            if isinstance(value, int | float | str)
            else rules.check_score(value, part.max_points)
        )
        if reason:
            raise RowInvalid(f"{name}.{code}", reason)
        scores[code] = score
    return scores


def total_of(row: Row, definition: rules.AssessmentDef, objectives: dict, items: dict) -> float | None:
    if row.total_score is not None:
        total, reason = (
            check_score_cached(row.total_score, definition.max_score)
            if isinstance(row.total_score, int | float | str)
            else rules.check_score(row.total_score, definition.max_score)
        )
        if reason:
            raise RowInvalid("total_score", reason)
        return total
    if items:
        return sum(items.values())
    top = {code: s for code, s in objectives.items() if definition.objectives[code].parent is None}
    if top:
        return sum(top.values())
    if row.score_status in UNSCORED or row.score_status == "submitted":
        return None
    raise RowInvalid("total_score", f"a '{row.score_status}' result needs a total_score or part scores")


def same_result(p: dict, stored: Any) -> bool:
    row: Row = p["row"]
    return (
        stored["school_id"] == p["school_id"]
        and stored["score_status"] == row.score_status
        and stored["total_score"] == p["total"]
        and stored["objective_scores"] == p["objectives"]
        and stored["item_scores"] == p["items"]
        and stored["assessed_on"] == row.assessed_on
        and stored["text_score"] == row.text_score
        and stored["comment"] == row.comment
    )


def older_than_stored(row: Row, stored: Any) -> bool:
    """A write whose source modification time is before the stored one's is a stale re-send: re-posting last
    week's file must never undo a correction made since. Without a time on either side, the write applies."""
    return (
        stored is not None
        and row.source_modified_at is not None
        and stored["source_modified_at"] is not None
        and row.source_modified_at < stored["source_modified_at"]
    )


def result_row(p: dict, district_id: str, now: datetime) -> tuple:
    row: Row = p["row"]
    return (
        p["id"],
        row.assessment_id,
        row.student_id,
        row.attempt,
        district_id,
        p["school_id"],
        p["class_ids"],
        row.score_status,
        p["total"],
        p["percent"],
        p["level"],
        *p["encoded"],
        row.assessed_on,
        now,
        row.source_modified_at,
        row.sourced_id,
        row.text_score,
        row.comment,
    )


def event_row(writer: events.ResultEventWriter, p: dict) -> tuple:
    row: Row = p["row"]
    d = p["loaded"].definition
    assessment = writer.assessment(d.id, d.max_score, d.proficiency_cut, d.mastery_cut)
    scores = writer.scores(
        assessment, row.score_status, p["total"], p["percent"], p["level"], p["encoded"][2]
    )
    return writer.event(
        p["was_live"],
        p["id"],
        p["revision"],
        row.student_id,
        p["school_id"],
        p["class_ids"],
        assessment,
        row.attempt,
        scores,
        row.assessed_on,
    )


encode_json = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def etag(revision: int) -> str:
    return f'"r{revision}"'


def check_if_match(if_match: str, stored: list[Any]) -> None:
    """RFC 9110 If-Match on one result: `*` needs a live result; otherwise one of the tags must be current."""
    live = [s for s in stored if s is not None and s["voided_at"] is None]
    if not live:
        raise NoResultToMatch()
    tags = {t.strip() for t in if_match.split(",")}
    if "*" not in tags and etag(live[0]["revision"]) not in tags:
        raise StaleResult(etag(live[0]["revision"]))
