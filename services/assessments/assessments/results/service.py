"""Result rules: one result or a bulk upload through the one ingestion pipeline, reads (audited) and voids.

The pipeline (`Ingest`), one for a single PUT, a 50,000-row bulk POST, the OneRoster CSV import and the gradebook
binding: parse each row → drop duplicates (last wins) → resolve assessments and students in scope → check and
score → lock the stored results → upsert what changed → one event per changed result, all in the caller's
transaction. Invalid rows are reported with their index, field and reason; they never stop the valid ones.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, get_args

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.db import Serial
from plc_shared.errors import Forbidden
from plc_shared.events.assessments import ResultVoided, ScoreStatus
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, events, models, rules
from assessments.catalog.repository import AssessmentRepository
from assessments.catalog.service import Loaded, load_assessments
from assessments.exceptions import (
    AssessmentNotFound,
    AtomicBulkRejected,
    IdempotencyKeyReused,
    InvalidResult,
    NoResultToMatch,
    NotAResultsBody,
    ResultNotFound,
    StaleResult,
    StaleSourceWrite,
    TooManyRows,
)
from assessments.results import schemas
from assessments.results.repository import IdempotencyRepository, OutboxWriter, ResultRepository

SCORE_STATUSES = frozenset(get_args(ScoreStatus))
CHUNK = 10_000  # rows checked and scored while the previous chunk is being stored
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
    unknown = set(raw) - fields
    if unknown:
        raise RowInvalid(sorted(unknown)[0], "unknown field")
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
        sourced_id=raw.get("sourced_id") or None,
        text_score=raw.get("text_score") or None,
        comment=raw.get("comment") or None,
    )


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
    return value


def _attempt(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        raise RowInvalid("attempt", "attempt must be a whole number from 1 to 2147483647")
    return value


def _status(value: Any) -> str:
    if value not in SCORE_STATUSES:
        raise RowInvalid("score_status", f"score_status must be one of {sorted(SCORE_STATUSES)}")
    return value


def _mapping(raw: dict, name: str) -> dict[str, Any]:
    value = raw.get(name) or {}
    if not isinstance(value, dict):
        raise RowInvalid(name, "must be an object of code: score")
    return value


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
_check_score = functools.lru_cache(maxsize=4096, typed=True)(rules.check_score)


class Ingest:
    """One request's ingestion (holds the per-request caches).

    `oneroster=True` (CSV import, gradebook binding): rows may carry their OneRoster sourcedId, textScore and
    comment, and a row without a score never replaces a stored scored result (it is listed in `kept`): a
    gradebook re-sync that sends "submitted" with an empty score must not erase a grade."""

    def __init__(self, session: AsyncSession, principal: Principal, *, oneroster: bool = False) -> None:
        self.session, self.principal = session, principal
        self.fields = ONEROSTER_FIELDS if oneroster else FIELDS
        self.keep_scored = oneroster
        self.district_id = auth.require_role(principal, auth.RESULT_WRITERS, "record results")
        self.results = ResultRepository(session)
        self.outcome = Outcome(received=0)
        self.now = datetime.now(UTC)
        self._scored: dict[tuple, tuple[str, str, str]] = {}
        self.adopted: list[tuple[uuid.UUID, str]] = []  # unchanged results that get their sourcedId

    def reject(self, index: int, field: str | None, reason: str) -> None:
        self.outcome.rejected.append({"index": index, "field": field, "reason": reason})

    async def run(self, raw_rows: list[Any], *, if_match: str | None = None) -> Outcome:
        """Rows go through in chunks: while PostgreSQL stores chunk k and its events, chunk k+1 is checked and
        scored. The database work of all chunks runs in order on the request's connection (`plc_shared.db.Serial`)."""
        self.outcome.received = len(raw_rows)
        rows = self._dedupe(self._parse(raw_rows))
        context = await self._load(rows)
        keys = [r.key for r in rows if r.assessment_id in context[0]]
        lookup = asyncio.ensure_future(
            self.results.existing(self.district_id, keys)
        )  # read (and lock) the stored results
        database = Serial(lookup)
        writer = events.ResultEventWriter(self.district_id, self.now)
        try:
            for start in range(0, len(rows), CHUNK):
                await asyncio.sleep(0)
                prepared = self._prepare(rows[start : start + CHUNK], *context)
                existing = await lookup
                if if_match is not None and prepared:  # an invalid row is reported as such (422), not 412
                    check_if_match(if_match, [existing.get(p["key"]) for p in prepared])
                changed = self._classify(prepared, existing)
                result_rows = [_result_row(p, self.district_id, self.now) for p in changed]
                stored = database.submit(self._store(changed, result_rows))
                outbox_rows = []
                for part in range(0, len(changed), 2_000):
                    await asyncio.sleep(0)  # let the connection send and receive between parts
                    outbox_rows.extend(_event_row(writer, p) for p in changed[part : part + 2_000])
                database.submit(self._finish(changed, stored, outbox_rows, writer))
        finally:
            await database.drain()
        if self.adopted:
            await self.results.set_sourced_ids(self.district_id, self.adopted)
        self.outcome.written.sort(key=lambda w: w.index)
        return self.outcome

    def _parse(self, raw_rows: list[Any]) -> list[Row]:
        rows, today = [], self.now.date()
        for index, raw in enumerate(raw_rows):
            try:
                rows.append(parse_row(index, raw, today, self.fields))
            except RowInvalid as exc:
                self.reject(index, exc.field, exc.reason)
        return rows

    def _dedupe(self, rows: list[Row]) -> list[Row]:
        """Within one request the last row of a key wins (the order the integration sent them in)."""
        last: dict[tuple, Row] = {}
        for row in rows:
            earlier = last.get(row.key)
            if earlier is not None:
                self.outcome.duplicates.append({"index": earlier.index, "superseded_by": row.index})
            last[row.key] = row
        return list(last.values())

    async def _load(self, rows: list[Row]) -> tuple[dict[str, Loaded], dict, dict]:
        """The assessments (in scope), students and enrollments the rows name."""
        assessments = await load_assessments(
            self.session, principal=self.principal, ids={r.assessment_id for r in rows}
        )
        student_ids = list({r.student_id for r in rows})
        students = await self.results.students(self.district_id, student_ids)
        classes = await self.results.student_classes(self.district_id, student_ids)
        return assessments, students, classes

    def _prepare(
        self, rows: list[Row], assessments: dict[str, Loaded], students: dict, classes: dict
    ) -> list[dict[str, Any]]:
        schools = self.principal.visible_schools()
        prepared = []
        for row in rows:
            try:
                loaded = _assessment_for(row, assessments)
                school_id = _school_for(row, students.get(row.student_id), loaded, schools)
                prepared.append(self._score(row, loaded, school_id, classes.get((row.student_id, school_id))))
            except RowInvalid as exc:
                self.reject(row.index, exc.field, exc.reason)
        return prepared

    def _score(self, row: Row, loaded: Loaded, school_id: str, class_ids: list[str] | None) -> dict:
        definition = loaded.definition
        objectives = _scores(row.objective_scores, definition.objectives, "objective_scores")
        items = _scores(row.item_scores, definition.items, "item_scores")
        total = _total(row, definition, objectives, items)
        percent = level = None
        if total is not None:
            percent = rules.percent(total, definition.max_score)
            level = rules.performance_level(total, definition.levels)
        return {
            "row": row,
            "key": row.key,
            "loaded": loaded,
            "school_id": school_id,
            "class_ids": class_ids or [],
            "total": total,
            "percent": percent,
            "level": level,
            "objectives": objectives,
            "items": items,
            "encoded": self._encoded(definition, objectives, items, total),
        }

    def _encoded(
        self, definition: rules.AssessmentDef, objectives: dict, items: dict, total: float | None
    ) -> tuple[str, str, str]:
        """(objective scores, item scores, per-standard scores) as JSON text. Scores take few distinct values
        (whole points on a handful of items), so equal score sets are scored and encoded once per request.
        The total counts only without part scores (then it may be a standard's score)."""
        alone = None if objectives or items else total
        key = (definition.id, tuple(objectives.items()), tuple(items.items()), alone)
        encoded = self._scored.get(key)
        if encoded is None:
            standards = rules.standard_scores(definition, objectives, items, alone)
            encoded = (_json(objectives), _json(items), _json(standards))
            self._scored[key] = encoded
        return encoded

    def _classify(self, prepared: list[dict], existing: dict) -> list[dict]:
        """Drop unchanged rows; predict the id and revision each changed row will have after the upsert."""
        changed = []
        for p in prepared:
            stored = existing.get(p["key"])
            if _older(p["row"], stored):
                self.outcome.stale.append(
                    {
                        "index": p["row"].index,
                        "source_modified_at": p["row"].source_modified_at.isoformat(),
                        "stored_source_modified_at": stored["source_modified_at"].isoformat(),
                        "reason": "stale: the stored result comes from a later change at the source",
                    }
                )
                continue
            live = stored is not None and stored["voided_at"] is None
            if live and self.keep_scored and p["total"] is None and stored["total_score"] is not None:
                self.outcome.kept.append(
                    {
                        "index": p["row"].index,
                        "reason": f"no score: the stored result (score {stored['total_score']:g}) is kept",
                    }
                )
                continue
            if live and _same(p, stored):
                self.outcome.written.append(
                    Written(p["row"].index, p["key"], stored["id"], stored["revision"], "unchanged")
                )
                if p["row"].sourced_id and stored["sourced_id"] != p["row"].sourced_id:
                    self.adopted.append((stored["id"], p["row"].sourced_id))
                continue
            p["was_live"] = stored is not None and stored["voided_at"] is None
            p["new"] = stored is None
            p["id"], p["revision"] = (stored["id"], stored["revision"] + 1) if stored else (uuid.uuid4(), 1)
            changed.append(p)
        return changed

    async def _store(self, changed: list[dict], rows: list[tuple]) -> list[Any]:
        """New keys go in with COPY; the others (and all of them after a race on a new key) are upserted."""
        new = [row for p, row in zip(changed, rows, strict=True) if p["new"]]
        if new and await self.results.insert_new(new):
            rows = [row for p, row in zip(changed, rows, strict=True) if not p["new"]]
        return await self.results.upsert(rows)

    async def _finish(
        self,
        changed: list[dict],
        stored: asyncio.Future,
        outbox_rows: list[tuple],
        writer: events.ResultEventWriter,
    ) -> None:
        """The events were built with the predicted ids and revisions (the stored rows are locked since
        `existing()`); a row that a concurrent request inserted after that read comes back from the upsert
        with another id or revision, and its event is rebuilt from what was stored."""
        by_key = {(r["assessment_id"], r["student_id"], r["attempt"]): r for r in stored.result()}
        for position, p in enumerate(changed):
            row = by_key.get(p["key"])  # None: copied as predicted
            inserted = row is None or row["inserted"]
            if row is not None and (row["id"], row["revision"]) != (p["id"], p["revision"]):
                p["id"], p["revision"], p["was_live"] = row["id"], row["revision"], not inserted
                outbox_rows[position] = _event_row(writer, p)
            outcome = "updated" if p["was_live"] and not inserted else "created"
            self.outcome.written.append(Written(p["row"].index, p["key"], p["id"], p["revision"], outcome))
        await OutboxWriter(self.session).copy(outbox_rows)


