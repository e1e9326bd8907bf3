"""The OneRoster 1.2 gradebook REST binding, pure: collection query parameters (filter, sort, orderBy, fields),
the JSON of a line item and a result (every required field; GUIDRefs {href, sourcedId, type}), and the
binding's imsx_StatusInfo error payload.

- lineItems ↔ common formative assessments; assessmentLineItems ↔ common summative and benchmark assessments.
- GET answers carry every required field of the 1.2 binding: sourcedId, status, dateLastModified (the
  source's time when it sent one, else our last change), GUIDRefs as {href, sourcedId, type}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, not_

from assessments import models
from assessments.exceptions import (
    FilterFieldUnknown,
    FilterInvalid,
    FilterValueInvalid,
    OrderByInvalid,
    SelectionFieldUnknown,
    SortFieldUnknown,
)

PREFIX = "/ims/oneroster/gradebook/v1p2"
ROSTERING = "/ims/oneroster/rostering/v1p2"
LINE_ITEM_KINDS = {
    "lineItems": ("common_formative",),
    "assessmentLineItems": ("common_summative", "benchmark"),
}
RESULT_KEYS = {"results": "lineItem", "assessmentResults": "assessmentLineItem"}


def collection_of(a: models.Assessment) -> str:
    """Which collection serves an assessment: lineItems are the common formative assessments created through
    OneRoster (the binding or CSV); a CFA made natively (the assessments API) has no class, category or due
    date, which the 1.2 lineItem requires and we cannot make up, so it is served in the Assessment Results
    profile (assessmentLineItems, where they are optional), with the summative and benchmark assessments. Its
    results are assessmentResults."""
    return "lineItems" if a.kind == "common_formative" and a.oneroster else "assessmentLineItems"


def in_collection(collection: str) -> Any:
    """collection_of as a SQL condition on Assessment."""
    a = models.Assessment
    line_item = and_(a.kind == "common_formative", a.oneroster.is_(True))
    return line_item if collection == "lineItems" else not_(line_item)


# The Assessment Results profile's assessmentLineItem has none of a lineItem's dates, school, category or
# grading period (its shape: class, parentAssessmentLineItem, scoreScale, the value range, objectives).
NOT_IN_ASSESSMENT_PROFILE = frozenset(["assignDate", "dueDate", "school", "category", "gradingPeriod"])
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


# OneRoster field (filter / sort name) -> kind; GUIDRefs are filtered by `<ref>.sourcedId` (the columns are in
# repository.py).
RESULT_FILTERS = {
    "sourcedId": "text",
    "status": "text",
    "dateLastModified": "datetime",
    "lineItem.sourcedId": "text",
    "assessmentLineItem.sourcedId": "text",
    "student.sourcedId": "text",
    "scoreStatus": "text",
    "score": "number",
    "scoreDate": "date",
    "textScore": "text",
    "comment": "text",
}
LINE_ITEM_FILTERS = {
    "sourcedId": "text",
    "status": "text",
    "dateLastModified": "datetime",
    "title": "text",
    "description": "text",
    "assignDate": "datetime",
    "dueDate": "datetime",
    "class.sourcedId": "text",
    "school.sourcedId": "text",
    "category.sourcedId": "text",
    "gradingPeriod.sourcedId": "text",
    "scoreScale.sourcedId": "text",
    "resultValueMin": "number",
    "resultValueMax": "number",
}
ASSESSMENT_LINE_ITEM_FIELDS = LINE_ITEM_FIELDS - NOT_IN_ASSESSMENT_PROFILE
ASSESSMENT_LINE_ITEM_FILTERS = {
    k: v for k, v in LINE_ITEM_FILTERS.items() if k.split(".")[0] not in NOT_IN_ASSESSMENT_PROFILE
}
ASSESSMENT_RESULT_FIELDS = RESULT_FIELDS - {"lineItem"}
RESULT_FIELDS = RESULT_FIELDS - {"assessmentLineItem"}
ASSESSMENT_RESULT_FILTERS = {k: v for k, v in RESULT_FILTERS.items() if k != "lineItem.sourcedId"}
RESULT_FILTERS = {k: v for k, v in RESULT_FILTERS.items() if k != "assessmentLineItem.sourcedId"}
SCORE_SCALE_FILTERS = {
    "sourcedId": "text",
    "status": "text",
    "dateLastModified": "datetime",
    "title": "text",
    "type": "text",
    "class.sourcedId": "text",
    "course.sourcedId": "text",
}
SCORE_SCALE_FIELDS = frozenset(["sourcedId", "status", "dateLastModified", "title", "type", "class", "course", "scoreScaleValue"])  # fmt: skip
CATEGORY_FIELDS = frozenset(["sourcedId", "status", "dateLastModified", "metadata", "title", "weight"])
CATEGORY_FILTERS = {"sourcedId": "text", "status": "text", "dateLastModified": "datetime", "title": "text", "weight": "number"}  # fmt: skip
# The rostering service's objects (1EdTech OneRoster 1.2 Rostering OpenAPI: ClassDType, OrgDType,
# AcademicSessionDType, CourseDType, UserDType): every member `fields` may name, the ones filter / sort take.
_BASE_FIELDS = ("sourcedId", "status", "dateLastModified", "metadata")
_BASE_FILTERS = {"sourcedId": "text", "status": "text", "dateLastModified": "datetime"}
CLASS_FIELDS = frozenset([*_BASE_FIELDS, "title", "classCode", "classType", "location", "grades", "subjects", "course", "school", "terms", "subjectCodes", "periods", "resources"])  # fmt: skip
CLASS_FILTERS = {**_BASE_FILTERS, "title": "text", "classCode": "text", "course.sourcedId": "text", "school.sourcedId": "text"}  # fmt: skip
ORG_FIELDS = frozenset([*_BASE_FIELDS, "name", "type", "identifier", "parent", "children"])
ORG_FILTERS = {**_BASE_FILTERS, "name": "text", "type": "text", "identifier": "text", "parent.sourcedId": "text"}  # fmt: skip
SESSION_FIELDS = frozenset([*_BASE_FIELDS, "title", "startDate", "endDate", "type", "parent", "children", "schoolYear"])  # fmt: skip
SESSION_FILTERS = {**_BASE_FILTERS, "title": "text", "startDate": "date", "endDate": "date", "type": "text", "schoolYear": "text", "parent.sourcedId": "text"}  # fmt: skip
COURSE_FIELDS = frozenset([*_BASE_FIELDS, "title", "schoolYear", "courseCode", "grades", "subjects", "org", "subjectCodes", "resources"])  # fmt: skip
COURSE_FILTERS = {**_BASE_FILTERS, "title": "text", "courseCode": "text", "org.sourcedId": "text"}
USER_FIELDS = frozenset([*_BASE_FIELDS, "userMasterIdentifier", "username", "userIds", "enabledUser", "givenName", "familyName", "middleName", "preferredFirstName", "preferredMiddleName", "preferredLastName", "pronouns", "roles", "userProfiles", "primaryOrg", "identifier", "email", "sms", "phone", "agents", "grades", "password", "resources"])  # fmt: skip
USER_FILTERS = {
    **_BASE_FILTERS,
    "givenName": "text",
    "familyName": "text",
    "identifier": "text",
    "email": "text",
}
ROSTERING_FIELDS = {
    "classes": (CLASS_FIELDS, CLASS_FILTERS),
    "orgs": (ORG_FIELDS, ORG_FILTERS),
    "academicSessions": (SESSION_FIELDS, SESSION_FILTERS),
    "courses": (COURSE_FIELDS, COURSE_FILTERS),
    "users": (USER_FIELDS, USER_FILTERS),
}
# collection -> (the fields `fields` selects, the fields `filter` and `sort` take)
COLLECTION_FIELDS = {
    "categories": (CATEGORY_FIELDS, CATEGORY_FILTERS),
    **ROSTERING_FIELDS,
    "scoreScales": (SCORE_SCALE_FIELDS, SCORE_SCALE_FILTERS),
    "lineItems": (LINE_ITEM_FIELDS, LINE_ITEM_FILTERS),
    "assessmentLineItems": (ASSESSMENT_LINE_ITEM_FIELDS, ASSESSMENT_LINE_ITEM_FILTERS),
    "results": (RESULT_FIELDS, RESULT_FILTERS),
    "assessmentResults": (ASSESSMENT_RESULT_FIELDS, ASSESSMENT_RESULT_FILTERS),
}


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
        selectable, filterable = COLLECTION_FIELDS[collection]
        if sort is not None and sort not in filterable:
            raise SortFieldUnknown(sort)
        if order_by is not None and order_by not in ("asc", "desc"):
            raise OrderByInvalid(order_by)
        predicates = parse_filter(filter_, filterable) if filter_ else None
        selection = parse_fields(fields, selectable) if fields is not None else None
        return cls(limit, offset, sort, order_by == "desc", predicates, selection)

    def project(self, item: dict[str, Any]) -> dict[str, Any]:
        """The selected fields an object has (an absent optional field stays absent, never null)."""
        return item if self.fields is None else {k: item[k] for k in self.fields if k in item}


# --- filter and fields --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Predicate:
    field: str
    op: str
    value: Any  # typed by the field's kind (a number, a date, a date-time, text); text for `~`


_LOGICAL = re.compile(r"\s+(AND|OR)\s+(?=(?:[^']*'[^']*')*[^']*$)")  # AND / OR outside quotes
_PREDICATE = re.compile(r"^\s*([A-Za-z][\w.]*)\s*(!=|>=|<=|=|>|<|~)\s*(?:'((?:[^']|'')*)'|([\w.:+-]+))\s*$")


def parse_filter(text: str, allowed: dict[str, str]) -> list[list[Predicate]]:
    """`filter=field<op>'value'` joined by AND / OR (AND binds first): OR-groups of AND-ed predicates.
    Operators = != > >= < <= and ~ (contains). An unknown field is `invalid_filter_field`; a value that does not
    fit its field (`allowed`: name → kind) is `invaliddata`."""
    tokens = _LOGICAL.split(text.strip())
    groups: list[list[Predicate]] = [[]]
    for position, part in enumerate(tokens):
        if position % 2:
            if part == "OR":
                groups.append([])
            continue
        match = _PREDICATE.match(part)
        if match is None:
            raise FilterInvalid(part)
        name, op, quoted, bare = match.groups()
        if name not in allowed:
            raise FilterFieldUnknown(name, frozenset(allowed))
        value = quoted.replace("''", "'") if quoted is not None else bare
        groups[-1].append(Predicate(name, op, value if op == "~" else typed(allowed[name], value)))
    return groups


def parse_fields(text: str, allowed: frozenset[str]) -> list[str]:
    """`fields=a,b`: the top-level fields to return; an unknown one is `invalid_selection_field`."""
    names = [v.strip() for v in (text or "").split(",") if v.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        raise SelectionFieldUnknown(unknown, allowed)
    return names


def typed(kind: str, value: str) -> Any:
    """A filter value as its field's kind; FilterValueInvalid (400 invaliddata) when it does not fit."""
    try:
        if kind == "number":
            return float(value)
        if kind == "date":
            return date.fromisoformat(value[:10])
        if kind == "datetime":
            parsed = datetime.fromisoformat(value if "T" in value else f"{value[:10]}T00:00:00+00:00")
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        raise FilterValueInvalid(value, kind) from None
    return value


