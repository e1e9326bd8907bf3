"""HTTP API of the OneRoster 1.2 gradebook REST binding, at its standard path (not under /assessments).

lineItems and results map onto common formative assessments and their results; assessmentLineItems and
assessmentResults onto common summative and benchmark ones. Errors on these routes are the binding's
imsx_StatusInfo (install_error_payload, plc_shared.oneroster); a part of the binding we do not serve answers
codeMajor `unsupported` (UNSERVED, in place of the router's 404 / 405). Hrefs are built on the address the caller used (plc_shared.oneroster.
public_base); paged lists carry X-Total-Count and a Link header (first, prev, next, last).
"""

import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from plc_shared import oneroster
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import ProblemError
from plc_shared.oneroster import imsx_response
from plc_shared.schemas import INT64_MAX
from starlette.exceptions import HTTPException as StarletteHTTPException

from assessments.auth import CurrentPrincipal, DistrictWriter, ResultWriter, StudentReader
from assessments.exceptions import BodyWrapperMissing
from assessments.gradebook import rules, service
from assessments.gradebook.repository import CATEGORIES, COLLECTIONS, USERS, Collection
from assessments.gradebook.rules import PREFIX, ROSTERING
from assessments.gradebook.schemas import LineItemIn, ResultIn
from assessments.gradebook.service import get_object, get_user, list_objects, list_users

# Every refusal on the binding's paths is imsx_StatusInfo (plc_shared.oneroster), never problem+json.
ERRORS = {code: imsx_response() for code in (401, 403, 404, 409, 422)}
# A PUT answers 201, created or replaced, as the binding's put operations do.
CREATED = {201: {"description": "Created", "content": {"application/json": {}}}}
RESULT_ERRORS = {**ERRORS, 412: imsx_response(), **CREATED}
LIST_ERRORS = {**ERRORS, 400: imsx_response(), 413: imsx_response()}


def _area(request: Request) -> str:
    """An API key needs results:* for results and assessmentResults (a class's too), assessments:* for the line
    items."""
    path = request.url.path
    collection = path.removeprefix(rules.PREFIX).split("/")[1]
    results = collection in ("results", "assessmentResults") or path.endswith("/results")
    return "results" if results else "assessments"


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
AssessmentLineItemSort = _sort(rules.ASSESSMENT_LINE_ITEM_FILTERS)
AssessmentResultSort = _sort(rules.ASSESSMENT_RESULT_FILTERS)
LineItemFields = _fields(rules.LINE_ITEM_FIELDS)
AssessmentLineItemFields = _fields(rules.ASSESSMENT_LINE_ITEM_FIELDS)
ResultFields = _fields(rules.RESULT_FIELDS)
AssessmentResultFields = _fields(rules.ASSESSMENT_RESULT_FIELDS)
ScoreScaleSort, ScoreScaleFields = _sort(rules.SCORE_SCALE_FILTERS), _fields(rules.SCORE_SCALE_FIELDS)
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
    """Where GUIDRef hrefs point: the address the caller used (through the gateway, the gateway's public one)."""
    return oneroster.public_base(request.headers, str(request.base_url))


def _paged(request: Request, response: Response, query: rules.Query, total: int) -> None:
    """X-Total-Count and the Link header (first, prev, next, last) of a page, on the caller's address."""
    response.headers["X-Total-Count"] = str(total)
    url = _base(request) + request.url.path
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
    last = max(total - 1, 0) // query.limit * query.limit
    pages = {"first": 0, "last": last}
    if query.offset > 0:
        pages["prev"] = max(query.offset - query.limit, 0)
    if query.offset + query.limit < total:
        pages["next"] = query.offset + query.limit
    links = [
        f'<{url}?{urlencode([*params, ("limit", query.limit), ("offset", offset)])}>; rel="{rel}"'
        for rel, offset in pages.items()
    ]
    response.headers["Link"] = ", ".join(links)


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


