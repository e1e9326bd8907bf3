"""The OneRoster 1.2 gradebook REST binding mapped onto our assessments and results (one store with the CSV
import: a result imported from CSV is read, listed and deleted here by its sourcedId).

- lineItems ↔ common formative assessments; assessmentLineItems ↔ common summative and benchmark assessments.
  A PUT of an unknown sourcedId creates the assessment, published (line_items.create_line_item: max score
  `resultValueMax`, standards from `learningObjectiveSet`, cuts from `scoreScale` or the resultValue range);
  a PUT of a known one updates its descriptive fields (title, description, class, category, grading period,
  dates, resultValueMin, scoreScale); a different maximum or standard set is a 409 (results were scored against
  them). DELETE (or status tobedeleted) closes it.
- results / assessmentResults ↔ results, identified by their sourcedId (line_items.assign_attempts: another
  sourcedId for the same student and line item is another attempt), written through the one result pipeline
  (one event per change); `learningObjectiveSet` scores give the per-standard scores; a write without a score
  never replaces a scored result (409). DELETE (or tobedeleted) voids it.
- GET answers carry every required field of the 1.2 binding: sourcedId, status, dateLastModified (the
  source's time when it sent one, else our last change), GUIDRefs as {href, sourcedId, type}.
- Collections take the binding's `limit`, `offset`, `sort`, `orderBy`, `filter` and `fields`, with
  X-Total-Count; errors on these routes carry the binding's imsx_StatusInfo members (install_error_payload).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.errors import ProblemError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

from assessments import auth, models
from assessments.catalog import service as catalog
from assessments.catalog.repository import AssessmentRepository
from assessments.exceptions import (
    AssessmentNotFound,
    FieldRequired,
    InvalidPackage,
    InvalidResult,
    LineItemMaximumFixed,
    LineItemStandardsFixed,
    OrderByInvalid,
    ResultSourcedIdNotFound,
    ResultSourcedIdTaken,
    ScoredResultKept,
    SortFieldUnknown,
    StaleSourceWrite,
    UnknownLearningObjectives,
)
from assessments.oneroster.importer import Importer
from assessments.oneroster.line_items import (
    LineItem,
    assign_attempts,
    create_line_item,
    objective_codes,
    resolve_standards,
    update_line_item,
)
from assessments.oneroster.package import PackageInvalid, Predicate, parse_fields, parse_filter, read_package
from assessments.oneroster.repository import LINE_ITEM_QUERY_FIELDS, RESULT_QUERY_FIELDS, GradebookRepository
from assessments.oneroster.schemas import LineItemIn, ResultIn
from assessments.results import service as results_service
from assessments.results.service import Ingest

PREFIX = "/ims/oneroster/gradebook/v1p2"
ROSTERING = "/ims/oneroster/rostering/v1p2"
LINE_ITEM_KINDS = {
    "lineItems": ("common_formative",),
    "assessmentLineItems": ("common_summative", "benchmark"),
}
RESULT_KEYS = {"results": "lineItem", "assessmentResults": "assessmentLineItem"}
LINE_ITEM_FIELDS = frozenset(
    [
        "sourcedId",
        "status",
        "dateLastModified",
        "metadata",
        "title",
        "description",
        "assignDate",
        "dueDate",
        "class",
        "school",
        "category",
        "gradingPeriod",
        "scoreScale",
        "resultValueMin",
        "resultValueMax",
        "learningObjectiveSet",
    ]
)
RESULT_FIELDS = frozenset(
    [
        "sourcedId",
        "status",
        "dateLastModified",
        "metadata",
        "lineItem",
        "assessmentLineItem",
        "student",
        "scoreStatus",
        "score",
        "textScore",
        "scoreDate",
        "comment",
        "learningObjectiveSet",
    ]
)


@dataclass(frozen=True)
class Query:
    """A collection request's `limit`, `offset`, `sort`/`orderBy`, `filter` and `fields`, checked."""

    limit: int = 100
    offset: int = 0
    sort: str | None = None
    descending: bool = False
    filter: list[list[Predicate]] | None = None
    fields: list[str] | None = None

    @classmethod
    def parse(cls, *, collection: str, limit: int, offset: int, sort, order_by, filter_, fields) -> Query:
        line_item = collection in LINE_ITEM_KINDS
        filterable = frozenset(LINE_ITEM_QUERY_FIELDS if line_item else RESULT_QUERY_FIELDS)
        selectable = LINE_ITEM_FIELDS if line_item else RESULT_FIELDS
        if sort is not None and sort not in filterable:
            raise SortFieldUnknown(sort)
        if order_by is not None and order_by not in ("asc", "desc"):
            raise OrderByInvalid(order_by)
        predicates = parse_filter(filter_, filterable) if filter_ else None
        selection = parse_fields(fields, selectable) if fields is not None else None
        return cls(limit, offset, sort, order_by == "desc", predicates, selection)

    def project(self, item: dict[str, Any]) -> dict[str, Any]:
        return item if self.fields is None else {k: item.get(k) for k in self.fields}


