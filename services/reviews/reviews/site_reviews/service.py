"""Site reviews: draft → submitted → finalized. Ratings are checked against the review's own rubric version;
required evidence is enforced at submit; a finalized review never changes (a correction is a new version that
supersedes it when it is finalized). Scores are computed on read, and stored with the evidence from data when
the review is finalized."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from plc_shared.auth import Principal, Role
from plc_shared.errors import Forbidden
from plc_shared.events.reviews import ReviewFinalized
from sqlalchemy.ext.asyncio import AsyncSession

from reviews import auth, models
from reviews.config import Settings
from reviews.evidence import service as evidence
from reviews.exceptions import (
    InvalidField,
    MissingEvidence,
    ReviewIsFinal,
    ReviewNotFound,
    UnknownIndicators,
    WrongStatus,
)
from reviews.program import rules as program_rules
from reviews.recognition import service as recognition
from reviews.rubrics import service as rubrics
from reviews.rubrics.rules import indicators, targeted_first
from reviews.rubrics.rules import targeted as targeted_in
from reviews.rubrics.schemas import LEVELS
from reviews.site_reviews import rules, schemas
from reviews.site_reviews.repository import ReviewRepository


async def create_review(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.ReviewCreate
) -> schemas.ReviewRead:
    school = await auth.check_program_school(session, principal, school_id)
    year = program_rules.school_year_of(data.on)
    training = program_rules.training_year(school.entry_year, year)
    if training is None and data.kind != "pre":
        raise InvalidField(["body", "on"], f"before the school entered the program ({school.entry_year})")
    rubric = await rubrics.current(session, principal.tenant)
    reviewers = list(
        dict.fromkeys([*data.reviewer_ids, *([principal.subject] if principal.role is Role.REVIEWER else [])])
    )
    review = models.Review(
        district_id=principal.tenant, id=uuid.uuid4(), school_id=school_id, rubric_id=rubric.id, kind=data.kind,
        on=data.on, school_year=year, training_year=training or "1", status="draft", version=1,
        reviewer_ids=reviewers, ratings={}, created_at=datetime.now(UTC),
    )  # fmt: skip
    _remember_name(principal, review)
    await ReviewRepository(session).add(review, flush=True)
    return await read(session, review)


async def list_reviews(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> list[schemas.ReviewRead]:
    await auth.check_program_school(session, principal, school_id)
    return [
        await read(session, r) for r in await ReviewRepository(session).of_school(principal.tenant, school_id)
    ]


async def get_review(
    session: AsyncSession, *, principal: Principal, review_id: uuid.UUID, for_update: bool = False
) -> models.Review:
    review = await ReviewRepository(session).get_review(principal.tenant, review_id, for_update=for_update)
    if review is None:
        raise ReviewNotFound(review_id)
    auth.check_school_scope(principal, review.school_id, ReviewNotFound(review_id))
    return review


async def rate(
    session: AsyncSession, *, principal: Principal, review_id: uuid.UUID, data: schemas.RatingsWrite
) -> schemas.ReviewRead:
    """Add or change ratings of a draft (a submitted review is sent back to draft by rating it again)."""
    review = await _editable(session, principal, review_id)
    rubric = await rubrics.get_rubric(session, principal=principal, rubric_id=review.rubric_id)
    if unknown := rules.unknown_indicators(rubric.body, list(data.ratings)):
        raise UnknownIndicators(review.rubric_id, unknown)
    review.ratings = {**review.ratings, **{i: r.model_dump(mode="json") for i, r in data.ratings.items()}}
    review.status = "draft"
    return await read(session, review)


async def submit(session: AsyncSession, *, principal: Principal, review_id: uuid.UUID) -> schemas.ReviewRead:
    review = await _editable(session, principal, review_id)
    rubric = await rubrics.get_rubric(session, principal=principal, rubric_id=review.rubric_id)
    if review.kind == "site" and (missing := rules.unrated(rubric.body, review.ratings)):
        raise InvalidField(
            ["body", "ratings", missing[0]],
            f"a site review rates every indicator; unrated: {', '.join(missing)}",
        )
    if missing := rules.missing_evidence(rubric.body, review.ratings):
        raise MissingEvidence(review.id, missing)
    review.status = "submitted"
    return await read(session, review)


async def finalize(
    session: AsyncSession, *, principal: Principal, review_id: uuid.UUID, settings: Settings
) -> schemas.ReviewRead:
    review = await _editable(session, principal, review_id)
    if review.status != "submitted":
        raise WrongStatus(review.id, review.status, "submitted")
    rubric = await rubrics.get_rubric(session, principal=principal, rubric_id=review.rubric_id)
    now = datetime.now(UTC)
    scores = rules.score(rubric.body, {i: r["level"] for i, r in review.ratings.items()})
    review.status, review.finalized_at, review.scores = "finalized", now, scores
    review.evidence = await evidence.gather(session, review.district_id, review.school_id, review.school_year)
    if review.corrects_id is not None:
        old = await ReviewRepository(session).get_review(review.district_id, review.corrects_id)
        if old is not None:
            old.superseded_by_id = review.id
    await models.outbox.add(session, _finalized_event(review, scores, now))
    await session.flush()
    await recognition.evaluate(
        session, district_id=review.district_id, school_id=review.school_id, settings=settings
    )
    return await read(session, review)


async def correct(session: AsyncSession, *, principal: Principal, review_id: uuid.UUID) -> schemas.ReviewRead:
    """A new draft version of a finalized review, linked to it; it supersedes it once finalized."""
    old = await get_review(session, principal=principal, review_id=review_id, for_update=True)
    _check_reviewer(principal, old)
    if old.status != "finalized" or old.superseded_by_id is not None:
        raise WrongStatus(
            old.id, old.status if old.status != "finalized" else "superseded", "finalized and current"
        )
    new = models.Review(
        district_id=old.district_id, id=uuid.uuid4(), school_id=old.school_id, rubric_id=old.rubric_id, kind=old.kind,
        on=old.on, school_year=old.school_year, training_year=old.training_year, status="draft",
        version=old.version + 1, corrects_id=old.id, reviewer_ids=old.reviewer_ids, ratings=dict(old.ratings),
        reviewer_names=dict(old.reviewer_names or {}), created_at=datetime.now(UTC),
    )  # fmt: skip
    _remember_name(principal, new)
    await ReviewRepository(session).add(new, flush=True)
    return await read(session, new)


async def _editable(session: AsyncSession, principal: Principal, review_id: uuid.UUID) -> models.Review:
    review = await get_review(session, principal=principal, review_id=review_id, for_update=True)
    _check_reviewer(principal, review)
    if review.status == "finalized":
        raise ReviewIsFinal(review.id)
    _remember_name(principal, review)
    return review


def _remember_name(principal: Principal, review: models.Review) -> None:
    """A reviewer of the review acting on it leaves the name they signed in with (the token's `name` claim):
    the other reviewers, who cannot read the roster, see who they work with. Names stay here (events: ids)."""
    known = review.reviewer_names or {}
    if (
        principal.name
        and principal.subject in review.reviewer_ids
        and known.get(principal.subject) != principal.name
    ):
        review.reviewer_names = {**known, principal.subject: principal.name}


def _check_reviewer(principal: Principal, review: models.Review) -> None:
    """A reviewer changes (or corrects) only the reviews they are a reviewer of; checked before the review's
    state, so the answer says nothing about a review that is not theirs."""
    if principal.role is Role.REVIEWER and principal.subject not in review.reviewer_ids:
        raise Forbidden(f"Only the reviewers of review {review.id} may change it.")


def _finalized_event(review: models.Review, scores: dict, now: datetime) -> ReviewFinalized:
    return ReviewFinalized(
        district_id=review.district_id, school_id=review.school_id, review_id=review.id, rubric_id=review.rubric_id,
        kind=review.kind, on=review.on, school_year=review.school_year, training_year=review.training_year,
        version=review.version, corrects_id=review.corrects_id, indicators=scores["overall"]["n"],
        percent_proficient=scores["overall"]["percent_proficient"], points=scores["overall"]["points"],
        finalized_at=now,
    )  # fmt: skip


async def read(session: AsyncSession, review: models.Review) -> schemas.ReviewRead:
    """The review with its scores (stored once finalized), the change since the school's previous finalized
    review, and the evidence from data (live while it is open, as stored once finalized)."""
    rubric = await session.get(models.Rubric, (review.district_id, review.rubric_id))
    assert rubric is not None
    scores = review.scores or rules.score(rubric.body, {i: r["level"] for i, r in review.ratings.items()})
    previous = await ReviewRepository(session).previous_finalized(review)
    change = rules.change(scores, previous.scores) if previous and previous.scores else None
    if review.status == "finalized":
        data = review.evidence
    else:
        data = await evidence.gather(session, review.district_id, review.school_id, review.school_year)
    return schemas.ReviewRead(
        id=review.id, school_id=review.school_id, rubric_id=review.rubric_id, kind=review.kind, on=review.on,
        school_year=review.school_year, training_year=review.training_year, status=review.status,
        version=review.version, corrects_id=review.corrects_id, superseded_by_id=review.superseded_by_id,
        reviewer_ids=review.reviewer_ids,
        reviewers=[{"id": r, "name": (review.reviewer_names or {}).get(r)} for r in review.reviewer_ids],
        indicators=_indicator_rows(rubric.body, review), scores=scores,
        change={"previous_review_id": previous.id, **change} if change and previous else None,
        data_evidence=data, finalized_at=review.finalized_at,
    )  # fmt: skip


def _indicator_rows(body: dict, review: models.Review) -> list[schemas.IndicatorRating]:
    """Every indicator of the rubric with its rating, the training year's targeted indicators first."""
    by_id, targeted = indicators(body), set(targeted_in(body, review.training_year))
    rows = []
    for i in targeted_first(body, review.training_year):
        r = review.ratings.get(i)
        rows.append(
            schemas.IndicatorRating(
                indicator_id=i, strand_id=by_id[i]["strand_id"], targeted=i in targeted,
                level=r["level"] if r else None, level_name=LEVELS[r["level"]] if r else None,
                notes=r["notes"] if r else "", evidence=r["evidence"] if r else [],
                evidence_required=by_id[i]["evidence_required"][r["level"]] if r else None,
            )
        )  # fmt: skip
    return rows
