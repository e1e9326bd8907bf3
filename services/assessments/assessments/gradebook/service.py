"""The OneRoster 1.2 gradebook REST binding mapped onto our assessments and results (one store with the CSV
import: a result imported from CSV is read, listed and deleted here by its sourcedId).

- lineItems ↔ common formative assessments; assessmentLineItems ↔ common summative and benchmark assessments.
  A PUT of an unknown sourcedId creates the assessment, published (catalog.create_line_item: max score
  `resultValueMax`, standards from `learningObjectiveSet`, cuts from `scoreScale` or the resultValue range);
  a PUT of a known one updates its descriptive fields (title, description, class, category, grading period,
  dates, resultValueMin, scoreScale); a different maximum or standard set is a 409 (results were scored against
  them). DELETE (or status tobedeleted) closes it.
- results / assessmentResults ↔ results, identified by their sourcedId (results.assign_attempts: another
  sourcedId for the same student and line item is another attempt), written through the one result pipeline
  (one event per change); `learningObjectiveSet` scores give the per-standard scores; a write without a score
  never replaces a scored result (409). DELETE (or tobedeleted) voids it.
- Collections take the binding's `limit`, `offset`, `sort`, `orderBy`, `filter` and `fields` (rules.Query), with
  X-Total-Count; the JSON shapes and the imsx_StatusInfo error payload are in rules.py.
"""

from __future__ import annotations

from typing import Any

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.catalog import service as catalog
from assessments.catalog.repository import AssessmentRepository
from assessments.catalog.rules import LineItem
from assessments.exceptions import (
    AssessmentNotFound,
    ClassNotFound,
    FieldRequired,
    InvalidResult,
    LineItemMaximumFixed,
    LineItemStandardsFixed,
    ResultSourcedIdNotFound,
    ResultSourcedIdTaken,
    RosterObjectNotFound,
    ScoredResultKept,
    ScoreScaleNotFound,
    StaleSourceWrite,
    UnknownLearningObjectives,
)
from assessments.gradebook import rules
from assessments.gradebook.repository import (
    USERS,
    Collection,
    GradebookRepository,
    RosteringRepository,
    staff_json,
    student_json,
)
from assessments.gradebook.rules import (
    LINE_ITEM_KINDS,
    RESULT_KEYS,
    Query,
    collection_of,
    line_item_json,
    moment,
    result_json,
    score_scale_json,
)
from assessments.gradebook.schemas import LineItemIn, ResultIn
from assessments.oneroster.repository import ImportRepository
from assessments.oneroster.rules import not_aligned, staff_not_student
from assessments.results import service as results_service


# --- line items -----------------------------------------------------------------------------------------------
async def put_line_item(
    session: AsyncSession,
    *,
    principal: Principal,
    collection: str,
    sourced_id: str,
    body: LineItemIn,
    base: str,
) -> tuple[dict[str, Any], bool]:
    district_id = auth.require_district_writer(principal)
    existing = await AssessmentRepository(session).get_in_district(district_id, sourced_id)
    if body.status == "tobedeleted":
        if existing is None:
            raise AssessmentNotFound(sourced_id)
        await _close(session, principal=principal, assessment=existing)
    elif existing is None:
        if body.resultValueMax is None:
            raise FieldRequired("resultValueMax", "create a line item")
        item = await _line_item(
            session, district_id=district_id, collection=collection, sourced_id=sourced_id, body=body
        )
        await _create(session, principal=principal, item=item)
    else:
        item = await _line_item(
            session, district_id=district_id, collection=collection, sourced_id=sourced_id, body=body
        )
        await _update(session, existing=existing, item=item)
    line_item = await get_line_item(
        session, principal=principal, collection=collection, sourced_id=sourced_id, base=base
    )
    return line_item, existing is None and body.status != "tobedeleted"


