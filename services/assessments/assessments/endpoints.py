"""HTTP API of the assessments service: parse, call the service, answer."""

import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from plc_shared.auth import CurrentPrincipal
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE, BadRequest, PayloadTooLarge

from assessments import gradebook, schemas, service
from assessments.ingest import etag

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
RESULT_ERRORS = {**ERRORS, 412: PROBLEM_RESPONSE}
BULK_ERRORS = {**ERRORS, 400: PROBLEM_RESPONSE, 413: PROBLEM_RESPONSE}

roster = APIRouter(prefix="/roster", tags=["roster"])
standards = APIRouter(prefix="/standards", tags=["standards"])
assessments = APIRouter(prefix="/assessments", tags=["assessments"])
results = APIRouter(prefix="/results", tags=["results"])

IfMatch = Annotated[
    str | None, Header(description="an ETag from a previous read: 412 when the result changed")
]


def _roster_route(kind: str, record: type[schemas.RosterRecord]) -> None:
    body_type = schemas.RosterUpsert[record]  # type: ignore[valid-type]

    async def upsert(
        body: body_type, session: DbSession, principal: CurrentPrincipal
    ) -> schemas.RosterUpserted:  # type: ignore[valid-type]
        return await service.upsert_roster(session, principal, kind=kind, records=body.records)

    upsert.__doc__ = f"Insert or update {kind} by sourcedId (status=tobedeleted marks them deleted)."
    roster.add_api_route(
        f"/{kind}",
        upsert,
        methods=["PUT"],
        response_model=schemas.RosterUpserted,
        responses=ERRORS,
        name=f"upsert_{kind.replace('-', '_')}",
    )


for _kind, (_model, _record) in service.ROSTER_KINDS.items():
    _roster_route(_kind, _record)


@roster.get("/schools", response_model=list[schemas.SchoolRead], responses=ERRORS)
async def list_schools(session: DbSession, principal: CurrentPrincipal):
    """The active schools the caller can see."""
    return await service.list_schools(session, principal)


@roster.get("/classes", response_model=list[schemas.ClassRead], responses=ERRORS)
async def list_classes(session: DbSession, principal: CurrentPrincipal, school_id: str | None = None):
    """The active classes (with their teachers) of the schools the caller can see."""
    return await service.list_classes(session, principal, school_id=school_id)


@roster.get("/classes/{class_id}/students", response_model=list[schemas.StudentRead], responses=ERRORS)
async def class_students(class_id: str, session: DbSession, principal: CurrentPrincipal):
    """The students enrolled in a class (audited)."""
    return await service.class_students(session, principal, class_id=class_id)


@standards.post("", status_code=201, response_model=schemas.StandardRead, responses=ERRORS)
async def create_standard(body: schemas.StandardCreate, session: DbSession, principal: CurrentPrincipal):
    """Add a learning standard of the caller's district."""
    return await service.create_standard(session, principal, body=body)


@standards.get("", response_model=list[schemas.StandardRead], responses=ERRORS)
async def list_standards(
    session: DbSession, principal: CurrentPrincipal, subject: str | None = None, grade: str | None = None
):
    """The district's standards, by code, with their essential flags."""
    return await service.list_standards(session, principal, subject=subject, grade=grade)


@standards.get("/{standard_id}", response_model=schemas.StandardRead, responses=ERRORS)
async def get_standard(standard_id: str, session: DbSession, principal: CurrentPrincipal):
    """One standard with its essential flags."""
    return await service.get_standard(session, principal, standard_id=standard_id)


@standards.put("/{standard_id}/essential", response_model=schemas.StandardRead, responses=ERRORS)
async def mark_essential(
    standard_id: str, flag: schemas.EssentialFlag, session: DbSession, principal: CurrentPrincipal
):
    """Mark a standard essential for a course or a grade."""
    return await service.set_essential(session, principal, standard_id=standard_id, flag=flag, essential=True)


@standards.delete("/{standard_id}/essential", response_model=schemas.StandardRead, responses=ERRORS)
async def unmark_essential(
    standard_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    scope: Annotated[str, Query(pattern="^(course|grade)$")],
    value: str,
):
    """Remove an essential flag."""
    flag = schemas.EssentialFlag(scope=scope, value=value)  # type: ignore[arg-type]
    return await service.set_essential(
        session, principal, standard_id=standard_id, flag=flag, essential=False
    )


@assessments.post("", status_code=201, response_model=schemas.AssessmentRead, responses=ERRORS)
async def create_assessment(body: schemas.AssessmentCreate, session: DbSession, principal: CurrentPrincipal):
    """Create a draft assessment with its objectives and items."""
    return await service.create_assessment(session, principal, body=body)


@assessments.get("", response_model=list[schemas.AssessmentRead], responses=ERRORS)
async def list_assessments(
    session: DbSession, principal: CurrentPrincipal, status: str | None = None, school_id: str | None = None
):
    """The assessments the caller can see (without objectives and items)."""
    return await service.list_assessments(session, principal, status=status, school_id=school_id)


