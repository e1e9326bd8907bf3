"""HTTP API of the results: one result on its natural key, bulk uploads, an assessment's results."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE, BadRequest, PayloadTooLarge
from plc_shared.paging import Cursor, link_next
from plc_shared.schemas import INT32_MAX, INT64_MAX

from assessments.auth import ResultWriter, StudentReader
from assessments.results import schemas, service
from assessments.results.rules import etag

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
RESULT_ERRORS = {**ERRORS, 412: PROBLEM_RESPONSE}
BULK_ERRORS = {**ERRORS, 400: PROBLEM_RESPONSE, 413: PROBLEM_RESPONSE}

RESULTS_AREA = [Depends(permission_area("results"))]  # an API key needs results:read / results:write
router = APIRouter(prefix="/results", tags=["results"], dependencies=RESULTS_AREA)
by_assessment = APIRouter(
    prefix="/assessments/{assessment_id}/results", tags=["assessments"], dependencies=RESULTS_AREA
)

IfMatch = Annotated[
    str | None, Header(description="an ETag from a previous read: 412 when the result changed")
]


@by_assessment.get("", response_model=list[schemas.ResultRead], responses=ERRORS)
async def list_results(
    assessment_id: str,
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    class_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    cursor: Cursor = None,
):
    """The assessment's results in the caller's schools, by student id (audited). A full page carries the next
    page's address in `Link` (`rel="next"`, a `cursor`: keyset paging, each page as cheap as the first);
    `offset` still works (each page then reads every row before it)."""
    found, following = await service.list_results(
        session,
        principal=principal,
        assessment_id=assessment_id,
        class_id=class_id,
        limit=limit,
        offset=offset,
        cursor=cursor,
    )
    link_next(request, response, following)
    return found


@router.put(
    "",
    response_model=schemas.ResultRead,
    responses={**RESULT_ERRORS, 201: {"model": schemas.ResultRead}},
)
async def put_result(
    body: schemas.ResultWrite,
    response: Response,
    session: DbSession,
    principal: ResultWriter,
    if_match: IfMatch = None,
):
    """Record or correct one result on its natural key (201 created, 200 updated; If-Match → 412 when stale)."""
    result, created = await service.put_result(session, principal=principal, body=body, if_match=if_match)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(result.revision)
    return result


# POST is the same upsert, for integrations that cannot send PUT (its own operation id keeps the OpenAPI valid).
router.add_api_route(
    "",
    put_result,
    methods=["POST"],
    operation_id="post_result",
    response_model=schemas.ResultRead,
    responses={**RESULT_ERRORS, 201: {"model": schemas.ResultRead}},
)


@router.get("/{assessment_id}/{student_id}/{attempt}", response_model=schemas.ResultRead, responses=ERRORS)
async def get_result(
    assessment_id: str,
    student_id: str,
    attempt: Annotated[int, Path(ge=1, le=INT32_MAX)],
    response: Response,
    session: DbSession,
    principal: StudentReader,
):
    """One result, with its ETag."""
    result = await service.get_result(session, principal=principal, key=(assessment_id, student_id, attempt))
    response.headers["ETag"] = etag(result.revision)
    return result


@router.delete("/{assessment_id}/{student_id}/{attempt}", status_code=204, responses=RESULT_ERRORS)
async def void_result(
    assessment_id: str,
    student_id: str,
    attempt: Annotated[int, Path(ge=1, le=INT32_MAX)],
    session: DbSession,
    principal: ResultWriter,
    if_match: IfMatch = None,
) -> Response:
    """Void a result entered in error (ResultVoided)."""
    await service.void_result(
        session, principal=principal, key=(assessment_id, student_id, attempt), if_match=if_match
    )
    return Response(status_code=204)


@router.post(
    "/bulk",
    response_model=schemas.BulkReport,
    responses=BULK_ERRORS,
    openapi_extra={"requestBody": schemas.BULK_BODY},
)
async def bulk_results(
    request: Request,
    session: DbSession,
    principal: ResultWriter,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    atomic: Annotated[bool, Query(description="all or nothing: one invalid row rejects the request")] = False,
):
    """Up to 50,000 results: valid rows are committed, invalid ones reported by index, field and reason.

    Body: `BulkResults` (`{"results": [ResultWrite, ...]}`). Rows are validated one by one (a bad row never
    fails the request), so the body is read as plain JSON rather than parsed by FastAPI.
    """
    limits = request.app.state.settings
    raw = await read_limited(request, limits.bulk_max_bytes)
    try:
        body = json.loads(raw)
    except ValueError as exc:  # not UTF-8, not JSON, or a number over Python's 4,300-digit limit
        raise BadRequest(f"The body is not JSON: {exc}") from None
    rows = body.get("results") if isinstance(body, dict) else None
    code, report = await service.bulk_results(
        session,
        principal=principal,
        rows=rows,
        idempotency_key=idempotency_key,
        raw_body=raw,
        atomic=atomic,
        max_rows=limits.bulk_max_rows,
    )
    return JSONResponse(report, status_code=code)


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The body is {declared} bytes; at most {limit:,} are accepted.", limit=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The body is over {limit:,} bytes.", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)