async def _line_item(
    session: AsyncSession, *, district_id: str, collection: str, sourced_id: str, body: LineItemIn
) -> LineItem:
    repo = GradebookRepository(session)
    class_id = body.class_.sourcedId if body.class_ else None
    school_id = body.school.sourcedId if body.school else None
    if school_id is None and class_id:
        school_id = await repo.school_of_class(district_id, class_id)
    scale = await repo.score_scale(district_id, body.scoreScale.sourcedId) if body.scoreScale else None
    period = body.gradingPeriod or body.academicSession
    return LineItem(
        sourced_id=sourced_id,
        title=body.title,
        kind=LINE_ITEM_KINDS[collection][0],
        max_score=body.resultValueMax or 0.0,
        fields={
            "school_id": school_id,
            "class_id": class_id,
            "description": body.description,
            "category_id": body.category.sourcedId if body.category else None,
            "grading_period_id": period.sourcedId if period else None,
            "assign_date": moment(body.assignDate),
            "due_date": moment(body.dueDate),
            "result_value_min": body.resultValueMin,
            "score_scale_id": body.scoreScale.sourcedId if body.scoreScale else None,
            "source_modified_at": body.dateLastModified,
        },
        objectives=[(s.source, lo) for s in body.learningObjectiveSet for lo in s.learningObjectiveIds],
        scale=scale,
    )


async def _create(session: AsyncSession, *, principal: Principal, item: LineItem) -> None:
    standards, _created, refused = await catalog.resolve_standards(
        session, district_id=principal.tenant, objectives=item.objectives
    )
    if refused:
        raise UnknownLearningObjectives(refused)
    await catalog.create_line_item(session, principal=principal, item=item, standards=standards)


async def _update(session: AsyncSession, *, existing: models.Assessment, item: LineItem) -> None:
    if item.max_score and item.max_score != existing.max_score:
        raise LineItemMaximumFixed(existing.id, existing.max_score)
    stored = await catalog.objective_codes(
        session, district_id=existing.district_id, assessment_id=existing.id
    )
    if item.objectives and {lo for _s, lo in item.objectives} != stored:
        raise LineItemStandardsFixed(existing.id, sorted(stored))
    stale = catalog.update_line_item(existing, item)
    if stale:
        raise StaleSourceWrite(str(item.fields["source_modified_at"]), str(existing.source_modified_at))
    await session.flush()


async def _close(session: AsyncSession, *, principal: Principal, assessment: models.Assessment) -> None:
    if assessment.status == "published":
        await catalog.transition(session, principal=principal, assessment_id=assessment.id, to="closed")


async def get_line_item(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, base: str
) -> dict[str, Any]:
    found = await AssessmentRepository(session).get_in_district(principal.tenant, sourced_id)
    if found is None or collection_of(found) != collection or found.status == "draft":
        raise AssessmentNotFound(sourced_id)
    await session.refresh(found)
    auth.check_assessment_visible(principal, found.district_id, found.school_id, sourced_id)
    objectives = await AssessmentRepository(session).objectives(principal.tenant, [sourced_id])
    return line_item_json(found, objectives, base, collection)


async def list_line_items(
    session: AsyncSession, *, principal: Principal, collection: str, query: Query, base: str
) -> tuple[list[dict], int]:
    found, total = await GradebookRepository(session).line_items(
        principal.tenant, collection, principal.visible_schools(), query
    )
    objectives = await AssessmentRepository(session).objectives(principal.tenant, [a.id for a in found])
    return [query.project(line_item_json(a, objectives, base, collection)) for a in found], total


async def get_score_scale(
    session: AsyncSession, *, principal: Principal, sourced_id: str, base: str
) -> dict[str, Any]:
    """A score scale of the caller's district (reference data: no student's)."""
    found = await GradebookRepository(session).score_scale_object(principal.tenant, sourced_id)
    if found is None:
        raise ScoreScaleNotFound(sourced_id)
    return score_scale_json(found, base)


async def list_score_scales(
    session: AsyncSession, *, principal: Principal, query: Query, base: str
) -> tuple[list[dict[str, Any]], int]:
    found, total = await GradebookRepository(session).score_scales(principal.tenant, query)
    return [query.project(score_scale_json(s, base)) for s in found], total


