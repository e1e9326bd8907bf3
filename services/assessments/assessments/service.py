"""Domain rules of the assessments service. Functions take the session first and never commit."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.errors import Conflict, Forbidden, NotFound
from plc_shared.events.assessments import (
    AssessmentClosed,
    AssessmentPublished,
    ResultVoided,
    SchoolRostered,
    StudentRostered,
)
from plc_shared.events.envelope import Event
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models, schemas, scoring
from assessments.analysis import ResultRow, analyse
from assessments.exceptions import (
    AssessmentNotFound,
    IdempotencyKeyReused,
    InvalidAssessment,
    InvalidLifecycle,
    InvalidPackage,
    InvalidResult,
    ResultNotFound,
    StaleResult,
    StaleSourceWrite,
    StandardNotFound,
    TooManyRows,
)
from assessments.ingest import Ingest, Outcome, etag
from assessments.oneroster import PackageInvalid, read_package
from assessments.repository import (
    AssessmentRepository,
    IdempotencyRepository,
    ResultRepository,
    RosterReader,
    RosterRepository,
    StandardRepository,
)

MAX_BULK_ROWS = 50_000

ROSTER_KINDS: dict[str, tuple[type[models.Base], type[schemas.RosterRecord]]] = {
    "orgs": (models.Org, schemas.OrgWrite),
    "academic-sessions": (models.AcademicSession, schemas.AcademicSessionWrite),
    "courses": (models.Course, schemas.CourseWrite),
    "classes": (models.Class, schemas.ClassWrite),
    "students": (models.Student, schemas.StudentWrite),
    "enrollments": (models.Enrollment, schemas.EnrollmentWrite),
}


# --- roster -------------------------------------------------------------------------------------------------
async def upsert_roster(
    session: AsyncSession, principal: Principal, *, kind: str, records: list[schemas.RosterRecord]
) -> schemas.RosterUpserted:
    """Upsert by (district, sourcedId). A record that names a school, class or student its district does not
    have is rejected with its index and reason; the valid ones are written."""
    district_id = auth.require_district_writer(principal)
    model, _schema = ROSTER_KINDS[kind]
    rows = [{**r.model_dump(), "district_id": district_id} for r in records]
    rejected = await roster_references(session, district_id, kind, rows)
    bad = {e["index"] for e in rejected}
    valid = [r for i, r in enumerate(rows) if i not in bad]
    await RosterRepository(session).upsert(model, valid)
    await models.outbox.add_all(session, roster_events(kind, valid, datetime.now(UTC)))
    return schemas.RosterUpserted(kind=kind, upserted=len(valid), rejected=rejected)


# What each roster kind references: (field, referenced kind, many?) — checked within the caller's district.
REFERENCES: dict[str, tuple[tuple[str, type[models.Base], bool], ...]] = {
    "courses": (("school_id", models.Org, False),),
    "classes": (("school_id", models.Org, False), ("course_id", models.Course, False)),
    "students": (("school_ids", models.Org, True),),
    "enrollments": (("class_id", models.Class, False), ("school_id", models.Org, False)),
}


async def roster_references(
    session: AsyncSession, district_id: str, kind: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Row-level errors for references to objects the district does not have (ids are per district, so
    another district's object is as unknown here as a missing one)."""
    repo, errors = RosterRepository(session), []
    checks = list(REFERENCES.get(kind, ()))
    for field, model, many in checks:
        wanted = {v for r in rows for v in (r[field] if many else [r[field]]) if v}
        known = await repo.existing_ids(model, district_id, list(wanted)) if wanted else set()
        for index, row in enumerate(rows):
            values = row[field] if many else [row[field]]
            for value in (v for v in values if v and v not in known):
                errors.append({"index": index, "field": field, "reason": f"unknown {field[:-3]} '{value}'"})
    if kind == "enrollments":
        students = [r["user_id"] for r in rows if r["role"] == "student"]
        known = await repo.existing_ids(models.Student, district_id, students) if students else set()
        for index, row in enumerate(rows):
            if row["role"] == "student" and row["user_id"] not in known:
                errors.append(
                    {"index": index, "field": "user_id", "reason": f"unknown student '{row['user_id']}'"}
                )
    return sorted(errors, key=lambda e: e["index"])