def ref(base: str, path: str, type_: str, sourced_id: str | None) -> dict[str, str] | None:
    """A OneRoster GUIDRef."""
    if sourced_id is None:
        return None
    return {"href": f"{base}{path}/{sourced_id}", "sourcedId": sourced_id, "type": type_}


def iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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
        item = await _line_item(session, district_id, collection, sourced_id, body)
        await _create(session, principal=principal, item=item)
    else:
        await _update(session, existing, await _line_item(session, district_id, collection, sourced_id, body))
    line_item = await get_line_item(
        session, principal=principal, collection=collection, sourced_id=sourced_id, base=base
    )
    return line_item, existing is None and body.status != "tobedeleted"


async def _line_item(
    session: AsyncSession, district_id: str, collection: str, sourced_id: str, body: LineItemIn
) -> LineItem:
    class_id = body.class_.sourcedId if body.class_ else None
    school_id = body.school.sourcedId if body.school else None
    if school_id is None and class_id:
        found = await session.get(models.Class, (district_id, class_id))
        school_id = found.school_id if found is not None else None
    scale = (
        await session.get(models.ScoreScale, (district_id, body.scoreScale.sourcedId))
        if body.scoreScale
        else None
    )
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
            "assign_date": _moment(body.assignDate),
            "due_date": _moment(body.dueDate),
            "result_value_min": body.resultValueMin,
            "score_scale_id": body.scoreScale.sourcedId if body.scoreScale else None,
            "source_modified_at": body.dateLastModified,
        },
        objectives=[(s.source, lo) for s in body.learningObjectiveSet for lo in s.learningObjectiveIds],
        scale=list(scale.values) if scale is not None else None,
    )


