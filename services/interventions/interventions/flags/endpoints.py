"""HTTP endpoints of flags: the list, the changes feed for integrators, a team's decision to resolve one."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE
from plc_shared.paging import Cursor, link_next
from plc_shared.schemas import INT64_MAX, AwareIsoDateTime

from interventions.auth import FeedReader, Staff, StudentReader
from interventions.flags import schemas, service
from interventions.flags.repository import FlagFilters

# An API key (the SIS polling the feed) needs flags:read, as the gateway's route table asks.
router = APIRouter(prefix="/v1", tags=["interventions"], dependencies=[Depends(permission_area("flags"))])
ERRORS = {s: PROBLEM_RESPONSE for s in (401, 403, 404, 409, 422)}
FlagStatus = Literal["open", "resolved", "all"]


def flag_filters(
    class_id: str | None = None,
    standard_id: str | None = None,
    kind: Literal["support", "enrichment"] | None = None,
    tier: Annotated[int | None, Query(ge=1, le=3)] = None,
    resolved_since: Annotated[
        AwareIsoDateTime | None,
        Query(
            description="Only flags resolved at or after this time (with its UTC offset), e.g. the last two weeks'"
        ),
    ] = None,
) -> FlagFilters:
    """The filters the flags list and its counts by class share."""
    return FlagFilters(
        class_id=class_id, standard_id=standard_id, kind=kind, tier=tier, resolved_since=resolved_since
    )


Filters = Annotated[FlagFilters, Depends(flag_filters)]


@router.get("/flags", response_model=list[schemas.FlagRead], responses=ERRORS)
async def list_flags(
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    filters: Filters,
    status: FlagStatus = "open",
    school_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    cursor: Cursor = None,
):
    """Flags the caller may see (open by default), oldest first, with their age, tier and resolution. A full
    page carries the next page's address in `Link` (`rel="next"`, a `cursor`: keyset paging, each page as cheap
    as the first); `offset` still works (each page then reads every row before it)."""
    found, following = await service.flagged(
        session,
        principal=principal,
        status=status,
        school_id=school_id,
        filters=filters,
        limit=limit,
        offset=offset,
        cursor=cursor,
    )
    link_next(request, response, following)
    return found


@router.get("/flags/by-class", response_model=list[schemas.FlagClassCount], responses=ERRORS)
async def flags_by_class(
    session: DbSession,
    principal: StudentReader,
    filters: Filters,
    status: FlagStatus = "open",
    school_id: str | None = None,
):
    """Per class, the flags the list would give for the same filters (every one of them, not a page): the number
    of distinct students and of flags. A flag counts in each class of its student (`class_ids`), so a student in
    two classes counts in both; a flag with no class is counted under `class_id: null`. Scoped like the list (a
    teacher's counts are of the students of their classes; a school out of scope is a 404 like a missing one).
    Ordered by class id, the null class last."""
    return await service.by_class(
        session, principal=principal, status=status, school_id=school_id, filters=filters
    )


@router.get("/flags/changes", response_model=schemas.FlagChanges, responses=ERRORS)
async def flag_changes(
    session: DbSession,
    principal: FeedReader,
    cursor: str | None = None,
    school_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
):
    """Flags opened or resolved after the cursor, in change order, and the cursor to resume from."""
    return await service.changes(
        session, principal=principal, cursor=cursor, school_id=school_id, limit=limit
    )


@router.post("/flags/{flag_id}/resolve", response_model=schemas.FlagRead, responses=ERRORS)
async def resolve_flag(
    flag_id: uuid.UUID, data: schemas.FlagResolution, session: DbSession, principal: Staff
):
    """Resolve an open flag by an explicit decision of the team."""
    return await service.resolve_flag(session, principal=principal, flag_id=flag_id, data=data)
