"""Import of a OneRoster 1.2 CSV package into the roster, assessments and results, in one transaction.

Mapping (documented in the README of the endpoint):
- orgs, academicSessions, courses, classes, enrollments → the roster tables; users with a student role (from
  roles.csv, enrollments.csv or a 1.1-style `role` column) → students; teachers' enrollments fill
  `classes.teacher_ids`. Other users (teachers, administrators, ...) and roles.csv rows of other roles are
  listed in the report's `skipped` with their row; roles.csv has its counts like every other file.
- scoreScales, lineItemScoreScales, lineItemLearningObjectiveIds, lineItems, assessmentLineItems, results,
  assessmentResults and resultLearningObjectiveIds: see csv_gradebook.py and line_items.py.
- `bulk` files replace the district's rows of that kind (rows not in the file become tobedeleted); `delta`
  files change only the rows they hold. A file the manifest names that is not imported (categories,
  demographics, resources, ...) and a CSV the manifest does not name are listed in `skipped`.

The report: `files` (rows and accepted rows per file), `problems` (rows or files that were refused: file, row —
the header is row 1 —, column, reason; `rejected` counts them), `skipped` (rows deliberately not imported, with
why) and `notes` (what was done that the SIS may not expect: a standard created from a CASE id, a second
result of a student stored as attempt 2, ...). Every row of every file is accepted or in one of the lists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.oneroster.csv_gradebook import GradebookFiles
from assessments.oneroster.package import Package, split_list, status_of
from assessments.oneroster.repository import ImportRepository
from assessments.roster.repository import RosterRepository
from assessments.roster.service import roster_events


class Skip(Exception):
    """A row deliberately not imported (listed in the report's `skipped`), not an error."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


class Importer(GradebookFiles):
    def __init__(self, session: AsyncSession, principal: Principal, package: Package) -> None:
        self.session, self.principal, self.package = session, principal, package
        self.district_id = auth.require_district_writer(principal)
        self.problems: list[dict] = list(package.problems)
        self.skipped: list[dict] = []
        self.notes: list[dict] = []
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
        self.problems.append(_line(file, row, column, reason))

    def skip(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.skipped.append(_line(file, row, column, reason))

    def note(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.notes.append(_line(file, row, column, reason))

    async def run(self) -> dict[str, Any]:
        await self._roster("orgs", models.Org, self._org)
        await self._roster("academicSessions", models.AcademicSession, self._session)
        await self._roster("courses", models.Course, self._course)
        await self._roster("classes", models.Class, self._class)
        students = await self._roster("users", models.Student, self._student)
        self._roles(students)
        await self._roster("enrollments", models.Enrollment, self._enrollment)
        await self.gradebook()
        self._not_imported()
        accepted = sum(c["accepted"] for c in self.counts.values())
        return {
            "accepted": accepted,
            "rejected": len(self.problems),
            "files": self.counts,
            "problems": _ordered(self.problems),
            "skipped": _ordered(self.skipped),
            "notes": _ordered(self.notes),
        }

    def _not_imported(self) -> None:
        for name, (mode, rows) in sorted(self.package.unsupported.items()):
            counted = "unreadable" if rows is None else f"{rows} rows"
            self.skip(name, None, None, f"not supported: {name}.csv ({mode}, {counted}) is not imported")
            self.counts[name] = {"rows": rows or 0, "accepted": 0}
        for filename in self.package.unnamed:
            self.skip(filename.removesuffix(".csv"), None, None, "not in the manifest: not read")

    def _roles(self, students: set[str]) -> None:
        """roles.csv decides who is a student (with enrollments and users' own role column): its rows are
        counted and every row that made no student is listed."""
        rows = self.package.rows("roles")
        if not rows:
            return
        users = {r["sourcedId"] for _n, r in self.package.rows("users")}
        accepted = 0
        for number, x in rows:
            if x["role"].strip() != "student":
                self.skip("roles", number, "role", f"role '{x['role']}': only student roles are imported")
            elif x["userSourcedId"] not in users:
                self.reject(
                    "roles", number, "userSourcedId", f"user '{x['userSourcedId']}' is not in users.csv"
                )
            elif x["userSourcedId"] in students:
                accepted += 1
            else:
                self.skip("roles", number, "userSourcedId", "its users.csv row was not imported")
        self.counts["roles"] = {"rows": len(rows), "accepted": accepted}

    # --- roster -------------------------------------------------------------------------------------------
    async def _roster(self, name: str, model: type[models.Base], convert) -> set[str]:
        rows = self.package.rows(name)
        if not rows and self.package.mode(name) == "absent":
            return set()
        records = []
        for number, record in rows:
            try:
                converted = convert(record)
            except Skip as exc:
                self.skip(name, number, exc.column, exc.reason)
                continue
            except ValueError as exc:
                column, reason = exc.args if len(exc.args) == 2 else (None, str(exc))
                self.reject(name, number, column, reason)
                continue
            records.append({**converted, "district_id": self.district_id})
        done = await RosterRepository(self.session).upsert(model, records) if records else set()
        kind = {"orgs": "orgs", "users": "students"}.get(name, name)
        await models.outbox.add_all(self.session, roster_events(kind, records, datetime.now(UTC)))
        if self.package.mode(name) == "bulk":
            await self._retire(model, [r["sourced_id"] for r in records])
        self.counts[name] = {"rows": len(rows), "accepted": len(done)}
        return done

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

    def _student(self, r: dict[str, str]) -> dict:
        user_id = r["sourcedId"]
        roles = self.roles_of.get(user_id, [])
        enrollments = self.enrollments_of.get(user_id, [])
        is_student = (
            any(x["role"] == "student" for x in roles)
            or any(x["role"] == "student" for x in enrollments)
            or (r.get("role") == "student")
        )
        if not is_student:
            roles = sorted(
                {x["role"] for x in roles + enrollments} | ({r["role"]} if r.get("role") else set())
            )
            raise Skip("role", f"not a student ({', '.join(roles) or 'no role'}): staff are not stored")
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


def _line(file: str, row: int | None, column: str | None, reason: str) -> dict:
    return {"file": f"{file}.csv", "row": row, "column": column, "reason": reason}


def _ordered(lines: list[dict]) -> list[dict]:
    return sorted(lines, key=lambda p: (p["file"], p["row"] or 0))
