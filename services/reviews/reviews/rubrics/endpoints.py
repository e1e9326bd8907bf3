"""HTTP endpoints of rubrics (thin: parse, call the service, return)."""

import uuid

from fastapi import APIRouter
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from reviews.auth import Admin, AggregateReader
from reviews.rubrics import schemas, service

router = APIRouter(tags=["rubrics"])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 422)}


@router.get("/rubrics", response_model=list[schemas.RubricRead], responses=ERRORS)
async def list_rubrics(session: DbSession, principal: AggregateReader):
    """The district's rubric versions, oldest first (version 1 is the shipped default)."""
    return await service.list_rubrics(session, principal=principal)


@router.get("/rubrics/current", response_model=schemas.RubricRead, responses=ERRORS)
async def current_rubric(session: DbSession, principal: AggregateReader):
    """The version new reviews use: the district's latest."""
    return await service.current_rubric(session, principal=principal)


@router.get("/rubrics/{rubric_id}", response_model=schemas.RubricRead, responses=ERRORS)
async def get_rubric(rubric_id: uuid.UUID, session: DbSession, principal: AggregateReader):
    """One rubric version: strands, indicators, descriptors, evidence flags, targeted years."""
    return service.read(await service.get_rubric(session, principal=principal, rubric_id=rubric_id))


@router.post("/rubrics", response_model=schemas.RubricRead, status_code=201, responses=ERRORS)
async def publish_rubric(data: schemas.RubricBody, session: DbSession, principal: Admin):
    """Publish the district's own rubric as its next version (existing reviews keep theirs)."""
    return await service.publish(session, principal=principal, data=data)
