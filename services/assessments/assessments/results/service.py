"""Result rules: one result or a bulk upload through the one ingestion pipeline, reads (audited) and voids."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.errors import Forbidden
from plc_shared.events.assessments import ResultVoided
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.catalog.repository import AssessmentRepository
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
from assessments.results.ingest import Ingest, Outcome, etag
from assessments.results.repository import IdempotencyRepository, ResultRepository

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