# --- JSON of a line item and a result ---------------------------------------------------------------------------
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


def moment(value: datetime | date | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(f"{value.isoformat()}T00:00:00+00:00")


def compact(item: dict[str, Any]) -> dict[str, Any]:
    """The binding types every optional field (string, object, array): one that has no value is omitted, never
    null (a strict client rejects a null). Applied to metadata too."""
    return {k: compact(v) if isinstance(v, dict) else v for k, v in item.items() if v is not None}


def line_item_json(
    a: models.Assessment, objectives: list[models.Objective], base: str, collection: str = "lineItems"
) -> dict[str, Any]:
    """A lineItem, or (collection assessmentLineItems) an assessmentLineItem in the Assessment Results
    profile's shape."""
    item = _line_item_json(a, objectives, base)
    if collection == "assessmentLineItems":
        item = {k: v for k, v in item.items() if k not in NOT_IN_ASSESSMENT_PROFILE}
    return compact(item)


def _line_item_json(a: models.Assessment, objectives: list[models.Objective], base: str) -> dict[str, Any]:
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
        "school": ref(base, f"{ROSTERING}/orgs", "org", a.school_id),
        "category": ref(base, f"{PREFIX}/categories", "category", a.category_id),
        "gradingPeriod": ref(base, f"{ROSTERING}/academicSessions", "academicSession", a.grading_period_id),
        "scoreScale": ref(base, f"{PREFIX}/scoreScales", "scoreScale", a.score_scale_id),
        "resultValueMin": a.result_value_min if a.result_value_min is not None else 0.0,
        "resultValueMax": a.max_score,
        "learningObjectiveSet": _objective_sets(mine, lambda o: o.code, "learningObjectiveIds"),
    }


