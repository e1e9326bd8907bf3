"""A common assessment checked against the five keys of quality assessment: whoever manages the assessment
(its school's leaders and teachers, district admins) rates each key with a note; whoever sees the assessment
reads the check. No event: no other service needs it (and notes are free text, which stays off the broker)."""

from __future__ import annotations

from datetime import UTC, datetime

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.catalog.repository import AssessmentRepository
from assessments.exceptions import AssessmentNotFound, QualityNoteMissing
from assessments.quality import rules, schemas
from assessments.quality.repository import QualityRepository


async def read_check(
    session: AsyncSession, *, principal: Principal, assessment_id: str
) -> schemas.QualityRead:
    assessment = await AssessmentRepository(session).get_in_district(principal.tenant, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    return _read(assessment_id, await QualityRepository(session).ratings(principal.tenant, [assessment_id]))


async def rate(
    session: AsyncSession, *, principal: Principal, assessment_id: str, data: schemas.QualityWrite
) -> schemas.QualityRead:
    """Rate some or all of the keys; only the keys whose rating or note changed are re-stamped."""
    assessment = await AssessmentRepository(session).for_update(principal.tenant, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    auth.check_assessment_manager(principal, assessment.district_id, assessment.school_id)
    if missing := [(i, r.key) for i, r in enumerate(data.ratings) if rules.needs_note(r.rating, r.note)]:
        raise QualityNoteMissing(assessment_id, missing)
    repo = QualityRepository(session)
    rows = {r.key: r for r in await repo.ratings(principal.tenant, [assessment_id])}
    now = datetime.now(UTC)
    for item in data.ratings:
        row = rows.get(item.key)
        if row is None:
            row = rows[item.key] = models.QualityRating(
                district_id=principal.tenant, assessment_id=assessment_id, key=item.key
            )
            repo.add(row)
        elif (row.rating, row.note) == (item.rating, item.note):
            continue
        row.rating, row.note, row.rated_by, row.rated_at = item.rating, item.note, principal.subject, now
    return _read(assessment_id, list(rows.values()))


async def summaries(
    session: AsyncSession, *, principal: Principal, school_id: str | None
) -> list[schemas.QualitySummary]:
    """The quality check of every assessment the caller sees (of one school with `school_id`)."""
    a = models.Assessment
    where = [a.district_id == principal.tenant, *([a.school_id == school_id] if school_id else [])]
    found = [
        x
        for x in await AssessmentRepository(session).list(*where, order_by=[a.created_at])
        if auth.sees_school(principal, x.district_id, x.school_id)
    ]
    by_assessment: dict[str, list[models.QualityRating]] = {x.id: [] for x in found}
    for row in await QualityRepository(session).ratings(principal.tenant, list(by_assessment)):
        by_assessment[row.assessment_id].append(row)
    return [
        schemas.QualitySummary(
            assessment_id=x.id, school_id=x.school_id, kind=x.kind, rated=len(rows := by_assessment[x.id]),
            met=sum(r.rating == "met" for r in rows), checked=rules.is_checked({r.key for r in rows}),
            checked_at=max((r.rated_at for r in rows), default=None),
        )
        for x in found
    ]  # fmt: skip


def _read(assessment_id: str, rows: list[models.QualityRating]) -> schemas.QualityRead:
    by_key = {r.key: r for r in rows}
    keys = [
        schemas.KeyRead(key=key, name=name, question=question, **_rating(by_key.get(key)))
        for key, (name, question) in rules.KEYS.items()
    ]
    return schemas.QualityRead(assessment_id=assessment_id, keys=keys, checked=rules.is_checked(set(by_key)))


def _rating(row: models.QualityRating | None) -> dict:
    if row is None:
        return {"rating": None, "note": ""}
    return {"rating": row.rating, "note": row.note, "rated_by": row.rated_by, "rated_at": row.rated_at}
