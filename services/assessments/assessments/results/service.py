"""Result rules: one result or a bulk upload through the one ingestion pipeline, reads (audited) and voids.

The pipeline (`Ingest`), one for a single PUT, a 50,000-row bulk POST, the OneRoster CSV import and the gradebook
binding: parse each row → drop duplicates (last wins) → resolve assessments and students in scope → check and
score → lock the stored results → upsert what changed → one event per changed result, all in the caller's
transaction. Invalid rows are reported with their index, field and reason; they never stop the valid ones.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.db import Serial
from plc_shared.errors import Forbidden
from plc_shared.events.assessments import ResultVoided
from plc_shared.ids import new_id
from plc_shared.paging import decode_cursor, encode_cursor, int32, text
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, events, models, rules
from assessments.catalog.repository import AssessmentRepository
from assessments.catalog.service import Loaded, load_assessments
from assessments.exceptions import (
    AssessmentNotFound,
    AtomicBulkRejected,
    IdempotencyKeyReused,
    InvalidResult,
    NotAResultsBody,
    ResultNotFound,
    StaleResult,
    StaleSourceWrite,
    TooManyRows,
)
from assessments.results import schemas
from assessments.results.repository import IdempotencyRepository, OutboxWriter, ResultRepository
from assessments.results.rules import (
    FIELDS,
    ONEROSTER_FIELDS,
    Outcome,
    Row,
    RowInvalid,
    Written,
    assessment_for,
    check_if_match,
    encode_json,
    etag,
    event_row,
    named,
    older_than_stored,
    parse_row,
    result_row,
    same_result,
    school_for,
    scores_of,
    total_of,
)

CHUNK = 10_000  # rows checked and scored while the previous chunk is being stored


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
        self._scores: dict[tuple, tuple] = {}
        self.scope = scope.StudentScope(principal, self.district_id)
        self.adopted: list[tuple[uuid.UUID, str]] = []  # unchanged results that get their sourcedId

    def reject(self, index: int, field: str | None, reason: str) -> None:
        self.outcome.rejected.append({"index": index, "field": field, "reason": reason})

    async def run(self, raw_rows: list[Any], *, if_match: str | None = None) -> Outcome:
        """Rows go through in chunks: while PostgreSQL stores chunk k and its events, chunk k+1 is checked and
        scored. The database work runs in order on the request's connection (`plc_shared.db.Serial`), from the
        start: the students and enrollments the rows name are read while the rows are parsed (a row that turns
        out invalid only made one more id to look up), the stored results are read (and locked) while the
        first chunk is checked."""
        self.outcome.received = len(raw_rows)
        assessments = await load_assessments(
            self.session, principal=self.principal, ids=named(raw_rows, "assessment_id")
        )
        database = Serial()
        student_ids = named(raw_rows, "student_id")
        students = database.submit(self.results.students(self.district_id, student_ids))
        classes = database.submit(self.results.student_classes(self.district_id, student_ids))
        writer = events.ResultEventWriter(self.district_id, self.now)
        try:
            rows = self._dedupe(await self._parse(raw_rows))
            context = (assessments, await students, await classes)
            keys = [r.key for r in rows if r.assessment_id in context[0]]
            lookup = database.submit(self.results.existing(self.district_id, keys))
            for start in range(0, len(rows), CHUNK):
                await asyncio.sleep(0)
                prepared = self._prepare(rows[start : start + CHUNK], *context)
                existing = await lookup
                if if_match is not None and prepared:  # an invalid row is reported as such (422), not 412
                    check_if_match(if_match, [existing.get(p["key"]) for p in prepared])
                changed = self._classify(prepared, existing)
                result_rows = [result_row(p, self.district_id, self.now) for p in changed]
                stored = database.submit(self._store(changed, result_rows))
                outbox_rows = []
                for part in range(0, len(changed), 2_000):
                    await asyncio.sleep(0)  # let the connection send and receive between parts
                    outbox_rows.extend(event_row(writer, p) for p in changed[part : part + 2_000])
                database.submit(self._finish(changed, stored, outbox_rows, writer))
        finally:
            await database.drain()
        if self.adopted:
            await self.results.set_sourced_ids(self.district_id, self.adopted)
        self.outcome.written.sort(key=lambda w: w.index)
        return self.outcome

    async def _parse(self, raw_rows: list[Any]) -> list[Row]:
        rows, today = [], self.now.date()
        for start in range(0, len(raw_rows), 2_000):
            await asyncio.sleep(0)  # let the lookups' answers in between parts
            for index in range(start, min(start + 2_000, len(raw_rows))):
                try:
                    rows.append(parse_row(index, raw_rows[index], today, self.fields))
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

    def _prepare(
        self, rows: list[Row], assessments: dict[str, Loaded], students: dict, classes: dict
    ) -> list[dict[str, Any]]:
        schools = self.principal.visible_schools()
        prepared = []
        for row in rows:
            try:
                loaded = assessment_for(row, assessments)
                school_id = school_for(row, students.get(row.student_id), loaded, schools)
                enrolled = classes.get((row.student_id, school_id)) or []
                self._check_scope(row, school_id, enrolled)
                prepared.append(self._score(row, loaded, school_id, enrolled))
            except RowInvalid as exc:
                self.reject(row.index, exc.field, exc.reason)
        return prepared

    def _check_scope(self, row: Row, school_id: str, class_ids: list[str]) -> None:
        """A teacher records results of the students of their classes only; another student reads as unknown
        (plc_shared.scope), exactly like one the roster does not have."""
        if not self.scope.sees(school_id, class_ids):
            raise RowInvalid("student_id", f"unknown student '{row.student_id}'")

    def _score(self, row: Row, loaded: Loaded, school_id: str, class_ids: list[str] | None) -> dict:
        total, percent, level, objectives, items, encoded = self._scores_of(row, loaded.definition)
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
            "encoded": encoded,
        }

    def _scores_of(self, row: Row, definition: rules.AssessmentDef) -> tuple:
        """(total, percent, level, objective scores, item scores, encoded) of a row. Rows repeat a few sets
        of scores: each set is checked and scored once per request, keyed by its values and their types (so
        `true` is never taken for a 1 checked before)."""
        o, i, t = row.objective_scores, row.item_scores, row.total_score
        ov, iv = tuple(o.values()), tuple(i.values())
        key = (definition.id, row.score_status, t, t.__class__)
        key += (tuple(o), ov, tuple(map(type, ov)), tuple(i), iv, tuple(map(type, iv)))
        try:
            scored = self._scores.get(key)
        except TypeError:  # an unhashable score (a list, an object): checked (and refused) as it is
            key, scored = None, None
        if scored is None:
            objectives = scores_of(o, definition.objectives, "objective_scores")
            items = scores_of(i, definition.items, "item_scores")
            total = total_of(row, definition, objectives, items)
            percent = level = None
            if total is not None:
                percent = rules.percent(total, definition.max_score)
                level = rules.performance_level(total, definition.levels)
            scored = (
                total,
                percent,
                level,
                objectives,
                items,
                self._encoded(definition, objectives, items, total),
            )
            if key is not None:
                self._scores[key] = scored
        return scored

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
            encoded = (encode_json(objectives), encode_json(items), encode_json(standards))
            self._scored[key] = encoded
        return encoded

    def _classify(self, prepared: list[dict], existing: dict) -> list[dict]:
        """Drop unchanged rows; predict the id and revision each changed row will have after the upsert."""
        changed = []
        for p in prepared:
            stored = existing.get(p["key"])
            if older_than_stored(p["row"], stored):
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
            if live and same_result(p, stored):
                self.outcome.written.append(
                    Written(p["row"].index, p["key"], stored["id"], stored["revision"], "unchanged")
                )
                if p["row"].sourced_id and stored["sourced_id"] != p["row"].sourced_id:
                    self.adopted.append((stored["id"], p["row"].sourced_id))
                continue
            p["was_live"] = stored is not None and stored["voided_at"] is None
            p["new"] = stored is None
            p["id"], p["revision"] = (stored["id"], stored["revision"] + 1) if stored else (new_id(), 1)
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
                outbox_rows[position] = event_row(writer, p)
            outcome = "updated" if p["was_live"] and not inserted else "created"
            self.outcome.written.append(Written(p["row"].index, p["key"], p["id"], p["revision"], outcome))
        await OutboxWriter(self.session).copy(outbox_rows)


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
    cursor: str | None = None,
) -> tuple[list[schemas.ResultRead], str | None]:
    """An assessment's live results in the caller's schools, by student (student-level: audited), and the
    cursor of the next page (None after the last one)."""
    after = decode_cursor(cursor, text, int32) if cursor else None
    district_id = principal.tenant
    assessment = await AssessmentRepository(session).get_in_district(district_id, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    found = await ResultRepository(session).for_assessment(
        district_id,
        assessment_id,
        scope=auth.result_scope(principal),
        class_id=class_id,
        limit=limit,
        offset=offset,
        after=after,
    )
    audit_read(principal, "results.list", [r.student_id for r in found], assessment_id=assessment_id)
    following = encode_cursor((found[-1].student_id, found[-1].attempt)) if len(found) == limit else None
    return [schemas.ResultRead.model_validate(r) for r in found], following


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
    if result is None or result.voided_at is not None:
        raise ResultNotFound(*key)
    await auth.check_result(session, principal, result, ResultNotFound(*key))
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
