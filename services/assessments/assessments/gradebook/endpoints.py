"""HTTP API of the OneRoster 1.2 gradebook REST binding, at its standard path (not under /assessments).

lineItems and results map onto common formative assessments and their results; assessmentLineItems and
assessmentResults onto common summative and benchmark ones. Errors on these routes carry the binding's
imsx_StatusInfo members next to the problem+json ones (install_error_payload).
"""

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_JSON, PROBLEM_RESPONSE, ProblemError
from plc_shared.schemas import INT64_MAX
from starlette.exceptions import HTTPException as StarletteHTTPException

from assessments.auth import CurrentPrincipal, DistrictWriter, ResultWriter, StudentReader
from assessments.exceptions import BodyWrapperMissing
from assessments.gradebook import rules, service
from assessments.gradebook.schemas import LineItemIn, ResultIn

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
# A PUT answers 201 when it created the object, 200 when it replaced it.
CREATED = {201: {"description": "Created", "content": {"application/json": {}}}}
RESULT_ERRORS = {**ERRORS, 412: PROBLEM_RESPONSE, **CREATED}
LIST_ERRORS = {**ERRORS, 400: PROBLEM_RESPONSE, 413: PROBLEM_RESPONSE}


def _area(request: Request) -> str:
    """An API key needs results:* for results and assessmentResults, assessments:* for the line items."""
    collection = request.url.path.removeprefix(rules.PREFIX).split("/")[1]
    return "results" if collection in ("results", "assessmentResults") else "assessments"


router = APIRouter(
    prefix=rules.PREFIX, tags=["oneroster gradebook"], dependencies=[Depends(permission_area(_area))]
)


def _fields(allowed: frozenset[str]) -> Any:
    """`fields`, documented with the names it takes (an unknown one stays the binding's 400
    invalid_selection_field, so the pattern documents rather than validates)."""
    name = "(" + "|".join(sorted(allowed)) + ")"
    pattern = f"^{name}(,{name})*$"
    return Annotated[
        str | None,
        Query(
            description="top-level fields to return, comma separated", json_schema_extra={"pattern": pattern}
        ),
    ]


def _sort(allowed: dict[str, str]) -> Any:
    """`sort`, documented with the fields it takes (an unknown one stays the binding's 400)."""
    pattern = "^(" + "|".join(re.escape(name) for name in sorted(allowed)) + ")$"
    return Annotated[
        str | None,
        Query(
            description="a field to sort on, e.g. dateLastModified", json_schema_extra={"pattern": pattern}
        ),
    ]


LineItemSort, ResultSort = _sort(rules.LINE_ITEM_FILTERS), _sort(rules.RESULT_FILTERS)
LineItemFields = _fields(rules.LINE_ITEM_FIELDS)
ResultFields = _fields(rules.RESULT_FIELDS)
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=INT64_MAX)]
OrderBy = Annotated[
    str | None,
    Query(
        alias="orderBy", description="asc (default) or desc", json_schema_extra={"pattern": "^(asc|desc)$"}
    ),
]
Filter = Annotated[
    str | None,
    Query(alias="filter", description="field<op>'value' joined by AND / OR; ops = != > >= < <= ~"),
]


def _base(request: Request) -> str:
    """Where GUIDRef hrefs point: this service's (or, through the gateway, the gateway's) address."""
    return str(request.base_url).rstrip("/")


def _wrapped(wrapper: str, model: str, line_item: str | None = None) -> dict[str, Any]:
    """The binding's body is {"<wrapper>": {...}}: documented with the wrapper required (a body without it
    is a 400, BodyWrapperMissing), and for a result the reference to its line item that its kind needs."""
    inner: dict[str, Any] = {"$ref": f"#/components/schemas/{model}"}
    if line_item is not None:
        needed = {"required": [line_item], "properties": {line_item: {"$ref": "#/components/schemas/Ref"}}}
        inner = {"allOf": [inner, needed]}
    schema = {"required": [wrapper], "properties": {wrapper: inner}}
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


def _unwrap(body: dict[str, Any], singular: str) -> Any:
    if singular not in body:
        raise BodyWrapperMissing(singular)
    return body[singular]


def _page(collection: str, limit, offset, sort, order_by, filter_, fields) -> rules.Query:
    return rules.Query.parse(
        collection=collection,
        limit=limit,
        offset=offset,
        sort=sort,
        order_by=order_by,
        filter_=filter_,
        fields=fields,
    )


def _one(collection: str, fields: str | None) -> rules.Query:
    return _page(collection, 1, 0, None, None, None, fields)


# --- lineItems ---------------------------------------------------------------------------------------------------
@router.put(
    "/lineItems/{sourced_id}",
    responses=RESULT_ERRORS,
    openapi_extra=_wrapped("lineItem", "LineItemIn"),
    name="put_lineItem",
)
async def put_line_item(
    sourced_id: str,
    body: dict[str, LineItemIn],
    request: Request,
    response: Response,
    session: DbSession,
    principal: DistrictWriter,
):
    """OneRoster: create or replace a lineItem (201 created, 200 updated)."""
    item, created = await service.put_line_item(
        session,
        principal=principal,
        collection="lineItems",
        sourced_id=sourced_id,
        body=_unwrap(body, "lineItem"),
        base=_base(request),
    )
    response.status_code = 201 if created else 200
    return {"lineItem": item}


