"""HTTP API of the OneRoster 1.2 CSV binding: a package (the zip as the body) imported in one request."""

from fastapi import APIRouter, Depends, Request
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from assessments.auth import DistrictWriter
from assessments.oneroster import schemas, service
from assessments.results.endpoints import read_limited

BULK_ERRORS = {code: PROBLEM_RESPONSE for code in (400, 401, 403, 404, 409, 413, 422)}

router = APIRouter(prefix="/imports", tags=["imports"], dependencies=[Depends(permission_area("rosters"))])


@router.post("/oneroster", response_model=schemas.ImportReport, responses=BULK_ERRORS)
async def import_oneroster(request: Request, session: DbSession, principal: DistrictWriter):
    """Import a OneRoster 1.2 CSV package (the zip as the body): roster, line items and results, one report."""
    data = await read_limited(request, request.app.state.settings.import_max_bytes)
    return await service.import_oneroster(session, principal=principal, data=data)