def _page_of(collection: str, sort_type: Any, fields_type: Any) -> Any:
    """The paging, sorting, filtering and projection a list route of `collection` takes (the binding's query
    parameters), parsed into a `rules.Query` by one dependency."""

    def query(
        limit: Limit = 100,
        offset: Offset = 0,
        sort: sort_type = None,
        order_by: OrderBy = None,
        filter_: Filter = None,
        fields: fields_type = None,
    ) -> rules.Query:
        return _page(collection, limit, offset, sort, order_by, filter_, fields)

    return Annotated[rules.Query, Depends(query)]


LineItemsPage = _page_of("lineItems", LineItemSort, LineItemFields)
AssessmentLineItemsPage = _page_of("assessmentLineItems", AssessmentLineItemSort, AssessmentLineItemFields)
ResultsPage = _page_of("results", ResultSort, ResultFields)
AssessmentResultsPage = _page_of("assessmentResults", AssessmentResultSort, AssessmentResultFields)
ScoreScalesPage = _page_of("scoreScales", ScoreScaleSort, ScoreScaleFields)


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
    """OneRoster: create or replace a lineItem (201, created or replaced)."""
    item, _created = await service.put_line_item(
        session,
        principal=principal,
        collection="lineItems",
        sourced_id=sourced_id,
        body=_unwrap(body, "lineItem"),
        base=_base(request),
    )
    response.status_code = 201
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
    query: LineItemsPage,
):
    """OneRoster: the lineItems the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    found, total = await service.list_line_items(
        session, principal=principal, collection="lineItems", query=query, base=_base(request)
    )
    _paged(request, response, query, total)
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
    """OneRoster: create or replace a assessmentLineItem (201, created or replaced)."""
    item, _created = await service.put_line_item(
        session,
        principal=principal,
        collection="assessmentLineItems",
        sourced_id=sourced_id,
        body=_unwrap(body, "assessmentLineItem"),
        base=_base(request),
    )
    response.status_code = 201
    return {"assessmentLineItem": item}


@router.get("/assessmentLineItems/{sourced_id}", responses=ERRORS, name="get_assessmentLineItem")
async def get_assessment_line_item(
    sourced_id: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    fields: AssessmentLineItemFields = None,
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
    query: AssessmentLineItemsPage,
):
    """OneRoster: the assessmentLineItems the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    found, total = await service.list_line_items(
        session, principal=principal, collection="assessmentLineItems", query=query, base=_base(request)
    )
    _paged(request, response, query, total)
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
    """OneRoster: create or replace a result (201, created or replaced)."""
    item, _created = await service.put_result(
        session,
        principal=principal,
        collection="results",
        sourced_id=sourced_id,
        body=_unwrap(body, "result"),
        base=_base(request),
    )
    response.status_code = 201
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
    query: ResultsPage,
):
    """OneRoster: the results the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    found, total = await service.list_results(
        session, principal=principal, collection="results", query=query, base=_base(request)
    )
    _paged(request, response, query, total)
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
    """OneRoster: create or replace a assessmentResult (201, created or replaced)."""
    item, _created = await service.put_result(
        session,
        principal=principal,
        collection="assessmentResults",
        sourced_id=sourced_id,
        body=_unwrap(body, "assessmentResult"),
        base=_base(request),
    )
    response.status_code = 201
    return {"assessmentResult": item}


@router.get("/assessmentResults/{sourced_id}", responses=ERRORS, name="get_assessmentResult")
async def get_assessment_result(
    sourced_id: str,
    request: Request,
    session: DbSession,
    principal: StudentReader,
    fields: AssessmentResultFields = None,
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
    query: AssessmentResultsPage,
):
    """OneRoster: the assessmentResults the caller can see (limit, offset, sort, orderBy, filter, fields)."""
    found, total = await service.list_results(
        session, principal=principal, collection="assessmentResults", query=query, base=_base(request)
    )
    _paged(request, response, query, total)
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


# --- scoreScales (imported from CSV; read here so a line item's scoreScale href resolves) ---------------------------


@router.get("/scoreScales/{sourced_id}", responses=ERRORS, name="get_scoreScale")
async def get_score_scale(
    sourced_id: str,
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    fields: ScoreScaleFields = None,
):
    """OneRoster getScoreScale."""
    query = _one("scoreScales", fields)
    found = await service.get_score_scale(
        session, principal=principal, sourced_id=sourced_id, base=_base(request)
    )
    return {"scoreScale": query.project(found)}


@router.get("/scoreScales", responses=LIST_ERRORS, name="list_scoreScales")
async def list_score_scales(
    request: Request,
    response: Response,
    session: DbSession,
    principal: CurrentPrincipal,
    query: ScoreScalesPage,
):
    """OneRoster getAllScoreScales: the district's score scales."""
    found, total = await service.list_score_scales(
        session, principal=principal, query=query, base=_base(request)
    )
    _paged(request, response, query, total)
    return {"scoreScales": found}


