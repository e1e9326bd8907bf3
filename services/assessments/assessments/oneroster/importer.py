"""Import of a OneRoster 1.2 CSV package into the roster, assessments and results, in one transaction.

Mapping (documented in the README of the endpoint):
- orgs, academicSessions, courses, classes, enrollments → the roster tables; users with a student role (from
  roles.csv, enrollments.csv or a 1.1-style `role` column) → students; teachers' enrollments fill
  `classes.teacher_ids`.
- lineItems → common formative assessments, assessmentLineItems → common summative assessments, published at
  once with max score `resultValueMax` and the district's default cuts (70 / 90 %); an existing assessment is
  left as it is. `tobedeleted` closes a published one.
- results / assessmentResults → results (attempt 1) through the same pipeline as the bulk JSON endpoint, so
  each accepted row is one event; `tobedeleted` voids the result.
- `bulk` files replace the district's rows of that kind (rows not in the file become tobedeleted); `delta`
  files change only the rows they hold.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.catalog import service as catalog
from assessments.catalog.repository import AssessmentRepository
from assessments.exceptions import ResultNotFound
from assessments.oneroster.package import Package, split_list, status_of
from assessments.oneroster.repository import ImportRepository
from assessments.results import service as results_service
from assessments.results.ingest import Ingest
from assessments.roster.repository import RosterRepository
from assessments.roster.service import roster_events

DEFAULT_PROFICIENCY_CUT, DEFAULT_MASTERY_CUT = 70.0, 90.0
RESULT_COLUMNS = {
    "assessment_id": None,  # filled per file (lineItemSourcedId / assessmentLineItemSourcedId)
    "student_id": "studentSourcedId",
    "total_score": "score",
    "score_status": "scoreStatus",
    "assessed_on": "scoreDate",
    "source_modified_at": "dateLastModified",
}


class Importer:
    def __init__(self, session: AsyncSession, principal: Principal, package: Package) -> None:
        self.session, self.principal, self.package = session, principal, package
        self.district_id = auth.require_district_writer(principal)
        self.problems: list[dict] = list(package.problems)
        self.counts: dict[str, dict[str, int]] = {}
        self.enrollments_of: dict[str, list[dict]] = {}
        self.teachers_of: dict[str, list[str]] = {}
        for _n, e in package.rows("enrollments"):
            self.enrollments_of.setdefault(e["userSourcedId"], []).append(e)
            if e["role"] == "teacher" and status_of(e) == "active":
                self.teachers_of.setdefault(e["classSourcedId"], []).append(e["userSourcedId"])
        self.roles_of: dict[str, list[dict]] = {}
        for _n, x in package.rows("roles"):
            self.roles_of.setdefault(x["userSourcedId"], []).append(x)

    def reject(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.problems.append({"file": f"{file}.csv", "row": row, "column": column, "reason": reason})

    async def run(self) -> dict[str, Any]:
        await self._roster("orgs", models.Org, self._org)
        await self._roster("academicSessions", models.AcademicSession, self._session)
        await self._roster("courses", models.Course, self._course)
        await self._roster("classes", models.Class, self._class)
        await self._roster("users", models.Student, self._student)
        await self._roster("enrollments", models.Enrollment, self._enrollment)
        for name, kind in (("lineItems", "common_formative"), ("assessmentLineItems", "common_summative")):
            await self._line_items(name, kind)
        await self._results("results", "lineItemSourcedId")
        await self._results("assessmentResults", "assessmentLineItemSourcedId")
        problems = sorted(self.problems, key=lambda p: (p["file"], p["row"] or 0))
        accepted = sum(c["accepted"] for c in self.counts.values())
        return {"accepted": accepted, "rejected": len(problems), "files": self.counts, "problems": problems}

    # --- roster -------------------------------------------------------------------------------------------
    async def _roster(self, name: str, model: type[models.Base], convert) -> None:
        rows = self.package.rows(name)
        if not rows and self.package.mode(name) == "absent":
            return
        records, numbers = [], []
        for number, record in rows:
            try:
                converted = convert(record)
            except ValueError as exc:
                column, reason = exc.args if len(exc.args) == 2 else (None, str(exc))
                self.reject(name, number, column, reason)
                continue
            if converted is not None:
                records.append({**converted, "district_id": self.district_id})
                numbers.append(number)
        done = await RosterRepository(self.session).upsert(model, records) if records else set()
        kind = {"orgs": "orgs", "users": "students"}.get(name, name)
        await models.outbox.add_all(self.session, roster_events(kind, records, datetime.now(UTC)))
        if self.package.mode(name) == "bulk":
            await self._retire(model, [r["sourced_id"] for r in records])
        self.counts[name] = {"rows": len(rows), "accepted": len(done)}

    async def _retire(self, model: type[models.Base], kept: list[str]) -> None:
        """A bulk file is the whole set: the district's rows it does not name are marked tobedeleted."""
        await ImportRepository(self.session).retire(model, self.district_id, kept)

    def _org(self, r: dict[str, str]) -> dict:
        return {
            **_base(r),
            "name": r["name"],
            "type": r["type"],
            "parent_id": r.get("parentSourcedId") or None,
            "identifier": r.get("identifier") or None,
        }

    def _session(self, r: dict[str, str]) -> dict:
        return {
            **_base(r),
            "title": r["title"],
            "type": r["type"],
            "start_date": _date(r, "startDate"),
            "end_date": _date(r, "endDate"),
            "school_year": r.get("schoolYear") or None,
            "parent_id": r.get("parentSourcedId") or None,
        }

    def _course(self, r: dict[str, str]) -> dict:
        return {
            **_base(r),
            "title": r["title"],
            "course_code": r.get("courseCode") or None,
            "school_id": r.get("orgSourcedId") or None,
            "grades": split_list(r.get("grades")),
            "subjects": split_list(r.get("subjects")),
        }

    def _class(self, r: dict[str, str]) -> dict:
        converted = {
            **_base(r),
            "title": r["title"],
            "class_code": r.get("classCode") or None,
            "school_id": _required(r, "schoolSourcedId"),
            "course_id": r.get("courseSourcedId") or None,
            "term_ids": split_list(r.get("termSourcedIds")),
            "grades": split_list(r.get("grades")),
            "subjects": split_list(r.get("subjects")),
        }
        if self.package.mode("enrollments") != "absent":
            converted["teacher_ids"] = sorted(self.teachers_of.get(r["sourcedId"], []))
        return converted

    def _student(self, r: dict[str, str]) -> dict | None:
        user_id = r["sourcedId"]
        roles = self.roles_of.get(user_id, [])
        enrollments = self.enrollments_of.get(user_id, [])
        is_student = (
            any(x["role"] == "student" for x in roles)
            or any(x["role"] == "student" for x in enrollments)
            or (r.get("role") == "student")
        )
        if not is_student:
            return None  # staff are known through classes.teacher_ids only
        schools = [x["orgSourcedId"] for x in roles if x["role"] == "student"] or [
            x["schoolSourcedId"] for x in enrollments
        ]
        schools = schools or split_list(r.get("orgSourcedIds")) or split_list(r.get("primaryOrgSourcedId"))
        if not schools:
            raise ValueError("orgSourcedIds", "the student belongs to no school (roles, enrollments or orgs)")
        return {
            **_base(r),
            "school_ids": sorted(set(schools)),
            "grades": split_list(r.get("grades")),
            "identifier": r.get("identifier") or None,
            "given_name": r.get("givenName") or None,
            "family_name": r.get("familyName") or None,
        }

    def _enrollment(self, r: dict[str, str]) -> dict:
        role = r["role"].strip()
        if role not in ("student", "teacher", "administrator", "aide", "guardian", "proctor"):
            raise ValueError("role", f"'{role}' is not a OneRoster enrollment role")
        return {
            **_base(r),
            "class_id": r["classSourcedId"],
            "school_id": r["schoolSourcedId"],
            "user_id": r["userSourcedId"],
            "role": role,
            "primary": (r.get("primary") or "").strip().lower() == "true" if r.get("primary") else None,
            "begin_date": _date(r, "beginDate"),
            "end_date": _date(r, "endDate"),
        }

    # --- assessments and results ----------------------------------------------------------------------------
    async def _line_items(self, name: str, kind: str) -> None:
        rows = self.package.rows(name)
        if not rows:
            return
        repo, accepted = AssessmentRepository(self.session), 0
        classes = {r["sourcedId"]: r.get("schoolSourcedId") for _n, r in self.package.rows("classes")}
        for number, r in rows:
            existing = await repo.get_in_district(self.district_id, r["sourcedId"])
            if status_of(r) == "tobedeleted":
                if existing is not None and existing.status == "published":
                    await catalog.transition(
                        self.session, principal=self.principal, assessment_id=existing.id, to="closed"
                    )
                accepted += 1
                continue
            if existing is None:
                try:
                    maximum = float(_required(r, "resultValueMax"))
                    if maximum <= 0:
                        raise ValueError("resultValueMax", "must be above 0")
                except ValueError as exc:
                    column, reason = exc.args if len(exc.args) == 2 else ("resultValueMax", "not numeric")
                    self.reject(name, number, column, reason)
                    continue
                school = r.get("schoolSourcedId") or classes.get(r.get("classSourcedId") or "") or None
                await self._create_assessment(r, kind, maximum, school)
            accepted += 1
        self.counts[name] = {"rows": len(rows), "accepted": accepted}

    async def _create_assessment(
        self, r: dict[str, str], kind: str, maximum: float, school: str | None
    ) -> None:
        now = datetime.now(UTC)
        assessment = models.Assessment(
            id=r["sourcedId"],
            district_id=self.district_id,
            school_id=school,
            title=r["title"],
            kind=kind,
            grades=[],
            performance_levels=[],
            max_score=maximum,
            proficiency_cut=DEFAULT_PROFICIENCY_CUT,
            mastery_cut=DEFAULT_MASTERY_CUT,
            status="draft",
            created_by=self.principal.subject,
            created_at=now,
        )
        await AssessmentRepository(self.session).add(assessment, flush=True)
        await catalog.transition(
            self.session, principal=self.principal, assessment_id=assessment.id, to="published"
        )

    async def _results(self, name: str, line_item_column: str) -> None:
        rows = self.package.rows(name)
        if not rows:
            return
        active, numbers, voided = [], [], 0
        for number, r in rows:
            if status_of(r) == "tobedeleted":
                voided += await self._void(name, number, r, line_item_column)
                continue
            active.append(
                {
                    "assessment_id": r[line_item_column],
                    "student_id": r["studentSourcedId"],
                    "score_status": r["scoreStatus"].strip(),
                    "total_score": (r.get("score") or "").strip() or None,
                    "assessed_on": (r.get("scoreDate") or "")[:10] or None,
                    "source_modified_at": (r.get("dateLastModified") or "").strip() or None,
                }
            )
            numbers.append(number)
        outcome = await Ingest(self.session, self.principal).run(active)
        columns = {**RESULT_COLUMNS, "assessment_id": line_item_column}
        for error in outcome.rejected:
            column = columns.get((error["field"] or "").split(".")[0], error["field"])
            self.reject(name, numbers[error["index"]], column, error["reason"])
        for stale in outcome.stale:
            self.reject(name, numbers[stale["index"]], "dateLastModified", stale["reason"])
        for dup in outcome.duplicates:
            self.reject(
                name, numbers[dup["index"]], None, f"superseded by row {numbers[dup['superseded_by']]}"
            )
        self.counts[name] = {"rows": len(rows), "accepted": len(outcome.written) + voided}

    async def _void(self, name: str, number: int, r: dict[str, str], line_item_column: str) -> int:
        key = (r[line_item_column], r["studentSourcedId"], 1)
        try:
            await results_service.void_result(self.session, principal=self.principal, key=key, if_match=None)
        except ResultNotFound:
            self.reject(name, number, "sourcedId", "tobedeleted, but there is no such result")
            return 0
        return 1


def _base(r: dict[str, str]) -> dict:
    sourced_id = (r.get("sourcedId") or "").strip()
    if not sourced_id:
        raise ValueError("sourcedId", "required value is empty")
    return {"sourced_id": sourced_id, "status": status_of(r)}


def _required(r: dict[str, str], column: str) -> str:
    value = (r.get(column) or "").strip()
    if not value:
        raise ValueError(column, "required value is empty")
    return value


def _date(r: dict[str, str], column: str) -> date | None:
    value = (r.get(column) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(column, f"'{value}' is not a date (YYYY-MM-DD)") from None
