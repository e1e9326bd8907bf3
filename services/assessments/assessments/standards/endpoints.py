"""HTTP API of the standards and their essential flags."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from assessments.auth import AssessmentManager, CurrentPrincipal, DistrictWriter
from assessments.standards import schemas, service

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
router = APIRouter(
    prefix="/standards", tags=["standards"], dependencies=[Depends(permission_area("assessments"))]
)
# Beside the OneRoster import (/assessments/imports/oneroster): not under /standards/, where "case" would be read
# as a standard's id by the GET of one standard.
imports = APIRouter(
    prefix="/imports", tags=["standards"], dependencies=[Depends(permission_area("assessments"))]
)


@router.post("", status_code=201, response_model=schemas.StandardRead, responses=ERRORS)
async def create_standard(body: schemas.StandardCreate, session: DbSession, principal: DistrictWriter):
    """Add a learning standard of the caller's district."""
    return await service.create_standard(session, principal=principal, body=body)


@imports.post("/case", response_model=schemas.CaseImportReport, responses={**ERRORS, 413: PROBLEM_RESPONSE})
async def import_case(package: schemas.CasePackage, session: DbSession, principal: DistrictWriter):
    """Import a CASE 1.0 framework (a CFPackage): its items become standards; a re-import updates them."""
    return await service.import_case(session, principal=principal, package=package)


@router.get("", response_model=list[schemas.StandardRead], responses=ERRORS)
async def list_standards(
    session: DbSession, principal: CurrentPrincipal, subject: str | None = None, grade: str | None = None
):
    """The district's standards, by code, with their essential flags."""
    return await service.list_standards(session, principal=principal, subject=subject, grade=grade)


@router.get("/{standard_id}", response_model=schemas.StandardRead, responses=ERRORS)
async def get_standard(standard_id: str, session: DbSession, principal: CurrentPrincipal):
    """One standard with its essential flags."""
    return await service.get_standard(session, principal=principal, standard_id=standard_id)


@router.put("/{standard_id}/essential", response_model=schemas.StandardRead, responses=ERRORS)
async def mark_essential(
    standard_id: str, flag: schemas.EssentialFlag, session: DbSession, principal: AssessmentManager
):
    """Mark a standard essential for a course or a grade."""
    return await service.set_essential(
        session, principal=principal, standard_id=standard_id, flag=flag, essential=True
    )


@router.delete("/{standard_id}/essential", response_model=schemas.StandardRead, responses=ERRORS)
async def unmark_essential(
    standard_id: str,
    session: DbSession,
    principal: AssessmentManager,
    scope: Annotated[str, Query(pattern="^(course|grade)$")],
    value: Annotated[str, Query(min_length=1, description="a course sourcedId or a grade")],
):
    """Remove an essential flag."""
    flag = schemas.EssentialFlag(scope=scope, value=value)  # type: ignore[arg-type]
    return await service.set_essential(
        session, principal=principal, standard_id=standard_id, flag=flag, essential=False
    )
