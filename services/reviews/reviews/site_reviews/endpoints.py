"""HTTP endpoints of site reviews (thin: parse, call the service, return)."""

import uuid

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from reviews.auth import Reader, ReviewWriter
from reviews.config import CurrentSettings
from reviews.site_reviews import schemas, service

router = APIRouter(tags=["site reviews"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}


@router.post(
    "/schools/{school_id}/reviews", response_model=schemas.ReviewRead, status_code=201, responses=ERRORS
)
async def create_review(
    school_id: str, data: schemas.ReviewCreate, session: DbSession, principal: ReviewWriter
):
    """Start a pre, interim or site review of a program school (a draft on the district's current rubric)."""
    return await service.create_review(session, principal=principal, school_id=school_id, data=data)


@router.get("/schools/{school_id}/reviews", response_model=list[schemas.ReviewRead], responses=ERRORS)
async def list_reviews(school_id: str, session: DbSession, principal: Reader):
    """The school's reviews, oldest first, every version (corrections included)."""
    return await service.list_reviews(session, principal=principal, school_id=school_id)


@router.get("/reviews/{review_id}", response_model=schemas.ReviewRead, responses=ERRORS)
async def get_review(review_id: uuid.UUID, session: DbSession, principal: Reader):
    """One review: targeted indicators first, scores per strand and overall, change since the previous."""
    return await service.read(
        session, await service.get_review(session, principal=principal, review_id=review_id)
    )


@router.put("/reviews/{review_id}/ratings", response_model=schemas.ReviewRead, responses=ERRORS)
async def rate(review_id: uuid.UUID, data: schemas.RatingsWrite, session: DbSession, principal: ReviewWriter):
    """Rate indicators (level, notes, evidence) of a review that is not finalized."""
    return await service.rate(session, principal=principal, review_id=review_id, data=data)


@router.post("/reviews/{review_id}/submit", response_model=schemas.ReviewRead, responses=ERRORS)
async def submit(review_id: uuid.UUID, session: DbSession, principal: ReviewWriter):
    """Submit a draft: every required evidence present (a site review rates every indicator)."""
    return await service.submit(session, principal=principal, review_id=review_id)


@router.post("/reviews/{review_id}/finalize", response_model=schemas.ReviewRead, responses=ERRORS)
async def finalize(
    review_id: uuid.UUID, session: DbSession, principal: ReviewWriter, settings: CurrentSettings
):
    """Finalize a submitted review: immutable from now on; scores and evidence from data stored; recognition."""
    return await service.finalize(session, principal=principal, review_id=review_id, settings=settings)


@router.post(
    "/reviews/{review_id}/corrections", response_model=schemas.ReviewRead, status_code=201, responses=ERRORS
)
async def correct(review_id: uuid.UUID, session: DbSession, principal: ReviewWriter):
    """Start a correction of a finalized review: a new draft version linked to it."""
    return await service.correct(session, principal=principal, review_id=review_id)
