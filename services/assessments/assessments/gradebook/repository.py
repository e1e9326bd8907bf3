"""SQL of the gradebook binding: its collections (filter, sort, limit, offset) within one district and the
caller's schools, results by their sourcedId, and what a line item names (a class's school, a score scale)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from plc_shared import scope
from plc_shared.auth import Principal
from sqlalchemy import ARRAY, Text, and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.gradebook import rules
from assessments.gradebook.rules import ROSTERING, compact, in_collection, iso, ref

_r, _a = models.Result, models.Assessment
# OneRoster field (filter / sort name; rules.RESULT_FILTERS / LINE_ITEM_FILTERS give its kind) -> SQL expression.
RESULT_COLUMNS: dict[str, Any] = {
    "sourcedId": _r.sourced_id,
    "status": case((_r.voided_at.is_(None), "active"), else_="tobedeleted"),
    "dateLastModified": func.coalesce(_r.source_modified_at, _r.recorded_at),
    "lineItem.sourcedId": _r.assessment_id,
    "assessmentLineItem.sourcedId": _r.assessment_id,
    "student.sourcedId": _r.student_id,
    "scoreStatus": _r.score_status,
    "score": _r.total_score,
    "scoreDate": _r.assessed_on,
    "textScore": _r.text_score,
    "comment": _r.comment,
}
LINE_ITEM_COLUMNS: dict[str, Any] = {
    "sourcedId": _a.id,
    "status": case((_a.status == "closed", "tobedeleted"), else_="active"),
    "dateLastModified": func.coalesce(_a.source_modified_at, _a.updated_at),
    "title": _a.title,
    "description": _a.description,
    "assignDate": func.coalesce(_a.assign_date, _a.published_at),
    "dueDate": _a.due_date,
    "class.sourcedId": _a.class_id,
    "school.sourcedId": _a.school_id,
    "category.sourcedId": _a.category_id,
    "gradingPeriod.sourcedId": _a.grading_period_id,
    "scoreScale.sourcedId": _a.score_scale_id,
    "resultValueMin": func.coalesce(_a.result_value_min, 0.0),
    "resultValueMax": _a.max_score,
}


_s = models.ScoreScale
SCORE_SCALE_COLUMNS: dict[str, Any] = {
    "sourcedId": _s.sourced_id,
    "status": _s.status,
    "dateLastModified": _s.updated_at,
    "title": _s.title,
    "type": _s.type,
    "class.sourcedId": _s.class_id,
    "course.sourcedId": _s.course_id,
}


class GradebookRepository:
    """Collections of the gradebook binding, always within one district and the caller's schools."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_sourced_id(self, district_id: str, sourced_id: str) -> models.Result | None:
        stmt = select(_r).where(_r.district_id == district_id, _r.sourced_id == sourced_id)
        return (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()

    async def school_of_class(self, district_id: str, class_id: str) -> str | None:
        found = await self.session.get(models.Class, (district_id, class_id))
        return found.school_id if found is not None else None

    async def score_scale(self, district_id: str, scale_id: str) -> list[dict[str, str]] | None:
        found = await self.session.get(models.ScoreScale, (district_id, scale_id))
        return list(found.values) if found is not None else None

    async def results(
        self, district_id: str, collection: str, scope: Sequence[Any], query: Any, within: Sequence = ()
    ) -> tuple[list[models.Result], int]:
        """Live results with a sourcedId (every OneRoster result, CSV or REST) of the line items `collection`
        (lineItems / assessmentLineItems: rules.in_collection) serves,
        within `scope` (what the caller may see: assessments.auth.result_scope) and `within` (a class's,
        a line item's, a student's: conditions on Result and Assessment)."""
        stmt = (
            select(_r)
            .join(_a, (_a.district_id == _r.district_id) & (_a.id == _r.assessment_id))
            .where(_r.district_id == district_id, _r.sourced_id.is_not(None), _r.voided_at.is_(None))
            .where(in_collection(collection), *scope, *within)
        )
        return await self._page(stmt, query, RESULT_COLUMNS, (_r.recorded_at, _r.id))

    async def line_items(
        self,
        district_id: str,
        collection: str,
        schools: frozenset[str] | None,
        query: Any,
        within: Sequence = (),
    ) -> tuple[list[models.Assessment], int]:
        stmt = select(_a).where(
            _a.district_id == district_id, in_collection(collection), _a.status != "draft"
        )
        stmt = stmt.where(*within)
        if schools is not None:
            stmt = stmt.where(or_(_a.school_id.is_(None), _a.school_id.in_(schools)))
        return await self._page(stmt, query, LINE_ITEM_COLUMNS, (_a.created_at, _a.id))

    async def score_scales(self, district_id: str, query: Any) -> tuple[list[models.ScoreScale], int]:
        stmt = select(_s).where(_s.district_id == district_id)
        return await self._page(stmt, query, SCORE_SCALE_COLUMNS, (_s.sourced_id,))

    async def score_scale_object(self, district_id: str, scale_id: str) -> models.ScoreScale | None:
        return await self.session.get(models.ScoreScale, (district_id, scale_id))

    async def _page(self, stmt: Any, query: Any, fields: dict, default_order: tuple) -> tuple[list[Any], int]:
        if query.filter:
            stmt = stmt.where(
                or_(*(and_(*(_condition(fields[p.field], p) for p in group)) for group in query.filter))
            )
        total = (await self.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
        order = [fields[query.sort]] if query.sort else []
        order = [c.desc() if query.descending else c.asc() for c in order] + list(default_order)
        stmt = stmt.order_by(*order).limit(query.limit).offset(query.offset)
        return list((await self.session.scalars(stmt)).all()), total


def _condition(column: Any, predicate: Any) -> Any:
    if predicate.op == "~":
        escaped = predicate.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return cast(column, Text).ilike(f"%{escaped}%", escape="\\")
    value = predicate.value
    return {
        "=": column == value,
        "!=": column != value,
        ">": column > value,
        ">=": column >= value,
        "<": column < value,
        "<=": column <= value,
    }[predicate.op]


# --- OneRoster rostering objects and categories (the reads the gradebook's hrefs point to) ---------------------
# The reads of the OneRoster 1.2 rostering service that the gradebook's hrefs point to (getClass / getAllClasses,
# getOrg, getSchool, getAcademicSession, getGradingPeriod, getTerm, getCourse, getUser, getStudent, getTeacher and
# their collections; 1EdTech OneRoster 1.2 Rostering OpenAPI shapes ClassDType, OrgDType, AcademicSessionDType,
# CourseDType, UserDType) and the gradebook's getCategory / getAllCategories. Scope (plc_shared.scope): classes, a
# teacher's own; schools, the caller's; students, those whose data the caller may see (audited by the service);
# staff, of the caller's schools; sessions, courses and categories are the district's reference data.
# What we hold is served as the SIS sent it: a member the 1.2 object requires that the SIS never sent is absent,
# never made up. Two members are derived by a stated rule: `enabledUser` ("true" while active) and a session's
# `schoolYear` when the SIS sent none (the year its endDate falls in).
_c, _o, _ses, _co = models.Class, models.Org, models.AcademicSession, models.Course
_st, _sf, _cat = models.Student, models.Staff, models.Category


def _status(column: Any) -> Any:
    return case((column == "tobedeleted", "tobedeleted"), else_="active")


def _base_columns(model: Any) -> dict[str, Any]:
    return {
        "sourcedId": model.sourced_id,
        "status": _status(model.status),
        "dateLastModified": model.updated_at,
    }


COLUMNS: dict[str, dict[str, Any]] = {
    "classes": {
        **_base_columns(_c),
        "title": _c.title,
        "classCode": _c.class_code,
        "course.sourcedId": _c.course_id,
        "school.sourcedId": _c.school_id,
    },
    "orgs": {
        **_base_columns(_o),
        "name": _o.name,
        "type": _o.type,
        "identifier": _o.identifier,
        "parent.sourcedId": _o.parent_id,
    },
    "academicSessions": {
        **_base_columns(_ses),
        "title": _ses.title,
        "startDate": _ses.start_date,
        "endDate": _ses.end_date,
        "type": _ses.type,
        "schoolYear": _ses.school_year,
        "parent.sourcedId": _ses.parent_id,
    },
    "courses": {
        **_base_columns(_co),
        "title": _co.title,
        "courseCode": _co.course_code,
        "org.sourcedId": _co.school_id,
    },
    "categories": {**_base_columns(_cat), "title": _cat.title, "weight": _cat.weight},
}


# --- JSON (the 1.2 rostering shapes; compact: an absent optional member is omitted, never null) ----------------
def _common(x: Any) -> dict[str, Any]:
    return {
        "sourcedId": x.sourced_id,
        "status": "tobedeleted" if x.status == "tobedeleted" else "active",
        "dateLastModified": iso(x.updated_at),
    }


def _org_ref(base: str, org_id: str | None) -> dict[str, str] | None:
    return ref(base, f"{ROSTERING}/orgs", "org", org_id)


def _session_ref(base: str, session_id: str | None) -> dict[str, str] | None:
    return ref(base, f"{ROSTERING}/academicSessions", "academicSession", session_id)


def class_json(c: models.Class, base: str) -> dict[str, Any]:
    return compact(
        {
            **_common(c),
            "title": c.title,
            "classCode": c.class_code,
            "grades": list(c.grades) or None,
            "subjects": list(c.subjects) or None,
            "course": ref(base, f"{ROSTERING}/courses", "course", c.course_id),
            "school": _org_ref(base, c.school_id),
            "terms": [_session_ref(base, t) for t in c.term_ids] or None,
        }
    )


def org_json(o: models.Org, base: str) -> dict[str, Any]:
    return compact(
        {
            **_common(o),
            "name": o.name,
            "type": o.type,
            "identifier": o.identifier,
            "parent": _org_ref(base, o.parent_id),
        }
    )


def session_json(s: models.AcademicSession, base: str) -> dict[str, Any]:
    year = s.school_year or (str(s.end_date.year) if s.end_date else None)
    return compact(
        {
            **_common(s),
            "title": s.title,
            "startDate": s.start_date.isoformat() if s.start_date else None,
            "endDate": s.end_date.isoformat() if s.end_date else None,
            "type": s.type,
            "parent": _session_ref(base, s.parent_id),
            "schoolYear": year,
        }
    )


def course_json(c: models.Course, base: str) -> dict[str, Any]:
    return compact(
        {
            **_common(c),
            "title": c.title,
            "courseCode": c.course_code,
            "grades": list(c.grades) or None,
            "subjects": list(c.subjects) or None,
            "org": _org_ref(base, c.school_id),
        }
    )


# Our staff roles (oneroster.rules.STAFF_ROLE_OF) in the 1.2 role vocabulary; `administrator` stands for the
# several 1.2 administrator roles the import folds together, so it is named as an extension, not guessed.
USER_ROLE = {"teacher": "teacher", "aide": "aide", "proctor": "proctor", "administrator": "ext:administrator"}


def _roles(base: str, roles: Sequence[str], schools: Sequence[str]) -> list[dict[str, Any]] | None:
    found = [
        {
            "roleType": "primary" if n == 0 else "secondary",
            "role": USER_ROLE.get(role, role),
            "org": _org_ref(base, school),
        }
        for school in schools
        for n, role in enumerate(roles)
    ]
    return found or None


def student_json(s: models.Student, base: str) -> dict[str, Any]:
    return compact(
        {
            **_common(s),
            "enabledUser": "true" if s.status != "tobedeleted" else "false",
            "givenName": s.given_name,
            "familyName": s.family_name,
            "roles": _roles(base, ["student"], s.school_ids),
            "primaryOrg": _org_ref(base, s.school_ids[0] if s.school_ids else None),
            "identifier": s.identifier,
            "grades": list(s.grades) or None,
        }
    )


def staff_json(s: models.Staff, base: str) -> dict[str, Any]:
    return compact(
        {
            **_common(s),
            "enabledUser": "true" if s.status != "tobedeleted" else "false",
            "givenName": s.given_name,
            "familyName": s.family_name,
            "roles": _roles(base, s.roles, s.school_ids),
            "primaryOrg": _org_ref(base, s.school_ids[0] if s.school_ids else None),
            "identifier": s.identifier,
            "email": s.email,
        }
    )


def category_json(c: models.Category, base: str) -> dict[str, Any]:
    return compact({**_common(c), "title": c.title, "weight": c.weight})


# --- the collections --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Collection:
    """One served collection: its path, JSON wrapper, what `fields` / filter / sort take, its table and the
    scope conditions a caller's reads get."""

    path: str
    plural: str
    singular: str
    fields: str  # key of rules.COLLECTION_FIELDS
    model: Any
    to_json: Callable[[Any, str], dict[str, Any]]
    within: Callable[[Principal], list[Any]]
    label: str


def _classes_within(p: Principal) -> list[Any]:
    schools, classes = p.visible_schools(), p.visible_classes()
    conditions = [] if schools is None else [_c.school_id.in_(sorted(schools))]
    return conditions + ([] if classes is None else [_c.sourced_id.in_(sorted(classes))])


def _orgs_within(p: Principal) -> list[Any]:
    """A school's own data is its staff's; the orgs above the schools (district, state, ...) are the district's."""
    schools = p.visible_schools()
    if schools is None:
        return []
    return [or_(_o.sourced_id.in_(sorted(schools)), _o.type.in_(("district", "local", "state", "national")))]


def _courses_within(p: Principal) -> list[Any]:
    schools = p.visible_schools()
    return [] if schools is None else [or_(_co.school_id.is_(None), _co.school_id.in_(sorted(schools)))]


def _everyone(_p: Principal) -> list[Any]:
    return []


COLLECTIONS = {
    c.path: c
    for c in (
        Collection("classes", "classes", "class", "classes", _c, class_json, _classes_within, "Class"),
        Collection("orgs", "orgs", "org", "orgs", _o, org_json, _orgs_within, "Org"),
        Collection("schools", "orgs", "org", "orgs", _o, org_json, _orgs_within, "School"),
        Collection(
            "academicSessions",
            "academicSessions",
            "academicSession",
            "academicSessions",
            _ses,
            session_json,
            _everyone,
            "Academic session",
        ),
        Collection(
            "gradingPeriods",
            "academicSessions",
            "academicSession",
            "academicSessions",
            _ses,
            session_json,
            _everyone,
            "Grading period",
        ),
        Collection(
            "terms",
            "academicSessions",
            "academicSession",
            "academicSessions",
            _ses,
            session_json,
            _everyone,
            "Term",
        ),
        Collection("courses", "courses", "course", "courses", _co, course_json, _courses_within, "Course"),
    )
}
# A collection that is a type of another: schools are orgs of type school, gradingPeriods and terms academic
# sessions of that type.
TYPE_OF = {"schools": "school", "gradingPeriods": "gradingPeriod", "terms": "term"}


class RosteringRepository(GradebookRepository):
    async def objects(
        self, district_id: str, collection: Collection, within: list[Any], query: rules.Query
    ) -> tuple[list[Any], int]:
        model = collection.model
        stmt = select(model).where(model.district_id == district_id, *within)
        if collection.path in TYPE_OF:
            stmt = stmt.where(model.type == TYPE_OF[collection.path])
        return await self._page(stmt, query, COLUMNS[collection.fields], (model.sourced_id,))

    async def users(
        self, principal: Principal, query: rules.Query, *, students: bool, staff: bool, sourced_id: str | None
    ) -> tuple[list[tuple[str, str]], int]:
        """(kind, sourcedId) of the users the caller may see, one page: students in the caller's scope
        (plc_shared.scope), staff of the caller's schools. Filtered and sorted over both tables at once."""
        district_id, parts = principal.tenant, []
        if students:
            condition = auth.in_classes(_st.district_id, _st.sourced_id)
            part = select(*_user_columns(_st, "student", null()))
            part = part.where(_st.district_id == district_id)
            part = part.where(*scope.student_filter(principal, school=None, in_classes=condition))
            schools = principal.visible_schools()
            if schools is not None:
                part = part.where(_st.school_ids.op("&&")(cast(sorted(schools), ARRAY(Text))))
            parts.append(part.where(*([_st.sourced_id == sourced_id] if sourced_id else [])))
        if staff:
            part = select(*_user_columns(_sf, "staff", _sf.email)).where(_sf.district_id == district_id)
            if staff == "teachers":
                part = part.where(literal("teacher") == _sf.roles.any_())
            schools = principal.visible_schools()
            if schools is not None:
                part = part.where(_sf.school_ids.op("&&")(cast(sorted(schools), ARRAY(Text))))
            parts.append(part.where(*([_sf.sourced_id == sourced_id] if sourced_id else [])))
        u = union_all(*parts).subquery()
        columns = {
            "sourcedId": u.c.sourced_id,
            "status": _status(u.c.status),
            "dateLastModified": u.c.updated_at,
            "givenName": u.c.given_name,
            "familyName": u.c.family_name,
            "identifier": u.c.identifier,
            "email": u.c.email,
        }
        stmt = select(u.c.kind, u.c.sourced_id)
        if query.filter:
            stmt = stmt.where(
                or_(*(and_(*(_condition(columns[p.field], p) for p in group)) for group in query.filter))
            )
        total = (await self.session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
        order = [columns[query.sort]] if query.sort else []
        order = [c.desc() if query.descending else c.asc() for c in order] + [u.c.sourced_id, u.c.kind]
        rows = (
            await self.session.execute(stmt.order_by(*order).limit(query.limit).offset(query.offset))
        ).all()
        return [(kind, sid) for kind, sid in rows], total


def _user_columns(model: Any, kind: str, email: Any) -> list[Any]:
    return [
        literal(kind).label("kind"),
        model.sourced_id.label("sourced_id"),
        model.status.label("status"),
        model.updated_at.label("updated_at"),
        model.given_name.label("given_name"),
        model.family_name.label("family_name"),
        model.identifier.label("identifier"),
        email.label("email"),
    ]


USERS = {"users": ("User", True, True), "students": ("Student", True, False), "teachers": ("Teacher", False, "teachers")}  # fmt: skip
CATEGORIES = Collection("categories", "categories", "category", "categories", _cat, category_json, _everyone, "Category")  # fmt: skip