@router.get("/lineItems/{sourced_id}", responses=ERRORS, name="get_lineItem")
async def get_line_item(
    sourced_id: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    fields: LineItemFields = None,
):
    """OneRoster: read a lineItem."""
    query = _one("lineItems", fields)
    item = await service.get_line_item(
        session, principal=principal, collection="lineItems", sourced_id=sourced_id, base=_base(request)
    )
    return {"lineItem": query.project(item)}


@router.get("/lineItems", responses=LIST_ERRORS, name="list_lineItems")
async def list_line_items(
    request: Request,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: LineItemSort = None,
    order_by: OrderBy = None,
    filter_: Filter = None,
    fields: LineItemFields = None,
):
    """OneRoster: the lineItems the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    query = _page("lineItems", limit, offset, sort, order_by, filter_, fields)
    found, total = await service.list_line_items(
        session, principal=principal, collection="lineItems", query=query, base=_base(request)
    )
    response.headers["X-Total-Count"] = str(total)
    return {"lineItems": found}


@router.delete("/lineItems/{sourced_id}", status_code=204, responses=ERRORS, name="delete_lineItem")
async def delete_line_item(
    sourced_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """OneRoster: delete a lineItem (closes an assessment, voids a result)."""
    await service.delete_line_item(
        session, principal=principal, collection="lineItems", sourced_id=sourced_id, base=_base(request)
    )
    return Response(status_code=204)


# --- assessmentLineItems -----------------------------------------------------------------------------------------
@router.put(
    "/assessmentLineItems/{sourced_id}",
    responses=RESULT_ERRORS,
    openapi_extra=_wrapped("assessmentLineItem", "LineItemIn"),
    name="put_assessmentLineItem",
)
async def put_assessment_line_item(
    sourced_id: str,
    body: dict[str, LineItemIn],
    request: Request,
    response: Response,
    session: DbSession,
    principal: DistrictWriter,
):
    """OneRoster: create or replace a assessmentLineItem (201 created, 200 updated)."""
    item, created = await service.put_line_item(
        session,
        principal=principal,
        collection="assessmentLineItems",
        sourced_id=sourced_id,
        body=_unwrap(body, "assessmentLineItem"),
        base=_base(request),
    )
    response.status_code = 201 if created else 200
    return {"assessmentLineItem": item}


@router.get("/assessmentLineItems/{sourced_id}", responses=ERRORS, name="get_assessmentLineItem")
async def get_assessment_line_item(
    sourced_id: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    fields: LineItemFields = None,
):
    """OneRoster: read a assessmentLineItem."""
    query = _one("assessmentLineItems", fields)
    item = await service.get_line_item(
        session,
        principal=principal,
        collection="assessmentLineItems",
        sourced_id=sourced_id,
        base=_base(request),
    )
    return {"assessmentLineItem": query.project(item)}


@router.get("/assessmentLineItems", responses=LIST_ERRORS, name="list_assessmentLineItems")
async def list_assessment_line_items(
    request: Request,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: LineItemSort = None,
    order_by: OrderBy = None,
    filter_: Filter = None,
    fields: LineItemFields = None,
):
    """OneRoster: the assessmentLineItems the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    query = _page("assessmentLineItems", limit, offset, sort, order_by, filter_, fields)
    found, total = await service.list_line_items(
        session, principal=principal, collection="assessmentLineItems", query=query, base=_base(request)
    )
    response.headers["X-Total-Count"] = str(total)
    return {"assessmentLineItems": found}


