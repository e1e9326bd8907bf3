"""HTTP API of OneRoster: the CSV package import and the gradebook REST binding (at its standard path)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE, BadRequest

from assessments.auth import CurrentPrincipal, DistrictWriter
from assessments.oneroster import schemas, service
from assessments.results.endpoints import read_limited

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
RESULT_ERRORS = {**ERRORS, 412: PROBLEM_RESPONSE}
BULK_ERRORS = {**ERRORS, 400: PROBLEM_RESPONSE, 413: PROBLEM_RESPONSE}

router = APIRouter(prefix="/imports", tags=["imports"])
gradebook = APIRouter(prefix="/ims/oneroster/gradebook/v1p2", tags=["oneroster gradebook"])


@router.post("/oneroster", response_model=schemas.ImportReport, responses=BULK_ERRORS)
async def import_oneroster(request: Request, session: DbSession, principal: DistrictWriter):
    """Import a OneRoster 1.2 CSV package (the zip as the body): roster, line items and results, one report."""
    data = await read_limited(request, request.app.state.settings.import_max_bytes)
    return await service.import_oneroster(session, principal=principal, data=data)


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
    body_model = schemas.LineItemIn if is_line_item else schemas.ResultIn
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
        writer = service.put_line_item if is_line_item else service.put_result
        item, created = await writer(
            session,
            principal=principal,
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
        reader = service.get_line_item if is_line_item else service.get_result
        query = service.Query.parse(
            collection=collection, limit=1, offset=0, sort=None, order_by=None, filter_=None, fields=fields
        )
        item = await reader(
            session, principal=principal, collection=collection, sourced_id=sourced_id, base=_base(request)
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
        query = service.Query.parse(
            collection=collection,
            limit=limit,
            offset=offset,
            sort=sort,
            order_by=order_by,
            filter_=filter_,
            fields=fields,
        )
        lister = service.list_line_items if is_line_item else service.list_results
        found, total = await lister(
            session, principal=principal, collection=collection, query=query, base=_base(request)
        )
        response.headers["X-Total-Count"] = str(total)
        return {plural: found}

    async def delete(
        sourced_id: str, request: Request, session: DbSession, principal: CurrentPrincipal
    ) -> Response:
        if is_line_item:
            await service.delete_line_item(
                session,
                principal=principal,
                collection=collection,
                sourced_id=sourced_id,
                base=_base(request),
            )
        else:
            await service.delete_result(session, principal=principal, sourced_id=sourced_id)
        return Response(status_code=204)

    put.__doc__ = f"OneRoster: create or replace a {singular} (201 created, 200 updated)."
    get.__doc__ = f"OneRoster: read a {singular}."
    list_.__doc__ = (
        f"OneRoster: the {plural} the caller can see (limit, offset, sort, orderBy, filter, fields)."
    )
    delete.__doc__ = f"OneRoster: delete a {singular} (closes an assessment, voids a result)."
    path = f"/{collection}/{{sourced_id}}"
    gradebook.add_api_route(path, put, methods=["PUT"], responses=RESULT_ERRORS, name=f"put_{singular}")
    gradebook.add_api_route(path, get, methods=["GET"], responses=ERRORS, name=f"get_{singular}")
    gradebook.add_api_route(
        f"/{collection}", list_, methods=["GET"], responses=BULK_ERRORS, name=f"list_{plural}"
    )
    gradebook.add_api_route(
        path, delete, methods=["DELETE"], status_code=204, responses=ERRORS, name=f"delete_{singular}"
    )


for _collection, (_singular, _is_line_item) in ONEROSTER.items():
    _oneroster_routes(_collection, _singular, _is_line_item)