@assessments.get("/{assessment_id}", response_model=schemas.AssessmentRead, responses=ERRORS)
async def get_assessment(assessment_id: str, session: DbSession, principal: CurrentPrincipal):
    """One assessment with its objectives and items."""
    return await service.get_assessment(session, principal, assessment_id=assessment_id)


@assessments.put("/{assessment_id}", response_model=schemas.AssessmentRead, responses=ERRORS)
async def update_assessment(
    assessment_id: str, body: schemas.AssessmentUpdate, session: DbSession, principal: CurrentPrincipal
):
    """Replace a draft assessment (409 once it is published)."""
    return await service.update_assessment(session, principal, assessment_id=assessment_id, body=body)


@assessments.post("/{assessment_id}/publish", response_model=schemas.AssessmentRead, responses=ERRORS)
async def publish_assessment(assessment_id: str, session: DbSession, principal: CurrentPrincipal):
    """Publish a draft: results are accepted from now on (AssessmentPublished)."""
    return await service.transition(session, principal, assessment_id=assessment_id, to="published")


@assessments.post("/{assessment_id}/close", response_model=schemas.AssessmentRead, responses=ERRORS)
async def close_assessment(assessment_id: str, session: DbSession, principal: CurrentPrincipal):
    """Close a published assessment: no more results (AssessmentClosed)."""
    return await service.transition(session, principal, assessment_id=assessment_id, to="closed")


@assessments.get("/{assessment_id}/analysis", response_model=schemas.Analysis, responses=ERRORS)
async def analyse_assessment(
    assessment_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    school_id: str | None = None,
    class_id: str | None = None,
    grade: str | None = None,
):
    """Distribution, proficiency per level/standard/class, item analysis, students below the cut on essentials."""
    return await service.analyse_assessment(
        session, principal, assessment_id=assessment_id, school_id=school_id, class_id=class_id, grade=grade
    )


@assessments.get("/{assessment_id}/results", response_model=list[schemas.ResultRead], responses=ERRORS)
async def list_results(
    assessment_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    class_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """The assessment's results in the caller's schools, by student id (audited)."""
    return await service.list_results(
        session, principal, assessment_id=assessment_id, class_id=class_id, limit=limit, offset=offset
    )


@results.put(
    "",
    response_model=schemas.ResultRead,
    responses={**RESULT_ERRORS, 201: {"model": schemas.ResultRead}},
)
async def put_result(
    body: schemas.ResultWrite,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    if_match: IfMatch = None,
):
    """Record or correct one result on its natural key (201 created, 200 updated; If-Match → 412 when stale)."""
    result, created = await service.put_result(session, principal, body=body, if_match=if_match)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(result.revision)
    return result


# POST is the same upsert, for integrations that cannot send PUT (its own operation id keeps the OpenAPI valid).
results.add_api_route(
    "",
    put_result,
    methods=["POST"],
    operation_id="post_result",
    response_model=schemas.ResultRead,
    responses={**RESULT_ERRORS, 201: {"model": schemas.ResultRead}},
)


@results.get("/{assessment_id}/{student_id}/{attempt}", response_model=schemas.ResultRead, responses=ERRORS)
async def get_result(
    assessment_id: str,
    student_id: str,
    attempt: int,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
):
    """One result, with its ETag."""
    result = await service.get_result(session, principal, key=(assessment_id, student_id, attempt))
    response.headers["ETag"] = etag(result.revision)
    return result


@results.delete("/{assessment_id}/{student_id}/{attempt}", status_code=204, responses=RESULT_ERRORS)
async def void_result(
    assessment_id: str,
    student_id: str,
    attempt: int,
    session: DbSession,
    principal: CurrentPrincipal,
    if_match: IfMatch = None,
) -> Response:
    """Void a result entered in error (ResultVoided)."""
    await service.void_result(session, principal, key=(assessment_id, student_id, attempt), if_match=if_match)
    return Response(status_code=204)


@results.post("/bulk", response_model=schemas.BulkReport, responses=BULK_ERRORS)
async def bulk_results(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    atomic: Annotated[bool, Query(description="all or nothing: one invalid row rejects the request")] = False,
):
    """Up to 50,000 results: valid rows are committed, invalid ones reported by index, field and reason.

    Body: `{"results": [{assessment_id, student_id, attempt, score_status, total_score, objective_scores,
    item_scores, assessed_on, school_id}, ...]}`. Rows are validated one by one (a bad row never fails the
    request), so the body is read as plain JSON rather than through a schema.
    """
    limits = request.app.state.settings
    raw = await _read_limited(request, limits.bulk_max_bytes)
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"The body is not JSON: {exc}") from None
    rows = body.get("results") if isinstance(body, dict) else None
    code, report = await service.bulk_results(
        session,
        principal,
        rows=rows,
        idempotency_key=idempotency_key,
        raw_body=raw,
        atomic=atomic,
        max_rows=limits.bulk_max_rows,
    )
    return JSONResponse(report, status_code=code)


async def _read_limited(request: Request, limit: int) -> bytes:
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


imports = APIRouter(prefix="/imports", tags=["imports"])