@router.delete(
    "/assessmentLineItems/{sourced_id}", status_code=204, responses=ERRORS, name="delete_assessmentLineItem"
)
async def delete_assessment_line_item(
    sourced_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """OneRoster: delete a assessmentLineItem (closes an assessment, voids a result)."""
    await service.delete_line_item(
        session,
        principal=principal,
        collection="assessmentLineItems",
        sourced_id=sourced_id,
        base=_base(request),
    )
    return Response(status_code=204)


# --- results -----------------------------------------------------------------------------------------------------
@router.put(
    "/results/{sourced_id}",
    responses=RESULT_ERRORS,
    openapi_extra=_wrapped("result", "ResultIn", "lineItem"),
    name="put_result",
)
async def put_result(
    sourced_id: str,
    body: dict[str, ResultIn],
    request: Request,
    response: Response,
    session: DbSession,
    principal: ResultWriter,
):
    """OneRoster: create or replace a result (201 created, 200 updated)."""
    item, created = await service.put_result(
        session,
        principal=principal,
        collection="results",
        sourced_id=sourced_id,
        body=_unwrap(body, "result"),
        base=_base(request),
    )
    response.status_code = 201 if created else 200
    return {"result": item}


@router.get("/results/{sourced_id}", responses=ERRORS, name="get_result")
async def get_result(
    sourced_id: str,
    request: Request,
    session: DbSession,
    principal: StudentReader,
    fields: ResultFields = None,
):
    """OneRoster: read a result."""
    query = _one("results", fields)
    item = await service.get_result(
        session, principal=principal, collection="results", sourced_id=sourced_id, base=_base(request)
    )
    return {"result": query.project(item)}


@router.get("/results", responses=LIST_ERRORS, name="list_results")
async def list_results(
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: ResultSort = None,
    order_by: OrderBy = None,
    filter_: Filter = None,
    fields: ResultFields = None,
):
    """OneRoster: the results the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    query = _page("results", limit, offset, sort, order_by, filter_, fields)
    found, total = await service.list_results(
        session, principal=principal, collection="results", query=query, base=_base(request)
    )
    response.headers["X-Total-Count"] = str(total)
    return {"results": found}


@router.delete("/results/{sourced_id}", status_code=204, responses=ERRORS, name="delete_result")
async def delete_result(sourced_id: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    """OneRoster: delete a result (closes an assessment, voids a result)."""
    await service.delete_result(session, principal=principal, sourced_id=sourced_id)
    return Response(status_code=204)


# --- assessmentResults -------------------------------------------------------------------------------------------
@router.put(
    "/assessmentResults/{sourced_id}",
    responses=RESULT_ERRORS,
    openapi_extra=_wrapped("assessmentResult", "ResultIn", "assessmentLineItem"),
    name="put_assessmentResult",
)
async def put_assessment_result(
    sourced_id: str,
    body: dict[str, ResultIn],
    request: Request,
    response: Response,
    session: DbSession,
    principal: ResultWriter,
):
    """OneRoster: create or replace a assessmentResult (201 created, 200 updated)."""
    item, created = await service.put_result(
        session,
        principal=principal,
        collection="assessmentResults",
        sourced_id=sourced_id,
        body=_unwrap(body, "assessmentResult"),
        base=_base(request),
    )
    response.status_code = 201 if created else 200
    return {"assessmentResult": item}


@router.get("/assessmentResults/{sourced_id}", responses=ERRORS, name="get_assessmentResult")
async def get_assessment_result(
    sourced_id: str,
    request: Request,
    session: DbSession,
    principal: StudentReader,
    fields: ResultFields = None,
):
    """OneRoster: read a assessmentResult."""
    query = _one("assessmentResults", fields)
    item = await service.get_result(
        session,
        principal=principal,
        collection="assessmentResults",
        sourced_id=sourced_id,
        base=_base(request),
    )
    return {"assessmentResult": query.project(item)}


@router.get("/assessmentResults", responses=LIST_ERRORS, name="list_assessmentResults")
async def list_assessment_results(
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    limit: Limit = 100,
    offset: Offset = 0,
    sort: ResultSort = None,
    order_by: OrderBy = None,
    filter_: Filter = None,
    fields: ResultFields = None,
):
    """OneRoster: the assessmentResults the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    query = _page("assessmentResults", limit, offset, sort, order_by, filter_, fields)
    found, total = await service.list_results(
        session, principal=principal, collection="assessmentResults", query=query, base=_base(request)
    )
    response.headers["X-Total-Count"] = str(total)
    return {"assessmentResults": found}


@router.delete(
    "/assessmentResults/{sourced_id}", status_code=204, responses=ERRORS, name="delete_assessmentResult"
)
async def delete_assessment_result(
    sourced_id: str, session: DbSession, principal: CurrentPrincipal
) -> Response:
    """OneRoster: delete a assessmentResult (closes an assessment, voids a result)."""
    await service.delete_result(session, principal=principal, sourced_id=sourced_id)
    return Response(status_code=204)


# --- the binding's error payload ---------------------------------------------------------------------------------
def install_error_payload(app: FastAPI) -> None:
    """Errors of the gradebook routes carry the binding's imsx_StatusInfo members (rules.imsx_body) next to the
    RFC 9457 members every other route answers with. The app's handlers still render (the transaction is rolled
    back before they run); this only reshapes their answer on the binding's paths."""
    for exc_class in (ProblemError, RequestValidationError, StarletteHTTPException, Exception):
        default = app.exception_handlers[exc_class]

        async def handler(request: Request, exc: Exception, default=default) -> Any:
            response = await default(request, exc)
            if not request.url.path.startswith(rules.PREFIX):
                return response
            return _imsx(response)

        app.add_exception_handler(exc_class, handler)


def _imsx(response: JSONResponse) -> JSONResponse:
    body = rules.imsx_body(json.loads(response.body), response.status_code)
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
    }
    # Still an RFC 9457 problem (the imsx members are extension members), so still problem+json.
    return JSONResponse(body, status_code=response.status_code, headers=headers, media_type=PROBLEM_JSON)
