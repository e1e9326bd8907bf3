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


def _oneroster_routes(collection: str, singular: str, is_line_item: bool) -> None:
    body_model = schemas.LineItemIn if is_line_item else schemas.ResultIn
    plural = collection

    async def put(
        sourced_id: str,
        body: dict[str, body_model],
        response: Response,
        session: DbSession,
        principal: CurrentPrincipal,
    ):  # type: ignore[valid-type]
        if singular not in body:
            raise BadRequest(f'The body must be {{"{singular}": {{...}}}}.')
        writer = service.put_line_item if is_line_item else service.put_result
        item, created = await writer(
            session, principal=principal, collection=collection, sourced_id=sourced_id, body=body[singular]
        )
        response.status_code = 201 if created else 200
        return {singular: item}

    async def get(sourced_id: str, session: DbSession, principal: CurrentPrincipal):
        reader = service.get_line_item if is_line_item else service.get_result
        return {
            singular: await reader(session, principal=principal, collection=collection, sourced_id=sourced_id)
        }

    async def list_(
        session: DbSession,
        principal: CurrentPrincipal,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ):
        if is_line_item:
            return {
                plural: await service.list_line_items(session, principal=principal, collection=collection)
            }
        found = await service.list_results(
            session, principal=principal, collection=collection, limit=limit, offset=offset
        )
        return {plural: found}

    async def delete(sourced_id: str, session: DbSession, principal: CurrentPrincipal) -> Response:
        if is_line_item:
            await service.delete_line_item(
                session, principal=principal, collection=collection, sourced_id=sourced_id
            )
        else:
            await service.delete_result(session, principal=principal, sourced_id=sourced_id)
        return Response(status_code=204)

    put.__doc__ = f"OneRoster: create or replace a {singular} (201 created, 200 updated)."
    get.__doc__ = f"OneRoster: read a {singular}."
    list_.__doc__ = f"OneRoster: the {plural} the caller can see."
    delete.__doc__ = f"OneRoster: delete a {singular} (closes an assessment, voids a result)."
    path = f"/{collection}/{{sourced_id}}"
    gradebook.add_api_route(path, put, methods=["PUT"], responses=RESULT_ERRORS, name=f"put_{singular}")
    gradebook.add_api_route(path, get, methods=["GET"], responses=ERRORS, name=f"get_{singular}")
    gradebook.add_api_route(f"/{collection}", list_, methods=["GET"], responses=ERRORS, name=f"list_{plural}")
    gradebook.add_api_route(
        path, delete, methods=["DELETE"], status_code=204, responses=ERRORS, name=f"delete_{singular}"
    )


for _collection, (_singular, _is_line_item) in ONEROSTER.items():
    _oneroster_routes(_collection, _singular, _is_line_item)