def roster_events(kind: str, rows: list[dict[str, Any]], now: datetime) -> list[Event]:
    """Id-only facts other services key their view of the roster by: schools and students."""
    if kind == "orgs":
        return [
            SchoolRostered(
                district_id=r["district_id"], school_id=r["sourced_id"], status=r["status"], occurred_at=now
            )
            for r in rows
            if r["type"] == "school"
        ]
    if kind == "students":
        return [
            StudentRostered(
                district_id=r["district_id"],
                student_id=r["sourced_id"],
                school_ids=r["school_ids"],
                grades=r["grades"],
                status=r["status"],
                occurred_at=now,
            )
            for r in rows
        ]
    return []


async def list_schools(session: AsyncSession, principal: Principal) -> list[schemas.SchoolRead]:
    found = await RosterReader(session).schools(principal.tenant, principal.visible_schools())
    return [schemas.SchoolRead.model_validate(o) for o in found]


async def list_classes(
    session: AsyncSession, principal: Principal, *, school_id: str | None
) -> list[schemas.ClassRead]:
    found = await RosterReader(session).classes(principal.tenant, principal.visible_schools(), school_id)
    return [schemas.ClassRead.model_validate(c) for c in found]


async def class_students(
    session: AsyncSession, principal: Principal, *, class_id: str
) -> list[schemas.StudentRead]:
    """A class list (student-level data: audited; not for analysts)."""
    auth.require_role(principal, auth.STUDENT_READERS, "read class lists")
    found = await session.get(models.Class, (principal.tenant, class_id))
    if (
        found is None
        or found.status != "active"
        or not auth.sees_school(principal, found.district_id, found.school_id)
    ):
        raise NotFound(f"Class '{class_id}' was not found.")
    students = await RosterReader(session).class_students(principal.tenant, class_id)
    audit_read(principal, "class.students.read", [s.sourced_id for s in students], class_id=class_id)
    return [schemas.StudentRead.model_validate(s) for s in students]


# --- standards ----------------------------------------------------------------------------------------------
async def create_standard(
    session: AsyncSession, principal: Principal, *, body: schemas.StandardCreate
) -> schemas.StandardRead:
    district_id = auth.require_district_writer(principal)
    repo = StandardRepository(session)
    standard_id = body.id or (str(body.case_identifier) if body.case_identifier else str(uuid.uuid4()))
    if (
        await repo.get_in_district(district_id, standard_id) is not None
        or await repo.by_code(district_id, body.code) is not None
    ):
        raise Conflict(f"Your district has a standard with id '{standard_id}' or code '{body.code}'.")
    fields = body.model_dump(exclude={"id"})
    standard = await repo.add(models.Standard(id=standard_id, district_id=district_id, **fields), flush=True)
    return schemas.StandardRead(**fields, id=standard.id, district_id=district_id)


async def get_standard(
    session: AsyncSession, principal: Principal, *, standard_id: str
) -> schemas.StandardRead:
    repo = StandardRepository(session)
    standard = await repo.get_in_district(principal.tenant, standard_id)
    if standard is None:
        raise StandardNotFound(standard_id)
    return _standard_read(standard, await repo.flags(standard.district_id, [standard.id]))


async def list_standards(
    session: AsyncSession, principal: Principal, *, subject: str | None, grade: str | None
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
    principal: Principal,
    *,
    standard_id: str,
    flag: schemas.EssentialFlag,
    essential: bool,
) -> schemas.StandardRead:
    """Team leads, school leaders and district admins mark essentials (any role that manages assessments)."""
    auth.require_role(principal, auth.ASSESSMENT_MANAGERS, "mark essential standards")
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


