"""Standards rules: a district's standards (any number of districts may adopt the same CASE identifier) and
the essential flags a team sets per course or grade."""

from __future__ import annotations

import uuid

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models
from assessments.exceptions import StandardExists, StandardNotFound
from assessments.standards import schemas
from assessments.standards.repository import StandardRepository


async def create_standard(
    session: AsyncSession, *, principal: Principal, body: schemas.StandardCreate
) -> schemas.StandardRead:
    district_id = principal.tenant  # a district writer (auth.DistrictWriter on the route)
    repo = StandardRepository(session)
    standard_id = body.id or (str(body.case_identifier) if body.case_identifier else str(uuid.uuid4()))
    if (
        await repo.get_in_district(district_id, standard_id) is not None
        or await repo.by_code(district_id, body.code) is not None
    ):
        raise StandardExists(standard_id, body.code)
    fields = body.model_dump(exclude={"id"})
    standard = await repo.add(models.Standard(id=standard_id, district_id=district_id, **fields), flush=True)
    return schemas.StandardRead(**fields, id=standard.id, district_id=district_id)


async def get_standard(
    session: AsyncSession, *, principal: Principal, standard_id: str
) -> schemas.StandardRead:
    repo = StandardRepository(session)
    standard = await repo.get_in_district(principal.tenant, standard_id)
    if standard is None:
        raise StandardNotFound(standard_id)
    return _standard_read(standard, await repo.flags(standard.district_id, [standard.id]))


async def list_standards(
    session: AsyncSession, *, principal: Principal, subject: str | None, grade: str | None
) -> list[schemas.StandardRead]:
    district_id = principal.tenant
    repo = StandardRepository(session)
    where = [models.Standard.district_id == district_id]
    if subject:
        where.append(models.Standard.subject == subject)
    if grade:
        where.append(models.Standard.grade == grade)
    standards = await repo.list(*where, order_by=[models.Standard.code])
    flags = await repo.flags(district_id, [s.id for s in standards])
    return [_standard_read(s, [f for f in flags if f.standard_id == s.id]) for s in standards]


async def set_essential(
    session: AsyncSession,
    *,
    principal: Principal,
    standard_id: str,
    flag: schemas.EssentialFlag,
    essential: bool,
) -> schemas.StandardRead:
    """Team leads, school leaders and district admins mark essentials (any role that manages assessments)."""
    repo = StandardRepository(session)
    standard = await repo.get_in_district(principal.tenant, standard_id)
    if standard is None:
        raise StandardNotFound(standard_id)
    if essential:
        await repo.flag(standard, flag.scope, flag.value, principal.subject)
    else:
        await repo.unflag(standard, flag.scope, flag.value)
    return _standard_read(standard, await repo.flags(standard.district_id, [standard.id]))


def _standard_read(standard: models.Standard, flags: list[models.EssentialFlag]) -> schemas.StandardRead:
    read = schemas.StandardRead.model_validate(standard, from_attributes=True)
    read.essential_for = [schemas.EssentialFlag(scope=f.scope, value=f.scope_value) for f in flags]
    return read