# --- class-scoped reads (plc_shared.scope: a teacher, their own classes; another class is a 404) -------------------
@router.get("/classes/{class_id}/lineItems", responses=LIST_ERRORS, name="list_class_lineItems")
async def list_class_line_items(
    class_id: str,
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    query: LineItemsPage,
):
    """OneRoster getLineItemsForClass: the class's lineItems (limit, offset, sort, orderBy, filter, fields)."""
    found, total = await service.list_class_line_items(
        session, principal=principal, class_id=class_id, query=query, base=_base(request)
    )
    _paged(request, response, query, total)
    return {"lineItems": found}


async def _class_results(request, response, session, principal, class_id, query, **which) -> dict:
    found, total = await service.list_class_results(
        session, principal=principal, class_id=class_id, query=query, base=_base(request), **which
    )
    _paged(request, response, query, total)
    return {"results": found}


@router.get("/classes/{class_id}/results", responses=LIST_ERRORS, name="list_class_results")
async def list_class_results(
    class_id: str,
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    query: ResultsPage,
):
    """OneRoster getResultsForClass: results on the class's lineItems."""
    return await _class_results(request, response, session, principal, class_id, query)


@router.get(
    "/classes/{class_id}/lineItems/{line_item_id}/results",
    responses=LIST_ERRORS,
    name="list_class_lineItem_results",
)
async def list_class_line_item_results(
    class_id: str,
    line_item_id: str,
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    query: ResultsPage,
):
    """OneRoster getResultsForLineItemForClass: results on one of the class's lineItems."""
    return await _class_results(
        request, response, session, principal, class_id, query, line_item=line_item_id
    )


@router.get(
    "/classes/{class_id}/students/{student_id}/results",
    responses=LIST_ERRORS,
    name="list_class_student_results",
)
async def list_class_student_results(
    class_id: str,
    student_id: str,
    request: Request,
    response: Response,
    session: DbSession,
    principal: StudentReader,
    query: ResultsPage,
):
    """OneRoster getResultsForStudentForClass: one student's results on the class's lineItems."""
    return await _class_results(request, response, session, principal, class_id, query, student=student_id)


# --- what the binding has that we do not serve ------------------------------------------------------------------
# The gradebook service's operations (1EdTech OneRoster 1.2 Gradebook OpenAPI, as listed by LongsightGroup/oneroster
# src/v1p2/rest/operation.generated.ts) that are not routes above: answered codeMajor `unsupported`, not 404: with
# 405 and its Allow header where we serve another method of the path, 501 where we serve none.
# The README's conformance table lists them.
UNSERVED = {
    "/categories/{id}": ("PUT", "DELETE"),
    "/scoreScales/{id}": ("PUT", "DELETE"),
    "/classes/{id}/academicSessions/{id}/results": ("POST",),
    "/classes/{id}/categories": ("GET",),
    "/classes/{id}/lineItems": ("POST",),
    "/classes/{id}/scoreScales": ("GET",),
    "/lineItems/{id}/results": ("POST",),
    "/schools/{id}/lineItems": ("POST",),
    "/schools/{id}/scoreScales": ("GET",),
}