# --- assessments --------------------------------------------------------------------------------------------
async def create_assessment(
    session: AsyncSession, principal: Principal, *, body: schemas.AssessmentCreate
) -> schemas.AssessmentRead:
    district_id = principal.tenant
    auth.check_assessment_manager(principal, district_id, body.school_id)
    repo = AssessmentRepository(session)
    assessment_id = body.id or str(uuid.uuid4())
    if await repo.get_in_district(district_id, assessment_id) is not None:
        raise Conflict(f"Your district has an assessment '{assessment_id}'.")
    await _validate_structure(session, district_id, body)
    fields = body.model_dump(exclude={"id", "objectives", "items"})
    assessment = models.Assessment(
        id=assessment_id, district_id=district_id, status="draft", created_by=principal.subject, **fields
    )
    await repo.add(assessment, flush=True)
    await repo.replace_structure(
        district_id, assessment_id, *_structure_rows(district_id, assessment_id, body)
    )
    return await get_assessment(session, principal, assessment_id=assessment_id)


async def update_assessment(
    session: AsyncSession, principal: Principal, *, assessment_id: str, body: schemas.AssessmentUpdate
) -> schemas.AssessmentRead:
    assessment = await _managed(session, principal, assessment_id)
    if assessment.status != "draft":
        raise InvalidLifecycle(
            f"Assessment '{assessment_id}' is {assessment.status}; only a draft can change."
        )
    auth.check_assessment_manager(principal, assessment.district_id, body.school_id)
    await _validate_structure(session, assessment.district_id, body)
    for name, value in body.model_dump(exclude={"objectives", "items"}).items():
        setattr(assessment, name, value)
    await session.flush()
    district_id = assessment.district_id
    await AssessmentRepository(session).replace_structure(
        district_id, assessment_id, *_structure_rows(district_id, assessment_id, body)
    )
    return await get_assessment(session, principal, assessment_id=assessment_id)


async def transition(
    session: AsyncSession, principal: Principal, *, assessment_id: str, to: str
) -> schemas.AssessmentRead:
    """draft → published (results accepted) → closed; each step is an event."""
    assessment = await _managed(session, principal, assessment_id)
    expected, event_type, stamp = {
        "published": ("draft", AssessmentPublished, "published_at"),
        "closed": ("published", AssessmentClosed, "closed_at"),
    }[to]
    if assessment.status != expected:
        raise InvalidLifecycle(f"Assessment '{assessment_id}' is {assessment.status}, not {expected}.")
    now = datetime.now(UTC)
    repo = AssessmentRepository(session)
    await repo.set_status(assessment, to, **{stamp: now})
    objectives = await repo.objectives(assessment.district_id, [assessment_id])
    items = await repo.items(assessment.district_id, [assessment_id])
    standard_ids = sorted(
        {s for o in objectives for s in o.standard_ids} | {i.standard_id for i in items if i.standard_id}
    )
    event = event_type(
        assessment_id=assessment.id,
        district_id=assessment.district_id,
        school_id=assessment.school_id,
        kind=assessment.kind,
        subject_area=assessment.subject,
        grades=list(assessment.grades),
        standard_ids=standard_ids,
        proficiency_cut=assessment.proficiency_cut,
        mastery_cut=assessment.mastery_cut,
        occurred_at=now,
    )
    await models.outbox.add(session, event)
    session.expire(assessment)
    return await get_assessment(session, principal, assessment_id=assessment_id)


