"""HTTP API of the roster: OneRoster records by sourcedId, the schools and classes the caller sees."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from plc_shared.auth import permission_area
from plc_shared.db import DbSession
from plc_shared.errors import PROBLEM_RESPONSE

from assessments.auth import CurrentPrincipal, DistrictWriter, Person, StaffReader, StudentReader
from assessments.roster import schemas, service

ERRORS = {code: PROBLEM_RESPONSE for code in (401, 403, 404, 409, 422)}
router = APIRouter(prefix="/roster", tags=["roster"], dependencies=[Depends(permission_area("rosters"))])


def _roster_route(kind: str, record: type[schemas.RosterRecord]) -> None:
    body_type = schemas.RosterUpsert[record]  # type: ignore[valid-type]

    async def upsert(
        body: body_type, session: DbSession, principal: DistrictWriter
    ) -> schemas.RosterUpserted:  # type: ignore[valid-type]
        return await service.upsert_roster(session, principal=principal, kind=kind, records=body.records)

    upsert.__doc__ = f"Insert or update {kind} by sourcedId (status=tobedeleted marks them deleted)."
    router.add_api_route(
        f"/{kind}",
        upsert,
        methods=["PUT"],
        response_model=schemas.RosterUpserted,
        responses=ERRORS,
        name=f"upsert_{kind.replace('-', '_')}",
    )


for _kind, (_model, _record) in service.ROSTER_KINDS.items():
    _roster_route(_kind, _record)


@router.get("/schools", response_model=list[schemas.SchoolRead], responses=ERRORS)
async def list_schools(session: DbSession, principal: CurrentPrincipal):
    """The active schools the caller can see."""
    return await service.list_schools(session, principal=principal)


@router.get("/classes", response_model=list[schemas.ClassRead], responses=ERRORS)
async def list_classes(session: DbSession, principal: CurrentPrincipal, school_id: str | None = None):
    """The active classes (with their teachers) of the schools the caller can see."""
    listed = await service.list_classes(session, principal=principal, school_id=school_id)
    return Response(listed, media_type="application/json")  # built by PostgreSQL (plc_shared.db.json_list)


@router.get("/students", response_model=list[schemas.StudentRead], responses=ERRORS)
async def list_students(
    session: DbSession,
    principal: StudentReader,
    school_id: str | None = None,
    assessment_id: Annotated[
        str | None, Query(description="only the students with a live result on this assessment")
    ] = None,
):
    """The active students the caller may see (a teacher: those enrolled in their classes), of one school or
    of all the caller's schools, in one answer: what a page needs to name students (audited); with
    `assessment_id`, those who took it (a district-wide data meeting names its 15,000, not the district's
    90,000)."""
    listed = await service.list_students(
        session, principal=principal, school_id=school_id, assessment_id=assessment_id
    )
    return Response(listed, media_type="application/json")  # built by PostgreSQL (plc_shared.db.json_list)


@router.get("/classes/{class_id}/students", response_model=list[schemas.StudentRead], responses=ERRORS)
async def class_students(class_id: str, session: DbSession, principal: StudentReader):
    """The students enrolled in a class (audited)."""
    return await service.class_students(session, principal=principal, class_id=class_id)


@router.get("/me", response_model=schemas.StaffRead, responses=ERRORS)
async def my_staff_record(session: DbSession, principal: Person):
    """The caller's own staff record: the one whose sourcedId or identifier is the token's subject (404: none)."""
    return await service.my_staff_record(session, principal=principal)


@router.get("/staff", response_model=list[schemas.StaffRead], responses=ERRORS)
async def list_staff(session: DbSession, principal: StaffReader, school_id: str | None = None):
    """The active staff (teachers, administrators, aides, proctors) of the schools the caller can see, by name."""
    return await service.list_staff(session, principal=principal, school_id=school_id)


@router.get("/staff/{staff_id}", response_model=schemas.StaffRead, responses=ERRORS)
async def get_staff(staff_id: str, session: DbSession, principal: StaffReader):
    """One staff member of a school the caller can see."""
    return await service.get_staff(session, principal=principal, staff_id=staff_id)