async def visible_class(session: AsyncSession, *, principal: Principal, class_id: str) -> str:
    """The district of a class the caller may read the gradebook of (plc_shared.scope: a teacher, their own
    classes); ClassNotFound otherwise, as for a class nobody has."""
    district_id = auth.require_role(principal, auth.STUDENT_READERS, "read a class's gradebook")
    school = await GradebookRepository(session).school_of_class(district_id, class_id)
    missing = ClassNotFound(class_id)
    if school is None:
        raise missing
    scope.check_class(
        principal, district_id=district_id, school_id=school, class_id=class_id, missing=missing
    )
    return district_id


async def list_class_line_items(
    session: AsyncSession, *, principal: Principal, class_id: str, query: Query, base: str
) -> tuple[list[dict], int]:
    """getLineItemsForClass: the class's lineItems."""
    district_id = await visible_class(session, principal=principal, class_id=class_id)
    found, total = await GradebookRepository(session).line_items(
        district_id,
        "lineItems",
        None,
        query,
        within=[models.Assessment.class_id == class_id],
    )
    objectives = await AssessmentRepository(session).objectives(district_id, [a.id for a in found])
    return [query.project(line_item_json(a, objectives, base)) for a in found], total


async def list_class_results(
    session: AsyncSession,
    *,
    principal: Principal,
    class_id: str,
    query: Query,
    base: str,
    line_item: str | None = None,
    student: str | None = None,
) -> tuple[list[dict], int]:
    """getResultsForClass, getResultsForLineItemForClass, getResultsForStudentForClass: results on the class's
    lineItems (of one of them, of one student), those the caller may see."""
    district_id = await visible_class(session, principal=principal, class_id=class_id)
    a, r = models.Assessment, models.Result
    if line_item is not None:
        found = await AssessmentRepository(session).get_in_district(district_id, line_item)
        if found is None or found.class_id != class_id or collection_of(found) != "lineItems":
            raise AssessmentNotFound(line_item)
    within = [a.class_id == class_id]
    within += [r.assessment_id == line_item] if line_item is not None else []
    within += [r.student_id == student] if student is not None else []
    found_results, total = await GradebookRepository(session).results(
        district_id, "lineItems", auth.result_scope(principal), query, within=within
    )
    audit_read(principal, "oneroster.results.list", [x.student_id for x in found_results])
    objectives = await AssessmentRepository(session).objectives(
        district_id, list({x.assessment_id for x in found_results})
    )
    return [query.project(result_json(x, "results", objectives, base)) for x in found_results], total


async def delete_line_item(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, base: str
) -> None:
    auth.require_district_writer(principal)  # the role first: its 403 says nothing about the line item
    await get_line_item(session, principal=principal, collection=collection, sourced_id=sourced_id, base=base)
    assessment = await AssessmentRepository(session).get_in_district(principal.tenant, sourced_id)
    await _close(session, principal=principal, assessment=assessment)