def _source(objective: models.Objective) -> str:
    """catalog.service.create_line_item writes the learning objective's source into the description."""
    text = objective.description or ""
    return text[text.find("(") + 1 : -1] if text.startswith("OneRoster learning objective (") else "unknown"


def _objective_sets(objectives: list[models.Objective], value, key: str) -> list[dict] | None:
    sets: dict[str, list] = {}
    for o in objectives:
        sets.setdefault(_source(o), []).append(value(o))
    return [{"source": s, key: values} for s, values in sets.items()] or None


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
    return compact(
        {
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
    )


def score_scale_json(s: models.ScoreScale, base: str) -> dict[str, Any]:
    """A scoreScale (imported from scoreScales.csv): its values as {itemValueLHS, itemValueRHS}."""
    return compact(
        {
            "sourcedId": s.sourced_id,
            "status": "tobedeleted" if s.status == "tobedeleted" else "active",
            "dateLastModified": iso(s.updated_at),
            "title": s.title,
            "type": s.type,
            "class": ref(base, f"{ROSTERING}/classes", "class", s.class_id),
            "course": ref(base, f"{ROSTERING}/courses", "course", s.course_id),
            "scoreScaleValue": [
                {"itemValueLHS": v["itemValueLHS"], "itemValueRHS": v["itemValueRHS"]} for v in s.values
            ],
        }
    )
