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


async def import_case(
    session: AsyncSession, *, principal: Principal, package: schemas.CasePackage
) -> schemas.CaseImportReport:
    """A CASE framework's items become the district's standards (humanCodingScheme → code, fullStatement →
    statement), keyed by the item's identifier: importing a newer version of the framework updates them.
    Items without a code (a framework's headings) and items whose code another standard has are skipped,
    each with its row and why; the others are kept."""
    district_id = principal.tenant  # a district writer (auth.DistrictWriter on the route)
    repo = StandardRepository(session)
    standards = await repo.list(models.Standard.district_id == district_id)
    by_id = {s.id: s for s in standards} | {str(s.case_identifier): s for s in standards if s.case_identifier}
    by_code = {s.code: s for s in standards}
    subject = _case_subject(package.document.subject)
    counts, skipped = {"created": 0, "updated": 0, "unchanged": 0}, []
    for row, item in enumerate(package.items, start=1):
        fields = _case_fields(item, subject)
        key = str(fields["case_identifier"] or item.identifier)
        standard = by_id.get(key)
        reason = _case_refusal(fields, by_code.get(fields["code"]), standard)
        if reason:
            skipped.append(schemas.CaseItemSkipped(row=row, identifier=item.identifier, reason=reason))
            continue
        if standard is None:
            standard = await repo.add(models.Standard(id=key, district_id=district_id, **fields))
            counts["created"] += 1
        elif any(getattr(standard, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(standard, key, value)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        by_id[standard.id], by_code[standard.code] = standard, standard
    await session.flush()
    return schemas.CaseImportReport(document=package.document.title, skipped=skipped, **counts)


def _case_fields(item: schemas.CaseItem, subject: str | None) -> dict:
    levels = item.education_level or ([item.educational_level] if item.educational_level else [])
    return {
        "code": (item.human_coding_scheme or "").strip(),
        "statement": (item.full_statement or "").strip(),
        "subject": subject,
        "grade": levels[0] if len(levels) == 1 else None,  # a standard of one grade; a span stays open
        "case_identifier": _uuid(item.identifier),
        "case_uri": item.uri,
    }


def _case_refusal(
    fields: dict, holder: models.Standard | None, standard: models.Standard | None
) -> str | None:
    """Why an item cannot be a standard (None: it can); `holder` has the item's code, `standard` is the item's."""
    if not fields["code"]:
        return "The item has no humanCodingScheme (a heading of the framework, not a standard)."
    if not fields["statement"]:
        return "The item has no fullStatement."
    if holder is not None and holder is not standard:
        return f"Your district has another standard with code '{fields['code']}' (id '{holder.id}')."
    return None


def _case_subject(subject: list[str] | str | None) -> str | None:
    if isinstance(subject, list):
        return subject[0] if len(subject) == 1 else None
    return subject or None


def _uuid(identifier: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(identifier)
    except ValueError:
        return None  # CASE 1.0 identifiers are UUIDs; older exports used URLs