@imports.post("/oneroster", response_model=schemas.ImportReport, responses=BULK_ERRORS)
async def import_oneroster(request: Request, session: DbSession, principal: CurrentPrincipal):
    """Import a OneRoster 1.2 CSV package (the zip as the body): roster, line items and results, one report."""
    data = await _read_limited(request, request.app.state.settings.import_max_bytes)
    return await service.import_oneroster(session, principal, data=data)


oneroster = APIRouter(prefix="/ims/oneroster/gradebook/v1p2", tags=["oneroster gradebook"])
ONEROSTER = {  # collection -> (singular wrapper, is a line item collection)
    "lineItems": ("lineItem", True),
    "assessmentLineItems": ("assessmentLineItem", True),
    "results": ("result", False),
    "assessmentResults": ("assessmentResult", False),
}


def _base(request: Request) -> str:
    """Where GUIDRef hrefs point: this service's (or, through the gateway, the gateway's) address."""
    return str(request.base_url).rstrip("/")


def _oneroster_routes(collection: str, singular: str, is_line_item: bool) -> None:
    body_model = gradebook.LineItemIn if is_line_item else gradebook.ResultIn
    plural = collection

    async def put(
        sourced_id: str,
        body: dict[str, body_model],
        request: Request,
        response: Response,
        session: DbSession,
        principal: CurrentPrincipal,
    ):  # type: ignore[valid-type]
        if singular not in body:
            raise BadRequest(f'The body must be {{"{singular}": {{...}}}}.')
        writer = gradebook.put_line_item if is_line_item else gradebook.put_result
        item, created = await writer(
            session,
            principal,
            collection=collection,
            sourced_id=sourced_id,
            body=body[singular],
            base=_base(request),
        )
        response.status_code = 201 if created else 200
        return {singular: item}

    async def get(
        sourced_id: str,
        request: Request,
        session: DbSession,
        principal: CurrentPrincipal,
        fields: Annotated[
            str | None, Query(description="top-level fields to return, comma separated")
        ] = None,
    ):
        reader = gradebook.get_line_item if is_line_item else gradebook.get_result
        query = gradebook.Query.parse(
            collection=collection, limit=1, offset=0, sort=None, order_by=None, filter_=None, fields=fields
        )
        item = await reader(
            session, principal, collection=collection, sourced_id=sourced_id, base=_base(request)
        )
        return {singular: query.project(item)}

    async def list_(
        request: Request,
        response: Response,
        session: DbSession,
        principal: CurrentPrincipal,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
        sort: Annotated[str | None, Query(description="a field to sort on, e.g. dateLastModified")] = None,
        order_by: Annotated[str | None, Query(alias="orderBy", description="asc (default) or desc")] = None,
        filter_: Annotated[
            str | None,
            Query(alias="filter", description="field<op>'value' joined by AND / OR; ops = != > >= < <= ~"),
        ] = None,
        fields: Annotated[
            str | None, Query(description="top-level fields to return, comma separated")
        ] = None,
    ):
        query = gradebook.Query.parse(
            collection=collection,
            limit=limit,
            offset=offset,
            sort=sort,
            order_by=order_by,
            filter_=filter_,
            fields=fields,
        )
        lister = gradebook.list_line_items if is_line_item else gradebook.list_results
        found, total = await lister(
            session, principal, collection=collection, query=query, base=_base(request)
        )
        response.headers["X-Total-Count"] = str(total)
        return {plural: found}

    async def delete(
        sourced_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
    ) -> Response:
        if is_line_item:
            await gradebook.delete_line_item(
                session, principal, collection=collection, sourced_id=sourced_id, base=_base(request)
            )
        else:
            await gradebook.delete_result(session, principal, sourced_id=sourced_id)
        return Response(status_code=204)

    put.__doc__ = f"OneRoster: create or replace a {singular} (201 created, 200 updated)."
    get.__doc__ = f"OneRoster: read a {singular}."
    list_.__doc__ = (
        f"OneRoster: the {plural} the caller can see (limit, offset, sort, orderBy, filter, fields)."
    )
    delete.__doc__ = f"OneRoster: delete a {singular} (closes an assessment, voids a result)."
    path = f"/{collection}/{{sourced_id}}"
    oneroster.add_api_route(path, put, methods=["PUT"], responses=RESULT_ERRORS, name=f"put_{singular}")
    oneroster.add_api_route(path, get, methods=["GET"], responses=ERRORS, name=f"get_{singular}")
    oneroster.add_api_route(
        f"/{collection}", list_, methods=["GET"], responses=BULK_ERRORS, name=f"list_{plural}"
    )
    oneroster.add_api_route(
        path, delete, methods=["DELETE"], status_code=204, responses=ERRORS, name=f"delete_{singular}"
    )


for _collection, (_singular, _is_line_item) in ONEROSTER.items():
    _oneroster_routes(_collection, _singular, _is_line_item)


# Mounted under /assessments (the gateway forwards that prefix); OneRoster keeps its standard path.
ROUTERS = (roster, standards, assessments, results, imports)
ROOT_ROUTERS = (oneroster,)
