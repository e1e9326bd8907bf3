"""The reads of the OneRoster 1.2 rostering service that the gradebook's hrefs point to, and the gradebook's
categories: getClass / getAllClasses, getOrg / getAllOrgs, getSchool / getAllSchools, getAcademicSession /
getAllAcademicSessions, getGradingPeriod / getAllGradingPeriods, getTerm / getAllTerms, getCourse /
getAllCourses, getUser / getAllUsers, getStudent / getAllStudents, getTeacher / getAllTeachers (1EdTech
OneRoster 1.2 Rostering OpenAPI: their shapes are ClassDType, OrgDType, AcademicSessionDType, CourseDType,
UserDType, wrapped as SingleXDType / XSetDType), and getCategory / getAllCategories of the gradebook service.

Same query parameters as the gradebook's collections (rules.Query: limit, offset, sort, orderBy, filter, fields),
X-Total-Count and Link, imsx_StatusInfo errors. Scope (plc_shared.scope): classes, a teacher's own (the others'
are 404 like a class nobody has); schools, the caller's; students, those whose data the caller may see (a
teacher: enrolled in their classes; audited); staff, of the caller's schools; academic sessions, courses and
categories are the district's reference data. Another district's object is 404, as a missing one.

What we hold is served as the SIS sent it: a member the 1.2 object requires that the SIS never sent (a class's
course or terms, an org's identifier, a user's name) is absent, never made up (README, conformance table).
Two members are derived, by a stated rule: a user's `enabledUser` ("true" while active: we hold no account
state) and an academic session's `schoolYear` when the SIS sent none (the year its endDate falls in).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal, permission_area
from plc_shared.db import DbSession
from sqlalchemy import ARRAY, Text, and_, case, cast, func, literal, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.auth import CurrentPrincipal, StudentReader
from assessments.exceptions import RosterObjectNotFound
from assessments.gradebook import rules
from assessments.gradebook.endpoints import (
    ERRORS,
    LIST_ERRORS,
    Filter,
    Limit,
    Offset,
    OrderBy,
    _base,
    _fields,
    _one,
    _page,
    _paged,
    _sort,
)
from assessments.gradebook.repository import GradebookRepository, _condition
from assessments.gradebook.rules import PREFIX, ROSTERING, compact, iso, ref

_c, _o, _s, _co = models.Class, models.Org, models.AcademicSession, models.Course
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
        **_base_columns(_s),
        "title": _s.title,
        "startDate": _s.start_date,
        "endDate": _s.end_date,
        "type": _s.type,
        "schoolYear": _s.school_year,
        "parent.sourcedId": _s.parent_id,
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
            _s,
            session_json,
            _everyone,
            "Academic session",
        ),
        Collection(
            "gradingPeriods",
            "academicSessions",
            "academicSession",
            "academicSessions",
            _s,
            session_json,
            _everyone,
            "Grading period",
        ),
        Collection(
            "terms",
            "academicSessions",
            "academicSession",
            "academicSessions",
            _s,
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


# --- service ----------------------------------------------------------------------------------------------------
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


USERS = {"users": ("User", True, True), "students": ("Student", True, False), "teachers": ("Teacher", False, "teachers")}  # fmt: skip


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
    for kind, model in (("student", _st), ("staff", _sf)):
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


CATEGORIES = Collection("categories", "categories", "category", "categories", _cat, category_json, _everyone, "Category")  # fmt: skip


# --- routes -----------------------------------------------------------------------------------------------------
router = APIRouter(prefix=ROSTERING, tags=["oneroster rostering"], dependencies=[Depends(permission_area("rosters"))])  # fmt: skip
categories_router = APIRouter(
    prefix=PREFIX, tags=["oneroster gradebook"], dependencies=[Depends(permission_area("assessments"))]
)


def _page_dependency(fields_key: str) -> Any:
    selectable, filterable = rules.COLLECTION_FIELDS[fields_key]
    sort_type, fields_type = _sort(filterable), _fields(selectable)

    def query(
        limit: Limit = 100,
        offset: Offset = 0,
        sort: sort_type = None,
        order_by: OrderBy = None,
        filter_: Filter = None,
        fields: fields_type = None,
    ) -> rules.Query:
        return _page(fields_key, limit, offset, sort, order_by, filter_, fields)

    return Annotated[rules.Query, Depends(query)]


def _object_routes(target: APIRouter, collection: Collection) -> None:
    page_type = _page_dependency(collection.fields)
    fields_type = _fields(rules.COLLECTION_FIELDS[collection.fields][0])
    operation = collection.path[:-1] if collection.path != "classes" else "class"
    name = operation[0].upper() + operation[1:]
    reader = CurrentPrincipal if collection is CATEGORIES else StudentReader

    async def list_route(
        request: Request,
        response: Response,
        session: DbSession,
        principal: reader,
        query: page_type,
    ) -> dict[str, Any]:
        found, total = await list_objects(
            session, principal=principal, collection=collection, query=query, base=_base(request)
        )
        _paged(request, response, query, total)
        return {collection.plural: found}

    async def get_route(
        sourced_id: str,
        request: Request,
        session: DbSession,
        principal: reader,
        fields: fields_type = None,
    ) -> dict[str, Any]:
        query = _one(collection.fields, fields)
        found = await get_object(
            session, principal=principal, collection=collection, sourced_id=sourced_id, base=_base(request)
        )
        return {collection.singular: query.project(found)}

    plural = collection.path[0].upper() + collection.path[1:]
    list_route.__doc__ = f"OneRoster getAll{plural} (limit, offset, sort, orderBy, filter, fields)."
    get_route.__doc__ = f"OneRoster get{name}."
    target.add_api_route(
        f"/{collection.path}",
        list_route,
        methods=["GET"],
        responses=LIST_ERRORS,
        name=f"list_{collection.path}",
    )
    target.add_api_route(
        f"/{collection.path}/{{sourced_id}}",
        get_route,
        methods=["GET"],
        responses=ERRORS,
        name=f"get_{operation}",
    )


def _user_routes(path: str) -> None:
    page_type = _page_dependency("users")
    fields_type = _fields(rules.USER_FIELDS)
    label = USERS[path][0]

    async def list_route(
        request: Request, response: Response, session: DbSession, principal: StudentReader, query: page_type
    ) -> dict[str, Any]:
        found, total = await list_users(
            session, principal=principal, path=path, query=query, base=_base(request)
        )
        _paged(request, response, query, total)
        return {"users": found}

    async def get_route(
        sourced_id: str,
        request: Request,
        session: DbSession,
        principal: StudentReader,
        fields: fields_type = None,
    ) -> dict[str, Any]:
        query = _one("users", fields)
        found = await get_user(
            session, principal=principal, path=path, sourced_id=sourced_id, base=_base(request)
        )
        return {"user": query.project(found)}

    list_route.__doc__ = f"OneRoster getAll{label}s (limit, offset, sort, orderBy, filter, fields; audited)."
    get_route.__doc__ = f"OneRoster get{label} (audited)."
    router.add_api_route(f"/{path}", list_route, methods=["GET"], responses=LIST_ERRORS, name=f"list_{path}")
    router.add_api_route(
        f"/{path}/{{sourced_id}}", get_route, methods=["GET"], responses=ERRORS, name=f"get_{label.lower()}"
    )


for _collection in COLLECTIONS.values():
    _object_routes(router, _collection)
for _path in USERS:
    _user_routes(_path)
_object_routes(categories_router, CATEGORIES)