def _assessment_for(row: Row, assessments: dict[str, Loaded]) -> Loaded:
    loaded = assessments.get(row.assessment_id)
    if loaded is None:
        raise RowInvalid("assessment_id", f"unknown assessment '{row.assessment_id}'")
    if loaded.status != "published":
        raise RowInvalid(
            "assessment_id", f"assessment '{row.assessment_id}' is {loaded.status}, not accepting results"
        )
    return loaded


def _school_for(row: Row, student: Any, loaded: Loaded, schools: frozenset[str] | None) -> str:
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
    if schools is not None and school_id not in schools:
        raise RowInvalid("student_id", f"student '{row.student_id}' is outside your schools")
    return school_id


def _scores(given: dict[str, Any], defined: dict, name: str) -> dict[str, float]:
    scores = {}
    for code, value in given.items():
        part = defined.get(code)
        if part is None:
            raise RowInvalid(f"{name}.{code}", f"unknown code '{code}'")
        score, reason = (
            _check_score(value, part.max_points)
            if isinstance(value, int | float | str)
            else rules.check_score(value, part.max_points)
        )
        if reason:
            raise RowInvalid(f"{name}.{code}", reason)
        scores[code] = score
    return scores


def _total(row: Row, definition: rules.AssessmentDef, objectives: dict, items: dict) -> float | None:
    if row.total_score is not None:
        total, reason = (
            _check_score(row.total_score, definition.max_score)
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


def _same(p: dict, stored: Any) -> bool:
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


def _older(row: Row, stored: Any) -> bool:
    """A write whose source modification time is before the stored one's is a stale re-send: re-posting last
    week's file must never undo a correction made since. Without a time on either side, the write applies."""
    return (
        stored is not None
        and row.source_modified_at is not None
        and stored["source_modified_at"] is not None
        and row.source_modified_at < stored["source_modified_at"]
    )


def _result_row(p: dict, district_id: str, now: datetime) -> tuple:
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


def _event_row(writer: events.ResultEventWriter, p: dict) -> tuple:
    row: Row = p["row"]
    d = p["loaded"].definition
    return writer.row(
        corrected=p["was_live"],
        result_id=p["id"],
        revision=p["revision"],
        student_id=row.student_id,
        school_id=p["school_id"],
        class_ids=p["class_ids"],
        assessment=writer.assessment(d.id, d.max_score, d.proficiency_cut, d.mastery_cut),
        attempt=row.attempt,
        score_status=row.score_status,
        total_score=p["total"],
        percent=p["percent"],
        performance_level=p["level"],
        standards_json=p["encoded"][2],
        assessed_on=row.assessed_on,
    )


_json = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


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


# --- the service functions ---------------------------------------------------------------------------------------
MAX_BULK_ROWS = 50_000


async def put_result(
    session: AsyncSession, *, principal: Principal, body: schemas.ResultWrite, if_match: str | None
) -> tuple[schemas.ResultRead, bool]:
    """Upsert one result on its natural key; (result, created)."""
    outcome = await Ingest(session, principal).run([body.model_dump(mode="json")], if_match=if_match)
    if outcome.rejected:
        raise InvalidResult(outcome.rejected)
    if outcome.stale:
        stale = outcome.stale[0]
        raise StaleSourceWrite(stale["source_modified_at"], stale["stored_source_modified_at"])
    written = outcome.written[0]
    # The writer gets back what it wrote: not a read of student data, so not audited.
    result = schemas.ResultRead.model_validate(
        await _visible_result(session, principal=principal, key=written.key)
    )
    return result, written.outcome == "created"


async def get_result(
    session: AsyncSession, *, principal: Principal, key: tuple[str, str, int]
) -> schemas.ResultRead:
    result = await _visible_result(session, principal=principal, key=key)
    audit_read(principal, "result.read", [key[1]], assessment_id=key[0], attempt=key[2])
    return schemas.ResultRead.model_validate(result, from_attributes=True)


async def list_results(
    session: AsyncSession,
    *,
    principal: Principal,
    assessment_id: str,
    class_id: str | None,
    limit: int,
    offset: int,
) -> list[schemas.ResultRead]:
    """An assessment's live results in the caller's schools, by student (student-level: audited)."""
    district_id = principal.tenant
    assessment = await AssessmentRepository(session).get_in_district(district_id, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    found = await ResultRepository(session).for_assessment(
        district_id,
        assessment_id,
        schools=principal.visible_schools(),
        class_id=class_id,
        limit=limit,
        offset=offset,
    )
    audit_read(principal, "results.list", [r.student_id for r in found], assessment_id=assessment_id)
    return [schemas.ResultRead.model_validate(r) for r in found]


async def void_result(
    session: AsyncSession, *, principal: Principal, key: tuple[str, str, int], if_match: str | None
) -> None:
    """Delete a result entered in error: the row stays (voided) and ResultVoided tells the consumers."""
    auth.require_role(principal, auth.RESULT_WRITERS, "void results")
    result = await _visible_result(session, principal=principal, key=key)
    if (
        if_match is not None
        and "*" not in if_match
        and etag(result.revision) not in {t.strip() for t in if_match.split(",")}
    ):
        raise StaleResult(etag(result.revision))
    now = datetime.now(UTC)
    revision = await ResultRepository(session).void(result.id, now)
    event = ResultVoided(
        result_id=result.id,
        revision=revision,
        student_id=result.student_id,
        district_id=result.district_id,
        school_id=result.school_id,
        class_ids=list(result.class_ids),
        assessment_id=result.assessment_id,
        attempt=result.attempt,
        standard_ids=[s["standard_id"] for s in result.standard_scores],
        voided_at=now,
    )
    await models.outbox.add(session, event)


async def _visible_result(
    session: AsyncSession, *, principal: Principal, key: tuple[str, str, int]
) -> models.Result:
    if principal.role not in auth.STUDENT_READERS:
        raise Forbidden(f"The role '{principal.role}' may not read student results.")
    result = await ResultRepository(session).by_key(principal.tenant, *key)
    if (
        result is None
        or result.voided_at is not None
        or not auth.sees_school(principal, result.district_id, result.school_id)
    ):
        raise ResultNotFound(*key)
    return result


async def bulk_results(
    session: AsyncSession,
    *,
    principal: Principal,
    rows: Any,
    idempotency_key: str | None,
    raw_body: bytes,
    atomic: bool = False,
    max_rows: int = MAX_BULK_ROWS,
) -> tuple[int, dict[str, Any]]:
    """(status, report). With an Idempotency-Key the first answer is stored and returned to every retry.
    `atomic`: one invalid row fails the request (422 listing every invalid row) and nothing is written."""
    district_id = principal.tenant
    if not isinstance(rows, list):
        raise NotAResultsBody()
    if len(rows) > max_rows:
        raise TooManyRows(len(rows), max_rows)
    keys = IdempotencyRepository(session)
    if idempotency_key:
        digest = hashlib.sha256((b"atomic:" if atomic else b"") + raw_body).hexdigest()
        stored = await keys.claim(district_id, idempotency_key, digest)
        if stored is not None:
            if stored.request_hash != digest:
                raise IdempotencyKeyReused(idempotency_key)
            return stored.status_code or 200, stored.response or {}
    outcome: Outcome = await Ingest(session, principal).run(rows)
    if atomic and outcome.rejected:
        # Raising rolls the request's transaction back: the valid rows and their events are not written.
        raise AtomicBulkRejected(len(outcome.rejected), len(rows), outcome.report()["rejected"])
    report = outcome.report()
    status = 200
    if idempotency_key:
        await keys.save(district_id, idempotency_key, status, report)
    return status, report


# --- OneRoster result identity (the CSV import and the gradebook binding) -----------------------------------------
@dataclass
class Attempt:
    attempt: int | None
    note: str | None = None
    error: str | None = None


async def assign_attempts(
    session: AsyncSession, *, district_id: str, entries: list[tuple[str, str, str]]
) -> list[Attempt]:
    """The attempt of each (sourcedId, line item, student), in order. A OneRoster result's sourcedId is its
    identity: it keeps the attempt it was first stored as; a new sourcedId for a student and line item that
    already have a result becomes the next attempt (never merged into the other), except that it first takes over
    a stored result without a sourcedId (written natively or imported before sourcedIds were kept)."""
    stored = await ResultRepository(session).identities(
        district_id, [e[0] for e in entries], list({(e[1], e[2]) for e in entries})
    )
    by_sourced_id = {r["sourced_id"]: r for r in stored if r["sourced_id"]}
    slots: dict[tuple[str, str], dict[int, str | None]] = {}
    for r in stored:
        slots.setdefault((r["assessment_id"], r["student_id"]), {})[r["attempt"]] = r["sourced_id"]
    assigned: dict[str, tuple[str, str, int]] = {}
    out = []
    for sourced_id, line_item, student in entries:
        known = assigned.get(sourced_id)
        row = by_sourced_id.get(sourced_id)
        if known is None and row is not None:
            known = (row["assessment_id"], row["student_id"], row["attempt"])
        if known is not None:
            if known[:2] != (line_item, student):
                out.append(
                    Attempt(
                        None,
                        error=f"sourcedId '{sourced_id}' is the result of student '{known[1]}' "
                        f"on line item '{known[0]}'",
                    )
                )
            else:
                out.append(Attempt(known[2]))
            continue
        taken = slots.setdefault((line_item, student), {})
        free = sorted(n for n, owner in taken.items() if owner is None)
        attempt = free[0] if free else max(taken, default=0) + 1
        others = sorted(o for o in taken.values() if o)
        taken[attempt] = sourced_id
        assigned[sourced_id] = (line_item, student, attempt)
        note = None
        if others:
            note = (
                f"student '{student}' has another result on '{line_item}' ({', '.join(others)}): "
                f"'{sourced_id}' is kept as attempt {attempt}"
            )
        out.append(Attempt(attempt, note))
    return out