# --- results --------------------------------------------------------------------------------------------------
async def put_result(
    session: AsyncSession,
    *,
    principal: Principal,
    collection: str,
    sourced_id: str,
    body: ResultIn,
    base: str,
) -> tuple[dict[str, Any], bool]:
    reference = RESULT_KEYS[collection]
    line_item = getattr(body, reference)
    if line_item is None:
        raise FieldRequired(reference)
    district_id = auth.require_role(principal, auth.RESULT_WRITERS, "record results")
    target = await AssessmentRepository(session).get_in_district(district_id, line_item.sourcedId)
    served_in = "lineItems" if collection == "results" else "assessmentLineItems"
    if target is not None and collection_of(target) != served_in:
        other = "assessmentResults" if collection == "results" else "results"
        reason = f"'{line_item.sourcedId}' is not one of the {served_in}: its results are {other}"
        raise InvalidResult([{"field": reference, "reason": reason}])
    [attempt] = await results_service.assign_attempts(
        session, district_id=district_id, entries=[(sourced_id, line_item.sourcedId, body.student.sourcedId)]
    )
    if attempt.error:
        raise ResultSourcedIdTaken(sourced_id)
    if body.status == "tobedeleted":
        await delete_result(session, principal=principal, sourced_id=sourced_id)
        return {"sourcedId": sourced_id, "status": "tobedeleted"}, False
    write = {
        "assessment_id": line_item.sourcedId,
        "student_id": body.student.sourcedId,
        "attempt": attempt.attempt,
        "sourced_id": sourced_id,
        "score_status": body.scoreStatus,
        "total_score": body.score,
        "objective_scores": {
            r.learningObjectiveId: r.score
            for s in body.learningObjectiveSet
            for r in s.learningObjectiveResults
            if r.score is not None
        },
        "assessed_on": body.scoreDate[:10] if body.scoreDate else None,
        "source_modified_at": body.dateLastModified,
        "text_score": body.textScore,
        "comment": body.comment,
    }
    outcome = await results_service.Ingest(session, principal, oneroster=True).run([write])
    if outcome.rejected:
        names = {"total_score": "score", "score_status": "scoreStatus", "assessment_id": reference}
        names |= {
            "student_id": "student",
            "objective_scores": "learningObjectiveSet",
            "assessed_on": "scoreDate",
        }
        errors = [
            {**e, "field": names.get((e["field"] or "").split(".")[0], e["field"])} for e in outcome.rejected
        ]
        raise InvalidResult(await _said_as_csv(session, district_id, write, outcome.rejected, errors))
    if outcome.stale:
        raise StaleSourceWrite(
            outcome.stale[0]["source_modified_at"], outcome.stale[0]["stored_source_modified_at"]
        )
    stored = await _by_sourced_id(session, principal=principal, sourced_id=sourced_id)
    if outcome.kept:
        raise ScoredResultKept(sourced_id, stored.total_score)
    objectives = await AssessmentRepository(session).objectives(district_id, [stored.assessment_id])
    return result_json(stored, collection, objectives, base), outcome.written[0].outcome == "created"


async def _said_as_csv(
    session: AsyncSession, district_id: str, write: dict, rejected: list[dict], errors: list[dict]
) -> list[dict]:
    """The reasons the CSV import gives for the same facts (oneroster.rules): a user who is staff, not a
    student; an objective score for an objective the line item is not aligned to. The latter stays a 422 here,
    where in CSV the result keeps its total and the objective's row is a problem: a PUT answers 201 with the
    object as stored and the binding has no warning on a success (imsx_StatusInfo only on a failure), so
    dropping an objective score would be silent; CSV has the report to say it."""
    said = []
    for raw, error in zip(rejected, errors, strict=True):
        field = raw["field"] or ""
        if field == "student_id":
            user = write["student_id"]
            staff = await ImportRepository(session).staff_roles(district_id, [user])
            if user in staff:
                error = {**error, "reason": staff_not_student(user, staff[user])}
        elif field.startswith("objective_scores."):
            objective = field.split(".", 1)[1]
            measured = await catalog.objective_codes(
                session, district_id=district_id, assessment_id=write["assessment_id"]
            )
            reason = f"{not_aligned(write['assessment_id'], objective, measured)}: the result is not stored"
            error = {**error, "reason": reason}
        said.append(error)
    return said


async def get_result(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, base: str
) -> dict:
    auth.require_role(principal, auth.STUDENT_READERS, "read student results")
    stored = await _visible(session, principal=principal, sourced_id=sourced_id)
    assessment = await AssessmentRepository(session).get_in_district(principal.tenant, stored.assessment_id)
    served_in = "lineItems" if collection == "results" else "assessmentLineItems"
    if assessment is None or collection_of(assessment) != served_in:
        raise ResultSourcedIdNotFound(sourced_id)  # it is one of the other collection's
    audit_read(principal, "oneroster.result.read", [stored.student_id], sourced_id=sourced_id)
    objectives = await AssessmentRepository(session).objectives(principal.tenant, [stored.assessment_id])
    return result_json(stored, collection, objectives, base)