async def get_assessment(
    session: AsyncSession, principal: Principal, *, assessment_id: str
) -> schemas.AssessmentRead:
    repo = AssessmentRepository(session)
    district_id = principal.tenant
    assessment = await repo.get_in_district(district_id, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    await session.refresh(assessment)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    read = schemas.AssessmentRead.model_validate(assessment, from_attributes=True)
    objectives = await repo.objectives(district_id, [assessment_id])
    read.objectives = [schemas.ObjectiveRead.model_validate(o) for o in objectives]
    read.items = [schemas.ItemRead.model_validate(i) for i in await repo.items(district_id, [assessment_id])]
    return read


async def list_assessments(
    session: AsyncSession, principal: Principal, *, status: str | None, school_id: str | None
) -> list[schemas.AssessmentRead]:
    where = [models.Assessment.district_id == principal.tenant]
    if status:
        where.append(models.Assessment.status == status)
    if school_id:
        where.append(models.Assessment.school_id == school_id)
    found = await AssessmentRepository(session).list(*where, order_by=[models.Assessment.created_at])
    return [
        schemas.AssessmentRead.model_validate(a, from_attributes=True)
        for a in found
        if auth.sees_school(principal, a.district_id, a.school_id)
    ]


async def _managed(session: AsyncSession, principal: Principal, assessment_id: str) -> models.Assessment:
    assessment = await AssessmentRepository(session).for_update(principal.tenant, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    auth.check_assessment_manager(principal, assessment.district_id, assessment.school_id)
    return assessment


async def _validate_structure(
    session: AsyncSession, district_id: str, body: schemas.AssessmentFields
) -> None:
    errors: list[dict[str, Any]] = []
    levels = [scoring.Level(lv.name, lv.min, lv.max) for lv in body.performance_levels]
    problem = scoring.levels_overlap(levels)
    if problem:
        errors.append({"field": "performance_levels", "reason": problem})
    if any(lv.minimum > body.max_score for lv in levels):
        errors.append({"field": "performance_levels", "reason": "a level starts above max_score"})
    objectives = list(_flatten(body.objectives, None))
    codes = [o.code for o, _ in objectives]
    if len(codes) != len(set(codes)):
        errors.append({"field": "objectives", "reason": "objective codes must be unique"})
    if len({i.code for i in body.items}) != len(body.items):
        errors.append({"field": "items", "reason": "item codes must be unique"})
    for index, item in enumerate(body.items):
        if item.objective_code is not None and item.objective_code not in codes:
            errors.append({"field": f"items[{index}].objective_code", "reason": "no such objective"})
    wanted = {s for o, _ in objectives for s in o.standard_ids} | {
        i.standard_id for i in body.items if i.standard_id
    }
    owned = await _standards_of(session, district_id, wanted)
    for missing in sorted(wanted - owned):
        errors.append({"field": "standard_ids", "reason": f"unknown standard '{missing}'"})
    if errors:
        raise InvalidAssessment("The assessment is not consistent.", errors=errors)


async def _standards_of(session: AsyncSession, district_id: str, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    found = await StandardRepository(session).list(
        models.Standard.id.in_(ids), models.Standard.district_id == district_id
    )
    return {s.id for s in found}


def _flatten(objectives: list[schemas.ObjectiveWrite], parent: str | None):
    """Depth-first, parents first: (objective, parent code)."""
    for objective in objectives:
        yield objective, parent
        yield from _flatten(objective.objectives, objective.code)


def _structure_rows(
    district_id: str, assessment_id: str, body: schemas.AssessmentFields
) -> tuple[list[dict], list[dict]]:
    def oid(code: str) -> str:
        return f"{assessment_id}/{code}"

    objectives = [
        {
            "district_id": district_id,
            "id": oid(o.code),
            "assessment_id": assessment_id,
            "parent_id": oid(parent) if parent else None,
            "code": o.code,
            "description": o.description,
            "max_points": o.max_points,
            "proficiency_cut": o.proficiency_cut,
            "mastery_cut": o.mastery_cut,
            "standard_ids": o.standard_ids,
        }
        for o, parent in _flatten(body.objectives, None)
    ]
    items = [
        {
            "district_id": district_id,
            "id": f"{assessment_id}/item/{i.code}",
            "assessment_id": assessment_id,
            "objective_id": oid(i.objective_code) if i.objective_code else None,
            "code": i.code,
            "max_points": i.max_points,
            "standard_id": i.standard_id,
        }
        for i in body.items
    ]
    return objectives, items


# --- results ------------------------------------------------------------------------------------------------
async def put_result(
    session: AsyncSession, principal: Principal, *, body: schemas.ResultWrite, if_match: str | None
) -> tuple[schemas.ResultRead, bool]:
    """Upsert one result on its natural key; (result, created)."""
    outcome = await Ingest(session, principal).run([body.model_dump(mode="json")], if_match=if_match)
    if outcome.rejected:
        raise InvalidResult("The result was not accepted.", errors=outcome.rejected)
    if outcome.stale:
        stale = outcome.stale[0]
        raise StaleSourceWrite(stale["source_modified_at"], stale["stored_source_modified_at"])
    written = outcome.written[0]
    # The writer gets back what it wrote: not a read of student data, so not audited.
    result = schemas.ResultRead.model_validate(await _visible_result(session, principal, written.key))
    return result, written.outcome == "created"


async def get_result(
    session: AsyncSession, principal: Principal, *, key: tuple[str, str, int]
) -> schemas.ResultRead:
    result = await _visible_result(session, principal, key)
    audit_read(principal, "result.read", [key[1]], assessment_id=key[0], attempt=key[2])
    return schemas.ResultRead.model_validate(result, from_attributes=True)


async def list_results(
    session: AsyncSession,
    principal: Principal,
    *,
    assessment_id: str,
    class_id: str | None,
    limit: int,
    offset: int,
) -> list[schemas.ResultRead]:
    """An assessment's live results in the caller's schools, by student (student-level: audited)."""
    district_id = auth.require_role(principal, auth.STUDENT_READERS, "read student results")
    assessment = await AssessmentRepository(session).get_in_district(district_id, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    found = await ResultRepository(session).for_assessment(
        district_id,
        assessment_id,
        schools=principal.visible_schools(),
        class_id=class_id,
        limit=limit,
        offset=offset,
    )
    audit_read(principal, "results.list", [r.student_id for r in found], assessment_id=assessment_id)
    return [schemas.ResultRead.model_validate(r) for r in found]


async def void_result(
    session: AsyncSession, principal: Principal, *, key: tuple[str, str, int], if_match: str | None
) -> None:
    """Delete a result entered in error: the row stays (voided) and ResultVoided tells the consumers."""
    auth.require_role(principal, auth.RESULT_WRITERS, "void results")
    result = await _visible_result(session, principal, key)
    if (
        if_match is not None
        and "*" not in if_match
        and etag(result.revision) not in {t.strip() for t in if_match.split(",")}
    ):
        raise StaleResult(f"The result is at {etag(result.revision)}; reload it and try again.")
    now = datetime.now(UTC)
    revision = await ResultRepository(session).void(result.id, now)
    event = ResultVoided(
        result_id=result.id,
        revision=revision,
        student_id=result.student_id,
        district_id=result.district_id,
        school_id=result.school_id,
        class_ids=list(result.class_ids),
        assessment_id=result.assessment_id,
        attempt=result.attempt,
        standard_ids=[s["standard_id"] for s in result.standard_scores],
        voided_at=now,
    )
    await models.outbox.add(session, event)


async def _visible_result(
    session: AsyncSession, principal: Principal, key: tuple[str, str, int]
) -> models.Result:
    if principal.role not in auth.STUDENT_READERS:
        raise Forbidden(f"The role '{principal.role}' may not read student results.")
    result = await ResultRepository(session).by_key(principal.tenant, *key)
    if (
        result is None
        or result.voided_at is not None
        or not auth.sees_school(principal, result.district_id, result.school_id)
    ):
        raise ResultNotFound(*key)
    return result


async def bulk_results(
    session: AsyncSession,
    principal: Principal,
    *,
    rows: Any,
    idempotency_key: str | None,
    raw_body: bytes,
    atomic: bool = False,
    max_rows: int = MAX_BULK_ROWS,
) -> tuple[int, dict[str, Any]]:
    """(status, report). With an Idempotency-Key the first answer is stored and returned to every retry.
    `atomic`: one invalid row fails the request (422 listing every invalid row) and nothing is written."""
    district_id = auth.require_role(principal, auth.RESULT_WRITERS, "record results")
    if not isinstance(rows, list):
        raise InvalidResult('The body must be {"results": [...]}.')
    if len(rows) > max_rows:
        raise TooManyRows(f"{len(rows)} rows: at most {max_rows:,} results per request.", limit=max_rows)
    keys = IdempotencyRepository(session)
    if idempotency_key:
        digest = hashlib.sha256((b"atomic:" if atomic else b"") + raw_body).hexdigest()
        stored = await keys.claim(district_id, idempotency_key, digest)
        if stored is not None:
            if stored.request_hash != digest:
                raise IdempotencyKeyReused("This Idempotency-Key was used for a different request body.")
            return stored.status_code or 200, stored.response or {}
    outcome: Outcome = await Ingest(session, principal).run(rows)
    if atomic and outcome.rejected:
        # Raising rolls the request's transaction back: the valid rows and their events are not written.
        raise InvalidResult(
            f"{len(outcome.rejected)} of {len(rows)} rows are invalid; nothing was written (atomic=true).",
            errors=outcome.report()["rejected"],
        )
    report = outcome.report()
    status = 200
    if idempotency_key:
        await keys.save(district_id, idempotency_key, status, report)
    return status, report


# --- OneRoster import ---------------------------------------------------------------------------------------
async def import_oneroster(session: AsyncSession, principal: Principal, *, data: bytes) -> dict[str, Any]:
    """Everything valid in the package is written in this transaction; the report lists the rest."""
    from assessments.importer import Importer  # imports this module: resolved at call time

    auth.require_district_writer(principal)
    try:
        package = read_package(data)
    except PackageInvalid as exc:
        raise InvalidPackage(exc.reason, errors=exc.errors) from None
    return await Importer(session, principal, package).run()


# --- analysis -----------------------------------------------------------------------------------------------
async def analyse_assessment(
    session: AsyncSession,
    principal: Principal,
    *,
    assessment_id: str,
    school_id: str | None,
    class_id: str | None,
    grade: str | None,
) -> dict[str, Any]:
    """Aggregates over the results the caller may see; student ids only for roles that read student data."""
    district_id = auth.require_role(principal, auth.ANALYSIS_READERS, "analyse results")
    assessment = await AssessmentRepository(session).get_in_district(district_id, assessment_id)
    if assessment is None:
        raise AssessmentNotFound(assessment_id)
    auth.check_assessment_visible(principal, assessment.district_id, assessment.school_id, assessment_id)
    results = ResultRepository(session)
    found = await results.for_analysis(
        district_id,
        assessment_id,
        schools=principal.visible_schools(),
        school_id=school_id,
        class_id=class_id,
        grade=grade,
    )
    rows = [
        ResultRow(
            r.student_id,
            r.school_id,
            tuple(r.class_ids),
            r.percent,
            r.performance_level,
            tuple(r.standard_scores),
            r.item_scores,
        )
        for r in found
    ]
    items = await AssessmentRepository(session).items(district_id, [assessment_id])
    teachers = await results.teachers(district_id, {c for r in rows for c in r.class_ids})
    report = analyse(
        rows,
        proficiency_cut=assessment.proficiency_cut,
        mastery_cut=assessment.mastery_cut,
        levels=[lv["name"] for lv in assessment.performance_levels],
        items={i.code: (i.max_points, i.standard_id) for i in items},
        teachers=teachers,
        with_students=principal.role in auth.STUDENT_READERS,
    )
    filters = {"school_id": school_id, "class_id": class_id, "grade": grade}
    if principal.role in auth.STUDENT_READERS:
        named = sorted({sid for b in report["below_cut"] for sid in b["student_ids"] or ()})
        audit_read(principal, "analysis.read", named, assessment_id=assessment_id)
    return {"assessment_id": assessment_id, "filters": filters, **report}