def _moment(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(f"{value.isoformat()}T00:00:00+00:00")


async def _create(session: AsyncSession, *, principal: Principal, item: LineItem) -> None:
    standards, _created, refused = await resolve_standards(session, principal.tenant, item.objectives)
    if refused:
        raise UnknownLearningObjectives(refused)
    await create_line_item(session, principal=principal, item=item, standards=standards)


async def _update(session: AsyncSession, existing: models.Assessment, item: LineItem) -> None:
    if item.max_score and item.max_score != existing.max_score:
        raise LineItemMaximumFixed(existing.id, existing.max_score)
    stored = await objective_codes(session, existing.district_id, existing.id)
    if item.objectives and {lo for _s, lo in item.objectives} != stored:
        raise LineItemStandardsFixed(existing.id, sorted(stored))
    stale = update_line_item(existing, item)
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
    if found is None or found.kind not in LINE_ITEM_KINDS[collection] or found.status == "draft":
        raise AssessmentNotFound(sourced_id)
    await session.refresh(found)
    auth.check_assessment_visible(principal, found.district_id, found.school_id, sourced_id)
    objectives = await AssessmentRepository(session).objectives(principal.tenant, [sourced_id])
    return line_item_json(found, objectives, base)


async def list_line_items(
    session: AsyncSession, *, principal: Principal, collection: str, query: Query, base: str
) -> tuple[list[dict], int]:
    found, total = await _page(
        GradebookRepository(session).line_items,
        principal.tenant,
        LINE_ITEM_KINDS[collection],
        principal.visible_schools(),
        query,
    )
    objectives = await AssessmentRepository(session).objectives(principal.tenant, [a.id for a in found])
    return [query.project(line_item_json(a, objectives, base)) for a in found], total


async def delete_line_item(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, base: str
) -> None:
    await get_line_item(session, principal=principal, collection=collection, sourced_id=sourced_id, base=base)
    auth.require_district_writer(principal)
    assessment = await AssessmentRepository(session).get_in_district(principal.tenant, sourced_id)
    await _close(session, principal=principal, assessment=assessment)


def line_item_json(a: models.Assessment, objectives: list[models.Objective], base: str) -> dict[str, Any]:
    mine = [o for o in objectives if o.assessment_id == a.id]
    return {
        "sourcedId": a.id,
        "status": "tobedeleted" if a.status == "closed" else "active",
        "dateLastModified": iso(a.source_modified_at or a.updated_at),
        "metadata": {"proficiencyCut": a.proficiency_cut, "masteryCut": a.mastery_cut, "kind": a.kind},
        "title": a.title,
        "description": a.description,
        "assignDate": iso(a.assign_date or a.published_at),  # when it opened for results, if none was sent
        "dueDate": iso(a.due_date),
        "class": ref(base, f"{ROSTERING}/classes", "class", a.class_id),
        "school": ref(base, f"{ROSTERING}/schools", "org", a.school_id),
        "category": ref(base, f"{PREFIX}/categories", "category", a.category_id),
        "gradingPeriod": ref(base, f"{ROSTERING}/gradingPeriods", "academicSession", a.grading_period_id),
        "scoreScale": ref(base, f"{PREFIX}/scoreScales", "scoreScale", a.score_scale_id),
        "resultValueMin": a.result_value_min if a.result_value_min is not None else 0.0,
        "resultValueMax": a.max_score,
        "learningObjectiveSet": _objective_sets(mine, lambda o: o.code, "learningObjectiveIds"),
    }


def _source(objective: models.Objective) -> str:
    """line_items.create_line_item writes the learning objective's source into the description."""
    text = objective.description or ""
    return text[text.find("(") + 1 : -1] if text.startswith("OneRoster learning objective (") else "unknown"


def _objective_sets(objectives: list[models.Objective], value, key: str) -> list[dict] | None:
    sets: dict[str, list] = {}
    for o in objectives:
        sets.setdefault(_source(o), []).append(value(o))
    return [{"source": s, key: values} for s, values in sets.items()] or None


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
    [attempt] = await assign_attempts(
        session, district_id, [(sourced_id, line_item.sourcedId, body.student.sourcedId)]
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
    outcome = await Ingest(session, principal, oneroster=True).run([write])
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
        raise InvalidResult(errors)
    if outcome.stale:
        raise StaleSourceWrite(
            outcome.stale[0]["source_modified_at"], outcome.stale[0]["stored_source_modified_at"]
        )
    stored = await _by_sourced_id(session, principal=principal, sourced_id=sourced_id)
    if outcome.kept:
        raise ScoredResultKept(sourced_id, stored.total_score)
    objectives = await AssessmentRepository(session).objectives(district_id, [stored.assessment_id])
    return result_json(stored, collection, objectives, base), outcome.written[0].outcome == "created"


async def get_result(
    session: AsyncSession, *, principal: Principal, collection: str, sourced_id: str, base: str
) -> dict:
    auth.require_role(principal, auth.STUDENT_READERS, "read student results")
    stored = await _visible(session, principal=principal, sourced_id=sourced_id)
    audit_read(principal, "oneroster.result.read", [stored.student_id], sourced_id=sourced_id)
    objectives = await AssessmentRepository(session).objectives(principal.tenant, [stored.assessment_id])
    return result_json(stored, collection, objectives, base)


async def list_results(
    session: AsyncSession, *, principal: Principal, collection: str, query: Query, base: str
) -> tuple[list[dict[str, Any]], int]:
    """Every OneRoster result (CSV or REST: they have a sourcedId) in the caller's scope, oldest first."""
    district_id = auth.require_role(principal, auth.STUDENT_READERS, "read student results")
    kinds = LINE_ITEM_KINDS["lineItems" if collection == "results" else "assessmentLineItems"]
    found, total = await _page(
        GradebookRepository(session).results, district_id, kinds, principal.visible_schools(), query
    )
    audit_read(principal, "oneroster.results.list", [x.student_id for x in found])
    objectives = await AssessmentRepository(session).objectives(
        district_id, list({x.assessment_id for x in found})
    )
    return [query.project(result_json(x, collection, objectives, base)) for x in found], total


async def _page(read, district_id: str, kinds, schools, query: Query):
    return await read(district_id, kinds, schools, query)


async def delete_result(session: AsyncSession, *, principal: Principal, sourced_id: str) -> None:
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
    if (
        stored is None
        or stored.voided_at is not None
        or not auth.sees_school(principal, stored.district_id, stored.school_id)
    ):
        raise ResultSourcedIdNotFound(sourced_id)
    return stored


def result_json(
    r: models.Result, collection: str, objectives: list[models.Objective], base: str
) -> dict[str, Any]:
    reference = RESULT_KEYS[collection]
    line_items = f"{PREFIX}/{'assessmentLineItems' if reference == 'assessmentLineItem' else 'lineItems'}"
    scored = [o for o in objectives if o.assessment_id == r.assessment_id and o.code in r.objective_scores]
    results = _objective_sets(
        scored,
        lambda o: {"learningObjectiveId": o.code, "score": r.objective_scores[o.code]},
        "learningObjectiveResults",
    )
    return {
        "sourcedId": r.sourced_id,
        "status": "tobedeleted" if r.voided_at else "active",
        "dateLastModified": iso(r.source_modified_at or r.recorded_at),
        "metadata": {
            "percent": r.percent,
            "performanceLevel": r.performance_level,
            "revision": r.revision,
            "attempt": r.attempt,
            "standardScores": r.standard_scores,
        },
        reference: ref(base, line_items, reference, r.assessment_id),
        "student": ref(base, f"{ROSTERING}/students", "user", r.student_id),
        "scoreStatus": r.score_status,
        "score": r.total_score,
        "textScore": r.text_score,
        "scoreDate": r.assessed_on.isoformat(),
        "comment": r.comment,
        "learningObjectiveSet": results,
    }


# --- the binding's error payload ----------------------------------------------------------------------------------
CODE_MINOR = {400: "invaliddata", 401: "unauthorisedrequest", 403: "forbidden", 404: "unknownobject"}
CODE_MINOR |= {
    405: "unsupported",
    409: "invaliddata",
    413: "invaliddata",
    422: "invaliddata",
    429: "server_busy",
}


def install_error_payload(app: FastAPI) -> None:
    """Errors of the gradebook routes carry the binding's imsx_StatusInfo members (imsx_codeMajor,
    imsx_severity, imsx_description, imsx_CodeMinor.imsx_codeMinorField[{imsx_codeMinorFieldName,
    imsx_codeMinorFieldValue}]) next to the RFC 9457 members every other route answers with, so OneRoster
    clients and our own read the same body. The app's handlers still render (the transaction is rolled back
    before they run); this only reshapes their answer on the binding's paths."""
    for exc_class in (ProblemError, RequestValidationError, StarletteHTTPException, Exception):
        default = app.exception_handlers[exc_class]

        async def handler(request: Request, exc: Exception, default=default) -> Any:
            response = await default(request, exc)
            if not request.url.path.startswith(PREFIX):
                return response
            return _imsx(response)

        app.add_exception_handler(exc_class, handler)


def _imsx(response: JSONResponse) -> JSONResponse:
    problem = json.loads(response.body)
    minor = problem.pop("code_minor", None) or CODE_MINOR.get(response.status_code, "internal_server_error")
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": problem.get("detail") or problem.get("title"),
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}
            ]
        },
        **problem,
    }
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
    }
    return JSONResponse(body, status_code=response.status_code, headers=headers)


# --- CSV import -----------------------------------------------------------------------------------------------
async def import_oneroster(session: AsyncSession, *, principal: Principal, data: bytes) -> dict[str, Any]:
    """Everything valid in the package is written in this transaction; the report lists the rest."""
    try:
        package = read_package(data)
    except PackageInvalid as exc:
        raise InvalidPackage(exc.reason, exc.errors) from None
    return await Importer(session, principal, package).run()