async def list_results(
    session: AsyncSession, *, principal: Principal, collection: str, query: Query, base: str
) -> tuple[list[dict[str, Any]], int]:
    """Every OneRoster result (CSV or REST: they have a sourcedId) in the caller's scope, oldest first."""
    district_id = auth.require_role(principal, auth.STUDENT_READERS, "read student results")
    line_items = "lineItems" if collection == "results" else "assessmentLineItems"
    found, total = await GradebookRepository(session).results(
        district_id, line_items, auth.result_scope(principal), query
    )
    audit_read(principal, "oneroster.results.list", [x.student_id for x in found])
    objectives = await AssessmentRepository(session).objectives(
        district_id, list({x.assessment_id for x in found})
    )
    return [query.project(result_json(x, collection, objectives, base)) for x in found], total


async def delete_result(session: AsyncSession, *, principal: Principal, sourced_id: str) -> None:
    auth.require_role(principal, auth.RESULT_WRITERS, "void results")  # before anything is read
    stored = await _visible(session, principal=principal, sourced_id=sourced_id)
    await results_service.void_result(
        session,
        principal=principal,
        key=(stored.assessment_id, stored.student_id, stored.attempt),
        if_match=None,
    )


async def _by_sourced_id(
    session: AsyncSession, *, principal: Principal, sourced_id: str
) -> models.Result | None:
    return await GradebookRepository(session).by_sourced_id(principal.tenant, sourced_id)


async def _visible(session: AsyncSession, *, principal: Principal, sourced_id: str) -> models.Result:
    stored = await _by_sourced_id(session, principal=principal, sourced_id=sourced_id)
    if stored is None or stored.voided_at is not None:
        raise ResultSourcedIdNotFound(sourced_id)
    await auth.check_result(session, principal, stored, ResultSourcedIdNotFound(sourced_id))
    return stored


# --- the rostering reads (the objects the gradebook's hrefs point to) ----------------------------------------------------------------------------------------------------
async def list_objects(
    session: AsyncSession, *, principal: Principal, collection: Collection, query: rules.Query, base: str
) -> tuple[list[dict[str, Any]], int]:
    found, total = await RosteringRepository(session).objects(
        principal.tenant, collection, collection.within(principal), query
    )
    return [query.project(collection.to_json(x, base)) for x in found], total


async def get_object(
    session: AsyncSession, *, principal: Principal, collection: Collection, sourced_id: str, base: str
) -> dict[str, Any]:
    query = rules.Query(limit=1, filter=[[rules.Predicate("sourcedId", "=", sourced_id)]])
    found, _total = await RosteringRepository(session).objects(
        principal.tenant, collection, collection.within(principal), query
    )
    if not found:
        raise RosterObjectNotFound(collection.label, sourced_id)
    return collection.to_json(found[0], base)


async def list_users(
    session: AsyncSession,
    *,
    principal: Principal,
    path: str,
    query: rules.Query,
    base: str,
    sourced_id: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Users (students and staff) the caller may see; the students read are audited."""
    auth.require_role(principal, auth.STUDENT_READERS, "read users")
    _label, students, staff = USERS[path]
    page, total = await RosteringRepository(session).users(
        principal, query, students=students, staff=staff, sourced_id=sourced_id
    )
    ids = {kind: [sid for k, sid in page if k == kind] for kind in ("student", "staff")}
    loaded: dict[tuple[str, str], Any] = {}
    for kind, model in (("student", models.Student), ("staff", models.Staff)):
        if ids[kind]:
            stmt = select(model).where(model.district_id == principal.tenant, model.sourced_id.in_(ids[kind]))
            loaded |= {(kind, x.sourced_id): x for x in (await session.scalars(stmt)).all()}
    audit_read(principal, "oneroster.users.read", ids["student"])
    out = []
    for key in page:
        x = loaded[key]
        out.append(query.project(student_json(x, base) if key[0] == "student" else staff_json(x, base)))
    return out, total


async def get_user(
    session: AsyncSession, *, principal: Principal, path: str, sourced_id: str, base: str
) -> dict[str, Any]:
    label = USERS[path][0]
    found, _total = await list_users(
        session, principal=principal, path=path, query=rules.Query(limit=1), base=base, sourced_id=sourced_id
    )
    if not found:
        raise RosterObjectNotFound(label, sourced_id)
    return found[0]
