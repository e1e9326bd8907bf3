"""The OneRoster 1.2 CSV binding: import of a package (rules.read_package reads it) into the roster,
assessments and results, in one transaction.

Mapping (documented in the README of the endpoint):
- orgs, academicSessions, courses, classes, enrollments → the roster tables; users with a student role (from
  roles.csv, enrollments.csv or a 1.1-style `role` column) → students; users with a staff role (teacher,
  administrator — 1.2's district/site/system administrators and principals included —, aide, proctor) →
  staff, with their names (events carry their id, role and schools only); teachers' enrollments fill
  `classes.teacher_ids`. Other users (guardians, parents, no role, ...) and roles.csv rows of other roles are
  listed in the report's `skipped` with their row; roles.csv has its counts like every other file.
- The gradebook files (GradebookFiles; the line item mapping they share with the gradebook binding is in
  catalog.service and catalog.rules, result identity in results.service.assign_attempts):
  - categories → the district's gradebook categories (what a line item's category href resolves to).
  - scoreScales → the district's score scales; lineItemScoreScales names a line item's scale, from which a new
    line item takes its performance levels and cuts.
  - lineItemLearningObjectiveIds → the standards a new line item measures (applied when the line item is
    created; a published line item's standards do not change, so a different set later is a problem row).
  - lineItems / assessmentLineItems → published assessments (catalog.create_line_item); a known one gets its
    descriptive fields updated (title, description, class, category, grading period, dates, resultValueMin);
    `tobedeleted` closes it.
  - results / assessmentResults (+ resultLearningObjectiveIds: per-standard scores) → results through the bulk
    pipeline, one event per change. The sourcedId is the identity (results.assign_attempts): two results of a
    student on a line item are two attempts. A row without a score never replaces a scored result (skipped, with
    the kept score). `tobedeleted` voids the result with that sourcedId.
- `bulk` files replace the district's rows of that kind (rows not in the file become tobedeleted); `delta`
  files change only the rows they hold. A file the manifest names that is not imported (
  demographics, resources, ...) and a CSV the manifest does not name are listed in `skipped`.

The report: `files` (rows and accepted rows per file), `problems` (rows or files that were refused: file, row —
the header is row 1 —, column, reason; `rejected` counts them), `skipped` (rows deliberately not imported, with
why) and `notes` (what was done that the SIS may not expect: a standard created from a CASE id, a second
result of a student stored as attempt 2, what OneRoster 1.2 does not allow but was imported anyway: rules.py, leniency).
Every row of every file is accepted or in `problems` or `skipped`, never in both; a note only explains.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import auth, models
from assessments.catalog import service as catalog
from assessments.catalog.repository import AssessmentRepository
from assessments.catalog.rules import LineItem
from assessments.exceptions import InvalidPackage, ResultNotFound
from assessments.oneroster.repository import ImportRepository
from assessments.oneroster.rules import (
    STAFF_ROLE_OF,
    Package,
    PackageInvalid,
    day,
    has_score,
    lenient_notes,
    moment,
    not_aligned,
    numeric,
    ordered,
    read_package,
    record_base,
    report_line,
    required,
    scale_values,
    split_list,
    staff_not_student,
    staff_roles,
    status_of,
    user_roles,
)
from assessments.results import service as results_service
from assessments.roster.repository import RosterRepository
from assessments.roster.service import roster_change_events


async def import_oneroster(session: AsyncSession, *, principal: Principal, data: bytes) -> dict[str, Any]:
    """Everything valid in the package is written in this transaction; the report lists the rest."""
    try:
        package = read_package(data)
    except PackageInvalid as exc:
        raise InvalidPackage(exc.reason, exc.errors) from None
    return await Importer(session, principal, package).run()


LINE_ITEM_FILES = (("lineItems", "common_formative"), ("assessmentLineItems", "common_summative"))
RESULT_COLUMNS = {
    "student_id": "studentSourcedId",
    "attempt": "sourcedId",
    "total_score": "score",
    "score_status": "scoreStatus",
    "assessed_on": "scoreDate",
    "source_modified_at": "dateLastModified",
    "objective_scores": "learningObjectiveId",
    "text_score": "textScore",
}
ALIGNMENTS, RESULT_OBJECTIVES = "lineItemLearningObjectiveIds", "resultLearningObjectiveIds"


class GradebookFiles:
    async def gradebook(self) -> None:
        self.scales: dict[str, list[dict[str, str]]] = {}
        await self._roster("scoreScales", models.ScoreScale, self._scale)
        await self._roster("categories", models.Category, self._category)
        self.scale_of = await self._line_item_scales()
        self.aligned: dict[str, list[tuple[int, str, str]]] = {}
        for number, r in self.package.rows(ALIGNMENTS):
            if status_of(r) == "tobedeleted":
                self.skip(
                    ALIGNMENTS, number, "status", "tobedeleted: a published line item keeps its standards"
                )
                continue
            self.aligned.setdefault(r["lineItemSourcedId"], []).append(
                (number, r["source"].strip(), r["learningObjectiveId"].strip())
            )
        self.alignments_done = 0
        line_items = {r["sourcedId"] for name, _k in LINE_ITEM_FILES for _n, r in self.package.rows(name)}
        for line_item, rows in self.aligned.items():
            if line_item not in line_items:
                for number, _s, _lo in rows:
                    self.reject(
                        ALIGNMENTS,
                        number,
                        "lineItemSourcedId",
                        f"line item '{line_item}' is not in "
                        "lineItems.csv of this package (standards are set when it is created)",
                    )
        for name, kind in LINE_ITEM_FILES:
            await self._line_items(name, kind)
        if self.package.rows(ALIGNMENTS):
            self.counts[ALIGNMENTS] = {
                "rows": len(self.package.rows(ALIGNMENTS)),
                "accepted": self.alignments_done,
            }
        self.objectives_of = self._result_objectives()
        await self._results("results", "lineItemSourcedId")
        await self._results("assessmentResults", "assessmentLineItemSourcedId")
        self._count_result_objectives()

    # --- score scales -----------------------------------------------------------------------------------------
    def _scale(self, r: dict[str, str]) -> dict:
        try:
            values = scale_values(r["scoreScaleValue"])
        except ValueError as exc:
            raise ValueError("scoreScaleValue", str(exc)) from None
        sourced_id = required(r, "sourcedId")
        self.scales[sourced_id] = values
        return {
            "sourced_id": sourced_id,
            "status": status_of(r),
            "title": required(r, "title"),
            "type": r.get("type") or None,
            "org_id": r.get("orgSourcedId") or None,
            "course_id": r.get("courseSourcedId") or None,
            "class_id": r.get("classSourcedId") or None,
            "values": values,
        }

    def _category(self, r: dict[str, str]) -> dict:
        weight = (r.get("weight") or "").strip()
        try:
            weight_value = float(weight) if weight else None
        except ValueError:
            raise ValueError("weight", f"'{weight}' is not a number") from None
        return {**record_base(r), "title": required(r, "title"), "weight": weight_value}

    async def _line_item_scales(self) -> dict[str, str]:
        rows, scale_of = self.package.rows("lineItemScoreScales"), {}
        stored = await RosterRepository(self.session).existing_ids(
            models.ScoreScale, self.district_id, [r["scoreScaleSourcedId"] for _n, r in rows]
        )
        for number, r in rows:
            scale = r["scoreScaleSourcedId"]
            if status_of(r) == "tobedeleted":
                self.skip(
                    "lineItemScoreScales",
                    number,
                    "status",
                    "tobedeleted: a published line item keeps its cuts",
                )
            elif scale not in self.scales and scale not in stored:
                self.reject(
                    "lineItemScoreScales", number, "scoreScaleSourcedId", f"unknown score scale '{scale}'"
                )
            else:
                scale_of[r["lineItemSourcedId"]] = scale
        if rows:
            self.counts["lineItemScoreScales"] = {"rows": len(rows), "accepted": len(scale_of)}
        return scale_of

    async def _scale_values(self, scale_id: str | None) -> list[dict[str, str]] | None:
        if scale_id is None or scale_id in self.scales:
            return self.scales.get(scale_id or "")
        return await ImportRepository(self.session).score_scale(self.district_id, scale_id)

    # --- line items -------------------------------------------------------------------------------------------
    async def _line_items(self, name: str, kind: str) -> None:
        rows = self.package.rows(name)
        if not rows:
            return
        repo, accepted = AssessmentRepository(self.session), 0
        for number, r in rows:
            existing = await repo.get_in_district(self.district_id, r["sourcedId"])
            if status_of(r) == "tobedeleted":
                if existing is not None and existing.status == "published":
                    await catalog.transition(
                        self.session, principal=self.principal, assessment_id=existing.id, to="closed"
                    )
                accepted += 1
                continue
            try:
                item = await self._line_item(r, kind)
            except ValueError as exc:
                column, reason = exc.args if len(exc.args) == 2 else ("resultValueMax", "not numeric")
                self.reject(name, number, column, reason)
                continue
            if existing is None:
                await self._create(name, number, item)
            else:
                await self._update(name, number, existing, item)
            accepted += 1
        self.counts[name] = {"rows": len(rows), "accepted": accepted}

    async def _line_item(self, r: dict[str, str], kind: str) -> LineItem:
        maximum = numeric(r, "resultValueMax", is_required=True)
        if maximum <= 0:
            raise ValueError("resultValueMax", "must be above 0")
        minimum = numeric(r, "resultValueMin")
        if minimum is not None and not 0 <= minimum < maximum:
            raise ValueError("resultValueMin", "must be from 0 to below resultValueMax")
        class_id = r.get("classSourcedId") or None
        school = r.get("schoolSourcedId") or (await self._school_of(class_id)) or None
        scale_id = self.scale_of.get(r["sourcedId"])
        return LineItem(
            sourced_id=required(r, "sourcedId"),
            title=required(r, "title"),
            kind=kind,
            max_score=maximum,
            fields={
                "school_id": school,
                "class_id": class_id,
                "description": r.get("description") or None,
                "category_id": r.get("categorySourcedId") or None,
                "grading_period_id": r.get("academicSessionSourcedId")
                or r.get("gradingPeriodSourcedId")
                or None,
                "assign_date": moment(r, "assignDate"),
                "due_date": moment(r, "dueDate"),
                "result_value_min": minimum,
                "score_scale_id": scale_id,
                "source_modified_at": moment(r, "dateLastModified"),
            },
            objectives=[(source, lo) for _n, source, lo in self.aligned.get(r["sourcedId"], [])],
            scale=await self._scale_values(scale_id),
        )

    async def _school_of(self, class_id: str | None) -> str | None:
        for _n, c in self.package.rows("classes"):
            if c["sourcedId"] == class_id:
                return c.get("schoolSourcedId")
        return (
            await ImportRepository(self.session).school_of_class(self.district_id, class_id)
            if class_id
            else None
        )

    async def _create(self, name: str, number: int, item: LineItem) -> None:
        standards, created, refused = await catalog.resolve_standards(
            self.session, district_id=self.district_id, objectives=item.objectives
        )
        for row, source, lo in self.aligned.get(item.sourced_id, []):
            if lo in refused:
                self.reject(
                    ALIGNMENTS, row, "learningObjectiveId", f"unknown standard '{lo}' (source {source})"
                )
            else:
                self.alignments_done += 1
            if lo in created:
                self.note(
                    ALIGNMENTS,
                    row,
                    "learningObjectiveId",
                    f"CASE item '{lo}' was not a standard of the "
                    "district: created (not essential; code = the CASE id)",
                )
        problem = await catalog.create_line_item(
            self.session, principal=self.principal, item=item, standards=standards
        )
        if problem:
            self.note(name, number, "scoreScale", problem)

    async def _update(self, name: str, number: int, existing: models.Assessment, item: LineItem) -> None:
        stale = catalog.update_line_item(existing, item)
        if stale:
            self.skip(name, number, "dateLastModified", stale)
        if existing.max_score != item.max_score:
            self.note(
                name,
                number,
                "resultValueMax",
                f"the line item is published with maximum "
                f"{existing.max_score:g}; its results were scored against it, so it is kept",
            )
        rows = self.aligned.get(item.sourced_id, [])
        stored = await catalog.objective_codes(
            self.session, district_id=self.district_id, assessment_id=item.sourced_id
        )
        if rows and {lo for _n, _s, lo in rows} != stored:
            for row, _source, _lo in rows:
                self.reject(
                    ALIGNMENTS,
                    row,
                    "learningObjectiveId",
                    f"line item '{item.sourced_id}' is published "
                    f"measuring {sorted(stored) or 'no standard'}: its standards cannot change",
                )
        else:
            self.alignments_done += len(rows)
        await self.session.flush()

    # --- results ----------------------------------------------------------------------------------------------
    def _result_objectives(self) -> dict[str, dict[str, tuple[int, float]]]:
        """resultSourcedId -> {learningObjectiveId: (row, score)} from resultLearningObjectiveIds.csv."""
        self.objective_rows: dict[str, list[int]] = {}
        found: dict[str, dict[str, tuple[int, float]]] = {}
        for number, r in self.package.rows(RESULT_OBJECTIVES):
            score = (r.get("score") or "").strip()
            if status_of(r) == "tobedeleted" or not score:
                self.skip(RESULT_OBJECTIVES, number, "score", "no score (tobedeleted or textScore only)")
                continue
            try:
                value = float(score)
            except ValueError:
                self.reject(RESULT_OBJECTIVES, number, "score", f"score '{score}' is not numeric")
                continue
            found.setdefault(r["resultSourcedId"], {})[r["learningObjectiveId"].strip()] = (number, value)
            self.objective_rows.setdefault(r["resultSourcedId"], []).append(number)
        self.objectives_placed: set[int] = set()  # rows already in problems
        self.results_written: set[str] = set()
        return found

    def _count_result_objectives(self) -> None:
        """Each resultLearningObjectiveIds row with a score: accepted when its result was written, else a
        problem (its result is not in the package) or skipped (its result was not imported: see that row)."""
        rows = self.package.rows(RESULT_OBJECTIVES)
        named = {
            r["sourcedId"].strip(): (name, n)
            for name in ("results", "assessmentResults")
            for n, r in self.package.rows(name)
        }
        accepted = 0
        for result, numbers in self.objective_rows.items():
            for number in numbers:
                if number in self.objectives_placed:
                    continue
                if result in self.results_written:
                    accepted += 1
                elif result not in named:
                    reason = f"result '{result}' is not in results.csv"
                    self.reject(RESULT_OBJECTIVES, number, "resultSourcedId", reason)
                else:
                    file, row = named[result]
                    reason = f"result '{result}' ({file}.csv row {row}) was not imported: see that row"
                    self.skip(RESULT_OBJECTIVES, number, "resultSourcedId", reason)
        if rows:
            self.counts[RESULT_OBJECTIVES] = {"rows": len(rows), "accepted": accepted}

    async def _unaligned_objectives(self, live: list[tuple[int, dict]], line_item_column: str) -> None:
        """An objective score for an objective the line item is not aligned to: that resultLearningObjectiveIds
        row is a problem; the result keeps its total and its aligned objectives."""
        aligned: dict[str, set[str] | None] = {}
        for _number, r in live:
            objectives = self.objectives_of.get(r["sourcedId"].strip())
            line_item = r[line_item_column]
            if not objectives:
                continue
            if line_item not in aligned:
                exists = await AssessmentRepository(self.session).get_in_district(self.district_id, line_item)
                aligned[line_item] = (
                    await catalog.objective_codes(
                        self.session, district_id=self.district_id, assessment_id=line_item
                    )
                    if exists is not None
                    else None
                )
            codes = aligned[line_item]
            if codes is None:
                continue  # the result itself is refused (unknown line item)
            for lo, (row, _score) in list(objectives.items()):
                if lo not in codes:
                    del objectives[lo]
                    self.objectives_placed.add(row)
                    reason = (
                        f"{not_aligned(line_item, lo, codes)}: "
                        "this objective score is not stored; the result's total and aligned scores are"
                    )
                    self.reject(RESULT_OBJECTIVES, row, "learningObjectiveId", reason)

    async def _results(self, name: str, line_item_column: str) -> None:
        rows = self.package.rows(name)
        if not rows:
            return
        live, voided = self._dedupe(name, rows), 0
        for number, r in [x for x in live if status_of(x[1]) == "tobedeleted"]:
            voided += await self._void(name, number, r, line_item_column)
        live = [x for x in live if status_of(x[1]) != "tobedeleted"]
        await self._unaligned_objectives(live, line_item_column)
        attempts = await results_service.assign_attempts(
            self.session,
            district_id=self.district_id,
            entries=[(r["sourcedId"].strip(), r[line_item_column], r["studentSourcedId"]) for _n, r in live],
        )
        active, numbers = [], []
        for (number, r), attempt in zip(live, attempts, strict=True):
            if attempt.error:
                self.reject(name, number, "sourcedId", attempt.error)
                continue
            if attempt.note:
                self.note(name, number, "sourcedId", attempt.note)
            active.append(self._result_row(r, line_item_column, attempt.attempt))
            numbers.append(number)
        outcome = await results_service.Ingest(self.session, self.principal, oneroster=True).run(active)
        columns = {**RESULT_COLUMNS, "assessment_id": line_item_column}
        staff = await ImportRepository(self.session).staff_roles(
            self.district_id, [active[e["index"]]["student_id"] for e in outcome.rejected]
        )
        for error in outcome.rejected:
            column = columns.get((error["field"] or "").split(".")[0], error["field"])
            reason, user = error["reason"], active[error["index"]]["student_id"]
            if column == "studentSourcedId" and user in staff:
                reason = staff_not_student(user, staff[user])
            self.reject(name, numbers[error["index"]], column, reason)
        for stale in outcome.stale:
            self.reject(name, numbers[stale["index"]], "dateLastModified", stale["reason"])
        for kept in outcome.kept:
            self.skip(name, numbers[kept["index"]], "score", kept["reason"])
        for written in outcome.written:
            self.results_written.add(active[written.index]["sourced_id"])
        self.counts[name] = {"rows": len(rows), "accepted": len(outcome.written) + voided}

    def _dedupe(self, name: str, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
        """One row per sourcedId: the last, unless it has no score and an earlier one has (then the earlier)."""
        kept: dict[str, tuple[int, dict]] = {}
        for number, r in rows:
            sourced_id = (r.get("sourcedId") or "").strip()
            if not sourced_id:
                self.reject(name, number, "sourcedId", "required value is empty")
                continue
            earlier = kept.get(sourced_id)
            if (
                earlier is not None
                and has_score(earlier[1])
                and not has_score(r)
                and status_of(r) == "active"
            ):
                self.skip(name, number, "score", f"no score: row {earlier[0]} of the same result has one")
                continue
            if earlier is not None:
                self.reject(name, earlier[0], None, f"superseded by row {number}")
            kept[sourced_id] = (number, r)
        return sorted(kept.values(), key=lambda x: x[0])

    def _result_row(self, r: dict[str, str], line_item_column: str, attempt: int) -> dict[str, Any]:
        sourced_id = r["sourcedId"].strip()
        objectives = {lo: score for lo, (_n, score) in self.objectives_of.get(sourced_id, {}).items()}
        return {
            "assessment_id": r[line_item_column],
            "student_id": r["studentSourcedId"],
            "attempt": attempt,
            "sourced_id": sourced_id,
            "score_status": r["scoreStatus"].strip(),
            "total_score": (r.get("score") or "").strip() or None,
            "objective_scores": objectives,
            "assessed_on": (r.get("scoreDate") or "")[:10] or None,
            "source_modified_at": (r.get("dateLastModified") or "").strip() or None,
            "text_score": (r.get("textScore") or "").strip() or None,
            "comment": (r.get("comment") or "").strip() or None,
        }

    async def _void(self, name: str, number: int, r: dict[str, str], line_item_column: str) -> int:
        """The result with this sourcedId; a SIS that regenerates sourcedIds names the student's only result."""
        candidates = await ImportRepository(self.session).live_results(
            self.district_id, r["sourcedId"].strip(), r[line_item_column], r["studentSourcedId"]
        )
        exact = [c for c in candidates if c[0] == r["sourcedId"].strip()]
        chosen = exact or (candidates if len(candidates) == 1 else [])
        if not chosen:
            self.reject(name, number, "sourcedId", "tobedeleted, but there is no such result")
            return 0
        if not exact:
            self.note(
                name,
                number,
                "sourcedId",
                f"no result has this sourcedId: the student's only result on "
                f"the line item ({chosen[0][0] or 'without sourcedId'}) was voided",
            )
        try:
            await results_service.void_result(
                self.session, principal=self.principal, key=tuple(chosen[0][1:]), if_match=None
            )
        except ResultNotFound:
            self.reject(name, number, "sourcedId", "tobedeleted, but there is no such result")
            return 0
        return 1


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
        self.notes: list[dict] = lenient_notes(
            package
        )  # what 1.2 does not allow, imported anyway (rules.py, leniency)
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
        self.problems.append(report_line(file, row, column, reason))

    def skip(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.skipped.append(report_line(file, row, column, reason))

    def note(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.notes.append(report_line(file, row, column, reason))

    async def run(self) -> dict[str, Any]:
        await self._roster("orgs", models.Org, self._org)
        await self._roster("academicSessions", models.AcademicSession, self._session)
        await self._roster("courses", models.Course, self._course)
        await self._roster("classes", models.Class, self._class)
        users = await self._users()
        self._roles(users)
        await self._roster("enrollments", models.Enrollment, self._enrollment)
        await self.gradebook()
        self._not_imported()
        accepted = sum(c["accepted"] for c in self.counts.values())
        return {
            "accepted": accepted,
            "rejected": len(self.problems),
            "files": self.counts,
            "problems": ordered(self.problems),
            "skipped": ordered(self.skipped),
            "notes": ordered(self.notes),
        }

    def _not_imported(self) -> None:
        for name, (mode, rows) in sorted(self.package.unsupported.items()):
            counted = "unreadable" if rows is None else f"{rows} rows"
            self.skip(name, None, None, f"not supported: {name}.csv ({mode}, {counted}) is not imported")
            self.counts[name] = {"rows": rows or 0, "accepted": 0}
        for filename in self.package.unnamed:
            self.skip(filename.removesuffix(".csv"), None, None, "not in the manifest: not read")

    def _roles(self, stored: dict[str, str]) -> None:
        """roles.csv decides who is a student or staff (with enrollments and users' own role column): its rows
        are counted and every row that made no student or staff member is listed. `stored`: user → kind."""
        rows = self.package.rows("roles")
        if not rows:
            return
        users = {r["sourcedId"] for _n, r in self.package.rows("users")}
        accepted = 0
        for number, x in rows:
            role, user = x["role"].strip(), x["userSourcedId"]
            kind = "students" if role == "student" else "staff" if role in STAFF_ROLE_OF else None
            if kind is None:
                self.skip(
                    "roles", number, "role", f"role '{role}': only student and staff roles are imported"
                )
            elif user not in users:
                self.reject("roles", number, "userSourcedId", f"user '{user}' is not in users.csv")
            elif stored.get(user) == kind:
                accepted += 1
            elif user in stored:
                self.skip("roles", number, "role", f"role '{role}': the user is stored as a student")
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
        done = await self._store(name, name, model, records)
        self.counts[name] = {"rows": len(rows), "accepted": len(done)}
        return done

    async def _store(self, name: str, kind: str, model: type[models.Base], records: list[dict]) -> set[str]:
        """Upsert a file's converted rows of one kind, with their roster events; a bulk file retires the rest."""
        done = await RosterRepository(self.session).upsert(model, records) if records else set()
        events = await roster_change_events(self.session, kind, records, datetime.now(UTC))
        await models.outbox.add_all(self.session, events)
        if self.package.mode(name) == "bulk" and model is models.Enrollment:
            await self._retire_enrollments([r["sourced_id"] for r in records])
        elif self.package.mode(name) == "bulk":
            await self._retire(model, [r["sourced_id"] for r in records])
        return done

    async def _users(self) -> dict[str, str]:
        """users.csv: students and staff (the others skipped, with why). Returns user → "students"/"staff"."""
        rows = self.package.rows("users")
        if not rows and self.package.mode("users") == "absent":
            return {}
        converted: dict[str, list[dict]] = {"students": [], "staff": []}
        for number, record in rows:
            try:
                kind, row = self._user(record)
            except Skip as exc:
                self.skip("users", number, exc.column, exc.reason)
                continue
            except ValueError as exc:
                column, reason = exc.args if len(exc.args) == 2 else (None, str(exc))
                self.reject("users", number, column, reason)
                continue
            user_id = record["sourcedId"]
            named = user_roles(record, self.roles_of.get(user_id, []), self.enrollments_of.get(user_id, []))
            if kind == "students" and (staff := staff_roles(named)):
                reason = f"{user_id} is staff ({', '.join(staff)}) and a student: stored as a student only"
                self.note("users", number, "role", reason)
            converted[kind].append({**row, "district_id": self.district_id})
        students = await self._store("users", "students", models.Student, converted["students"])
        staff = await self._store("users", "staff", models.Staff, converted["staff"])
        self.counts["users"] = {"rows": len(rows), "accepted": len(students) + len(staff)}
        return {**dict.fromkeys(staff, "staff"), **dict.fromkeys(students, "students")}

    def _user(self, r: dict[str, str]) -> tuple[str, dict]:
        user_id = r["sourcedId"]
        roles, enrollments = self.roles_of.get(user_id, []), self.enrollments_of.get(user_id, [])
        named = user_roles(r, roles, enrollments)
        if "student" in named:
            return "students", self._student(r, roles, enrollments)
        if kept := staff_roles(named):
            return "staff", self._staff(r, kept, roles, enrollments)
        raise Skip(
            "role", f"neither a student nor staff ({', '.join(sorted(named)) or 'no role'}): not stored"
        )

    async def _retire_enrollments(self, kept: list[str]) -> None:
        """A bulk enrollments file retires the others; the students who lost a class are announced again
        with the classes they keep (StudentRostered.class_ids: what scopes teachers elsewhere)."""
        students = await ImportRepository(self.session).retire_enrollments(self.district_id, kept)
        rows = [{"district_id": self.district_id, "user_id": s, "role": "student"} for s in students]
        await models.outbox.add_all(
            self.session, await roster_change_events(self.session, "enrollments", rows, datetime.now(UTC))
        )

    async def _retire(self, model: type[models.Base], kept: list[str]) -> None:
        """A bulk file is the whole set: the district's rows it does not name are marked tobedeleted."""
        await ImportRepository(self.session).retire(model, self.district_id, kept)

    def _org(self, r: dict[str, str]) -> dict:
        return {
            **record_base(r),
            "name": r["name"],
            "type": r["type"],
            "parent_id": r.get("parentSourcedId") or None,
            "identifier": r.get("identifier") or None,
        }

    def _session(self, r: dict[str, str]) -> dict:
        return {
            **record_base(r),
            "title": r["title"],
            "type": r["type"],
            "start_date": day(r, "startDate"),
            "end_date": day(r, "endDate"),
            "school_year": r.get("schoolYear") or None,
            "parent_id": r.get("parentSourcedId") or None,
        }

    def _course(self, r: dict[str, str]) -> dict:
        return {
            **record_base(r),
            "title": r["title"],
            "course_code": r.get("courseCode") or None,
            "school_id": r.get("orgSourcedId") or None,
            "grades": split_list(r.get("grades")),
            "subjects": split_list(r.get("subjects")),
        }

    def _class(self, r: dict[str, str]) -> dict:
        converted = {
            **record_base(r),
            "title": r["title"],
            "class_code": r.get("classCode") or None,
            "school_id": required(r, "schoolSourcedId"),
            "course_id": r.get("courseSourcedId") or None,
            "term_ids": split_list(r.get("termSourcedIds")),
            "grades": split_list(r.get("grades")),
            "subjects": split_list(r.get("subjects")),
        }
        if self.package.mode("enrollments") != "absent":
            converted["teacher_ids"] = sorted(self.teachers_of.get(r["sourcedId"], []))
        return converted

    def _staff(self, r: dict[str, str], kept: list[str], roles: list[dict], enrollments: list[dict]) -> dict:
        """A staff member: OneRoster requires givenName and familyName, and the staff table keeps them."""
        schools = [x["orgSourcedId"] for x in roles if x["role"].strip() in STAFF_ROLE_OF] or [
            x["schoolSourcedId"] for x in enrollments if x["role"].strip() in STAFF_ROLE_OF
        ]
        schools = schools or split_list(r.get("orgSourcedIds")) or split_list(r.get("primaryOrgSourcedId"))
        if not schools:
            raise ValueError(
                "orgSourcedIds", "the staff member belongs to no org (roles, enrollments or orgs)"
            )
        return {
            **record_base(r),
            "given_name": required(r, "givenName"),
            "family_name": required(r, "familyName"),
            "roles": kept,
            "school_ids": sorted(set(schools)),
            "email": r.get("email") or None,
            "identifier": r.get("identifier") or None,
        }

    def _student(self, r: dict[str, str], roles: list[dict], enrollments: list[dict]) -> dict:
        schools = [x["orgSourcedId"] for x in roles if x["role"] == "student"] or [
            x["schoolSourcedId"] for x in enrollments
        ]
        schools = schools or split_list(r.get("orgSourcedIds")) or split_list(r.get("primaryOrgSourcedId"))
        if not schools:
            raise ValueError("orgSourcedIds", "the student belongs to no school (roles, enrollments or orgs)")
        return {
            **record_base(r),
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
            **record_base(r),
            "class_id": r["classSourcedId"],
            "school_id": r["schoolSourcedId"],
            "user_id": r["userSourcedId"],
            "role": role,
            "primary": (r.get("primary") or "").strip().lower() == "true" if r.get("primary") else None,
            "begin_date": day(r, "beginDate"),
            "end_date": day(r, "endDate"),
        }