# The rostering service's reads (same source) that are not served: we serve only the objects the gradebook's hrefs
# point to (repository.COLLECTIONS); enrollments, demographics and the nested reads answer `unsupported` too.
UNSERVED_ROSTERING = {
    "/demographics": ("GET",),
    "/demographics/{id}": ("GET",),
    "/enrollments": ("GET",),
    "/enrollments/{id}": ("GET",),
    "/classes/{id}/students": ("GET",),
    "/classes/{id}/teachers": ("GET",),
    "/courses/{id}/classes": ("GET",),
    "/schools/{id}/classes": ("GET",),
    "/schools/{id}/classes/{id}/enrollments": ("GET",),
    "/schools/{id}/classes/{id}/students": ("GET",),
    "/schools/{id}/classes/{id}/teachers": ("GET",),
    "/schools/{id}/courses": ("GET",),
    "/schools/{id}/enrollments": ("GET",),
    "/schools/{id}/students": ("GET",),
    "/schools/{id}/teachers": ("GET",),
    "/schools/{id}/terms": ("GET",),
    "/students/{id}/classes": ("GET",),
    "/teachers/{id}/classes": ("GET",),
    "/terms/{id}/classes": ("GET",),
    "/terms/{id}/gradingPeriods": ("GET",),
    "/users/{id}/classes": ("GET",),
}


class Unsupported(ProblemError):
    status, title = 501, "Not served"
    code_minor = "unsupported"

    def __init__(self, method: str, path: str, router_said: StarletteHTTPException | None = None) -> None:
        super().__init__(
            f"{method} {path} is part of OneRoster 1.2 but not served here (see the conformance table).",
            headers=dict(router_said.headers or {}) if router_said is not None else None,
        )
        if router_said is not None and router_said.status_code == 405:
            self.status, self.title = (
                405,
                "Method Not Allowed",
            )  # the path is served: its other methods in Allow


def _template(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/" + "/".join("{id}" if i % 2 else p for i, p in enumerate(parts))


def unserved(method: str, path: str, router_said: StarletteHTTPException | None = None) -> Unsupported | None:
    """A method and path of the binding we do not serve (no route of ours: 404 or 405): `unsupported`."""
    for prefix, table in ((rules.PREFIX, UNSERVED), (rules.ROSTERING, UNSERVED_ROSTERING)):
        if path.startswith(prefix + "/") and method in table.get(_template(path.removeprefix(prefix)), ()):
            return Unsupported(method, path.removeprefix(prefix), router_said)
    return None


# --- the binding's error payload ---------------------------------------------------------------------------------
def install_error_payload(app: FastAPI) -> None:
    """Errors on /ims/oneroster/... are exactly the binding's imsx_StatusInfo (plc_shared.oneroster), not RFC
    9457. The app's handlers still render first (the transaction is rolled back before they run; they log);
    this only says their answer in the binding's terms on the binding's paths."""
    problem_default = app.exception_handlers[ProblemError]
    for exc_class in (ProblemError, RequestValidationError, StarletteHTTPException, Exception):
        default = app.exception_handlers[exc_class]

        async def handler(request: Request, exc: Exception, default=default) -> Any:
            if isinstance(exc, StarletteHTTPException) and exc.status_code in (404, 405):
                unsupported = unserved(request.method, request.url.path, exc)
                if unsupported is not None:
                    exc, default = unsupported, problem_default
            response = await default(request, exc)
            if not oneroster.is_oneroster(request.url.path):
                return response
            problem = json.loads(response.body)
            if isinstance(exc, ProblemError) and getattr(exc, "code_minor", None):
                problem.setdefault("code_minor", exc.code_minor)
            headers = {
                k: v
                for k, v in response.headers.items()
                if k.lower() not in ("content-length", "content-type")
            }
            status = response.status_code
            return oneroster.response(status, oneroster.from_problem(problem, status), headers)

        app.add_exception_handler(exc_class, handler)


# --- the rostering reads and the categories (repository.COLLECTIONS) -----------------------------------------------------------------------------------------------------
rostering_router = APIRouter(prefix=ROSTERING, tags=["oneroster rostering"], dependencies=[Depends(permission_area("rosters"))])  # fmt: skip
categories_router = APIRouter(
    prefix=PREFIX, tags=["oneroster gradebook"], dependencies=[Depends(permission_area("assessments"))]
)


def _page_dependency(fields_key: str) -> Any:
    """The list dependency of a rostering collection or the categories (`_page_of` with their field tables)."""
    selectable, filterable = rules.COLLECTION_FIELDS[fields_key]
    return _page_of(fields_key, _sort(filterable), _fields(selectable))


def _object_routes(target: APIRouter, collection: Collection) -> None:
    page_type = _page_dependency(collection.fields)
    fields_type = _fields(rules.COLLECTION_FIELDS[collection.fields][0])
    operation = collection.path[:-1] if collection.path != "classes" else "class"
    name = operation[0].upper() + operation[1:]
    reader = CurrentPrincipal if collection is CATEGORIES else StudentReader

    async def list_route(
        request: Request,
        response: Response,
        session: DbSession,
        principal: reader,
        query: page_type,
    ) -> dict[str, Any]:
        found, total = await list_objects(
            session, principal=principal, collection=collection, query=query, base=_base(request)
        )
        _paged(request, response, query, total)
        return {collection.plural: found}

    async def get_route(
        sourced_id: str,
        request: Request,
        session: DbSession,
        principal: reader,
        fields: fields_type = None,
    ) -> dict[str, Any]:
        query = _one(collection.fields, fields)
        found = await get_object(
            session, principal=principal, collection=collection, sourced_id=sourced_id, base=_base(request)
        )
        return {collection.singular: query.project(found)}

    plural = collection.path[0].upper() + collection.path[1:]
    list_route.__doc__ = f"OneRoster getAll{plural} (limit, offset, sort, orderBy, filter, fields)."
    get_route.__doc__ = f"OneRoster get{name}."
    target.add_api_route(
        f"/{collection.path}",
        list_route,
        methods=["GET"],
        responses=LIST_ERRORS,
        name=f"list_{collection.path}",
    )
    target.add_api_route(
        f"/{collection.path}/{{sourced_id}}",
        get_route,
        methods=["GET"],
        responses=ERRORS,
        name=f"get_{operation}",
    )


def _user_routes(path: str) -> None:
    page_type = _page_dependency("users")
    fields_type = _fields(rules.USER_FIELDS)
    label = USERS[path][0]

    async def list_route(
        request: Request, response: Response, session: DbSession, principal: StudentReader, query: page_type
    ) -> dict[str, Any]:
        found, total = await list_users(
            session, principal=principal, path=path, query=query, base=_base(request)
        )
        _paged(request, response, query, total)
        return {"users": found}

    async def get_route(
        sourced_id: str,
        request: Request,
        session: DbSession,
        principal: StudentReader,
        fields: fields_type = None,
    ) -> dict[str, Any]:
        query = _one("users", fields)
        found = await get_user(
            session, principal=principal, path=path, sourced_id=sourced_id, base=_base(request)
        )
        return {"user": query.project(found)}

    list_route.__doc__ = f"OneRoster getAll{label}s (limit, offset, sort, orderBy, filter, fields; audited)."
    get_route.__doc__ = f"OneRoster get{label} (audited)."
    rostering_router.add_api_route(
        f"/{path}", list_route, methods=["GET"], responses=LIST_ERRORS, name=f"list_{path}"
    )
    rostering_router.add_api_route(
        f"/{path}/{{sourced_id}}", get_route, methods=["GET"], responses=ERRORS, name=f"get_{label.lower()}"
    )


for _collection in COLLECTIONS.values():
    _object_routes(rostering_router, _collection)
for _path in USERS:
    _user_routes(_path)
_object_routes(categories_router, CATEGORIES)
