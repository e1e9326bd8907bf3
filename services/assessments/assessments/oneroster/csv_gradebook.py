"""The gradebook files of a OneRoster 1.2 CSV package (part of importer.Importer; mapping in line_items.py).

- scoreScales → the district's score scales; lineItemScoreScales names a line item's scale, from which a new
  line item takes its performance levels and cuts.
- lineItemLearningObjectiveIds → the standards a new line item measures (applied when the line item is
  created; a published line item's standards do not change, so a different set later is a problem row).
- lineItems / assessmentLineItems → published assessments (line_items.create_line_item); a known one gets its
  descriptive fields updated (title, description, class, category, grading period, dates, resultValueMin);
  `tobedeleted` closes it.
- results / assessmentResults (+ resultLearningObjectiveIds: per-standard scores) → results through the bulk
  pipeline, one event per change. The sourcedId is the identity (line_items.assign_attempts): two results of a
  student on a line item are two attempts. A row without a score never replaces a scored result (skipped, with
  the kept score). `tobedeleted` voids the result with that sourcedId.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from assessments import models
from assessments.catalog import service as catalog
from assessments.catalog.repository import AssessmentRepository
from assessments.exceptions import ResultNotFound
from assessments.oneroster.line_items import (
    LineItem,
    assign_attempts,
    create_line_item,
    objective_codes,
    resolve_standards,
    update_line_item,
)
from assessments.oneroster.package import scale_values, status_of
from assessments.results import service as results_service
from assessments.results.service import Ingest
from assessments.roster.repository import RosterRepository

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
        sourced_id = _value(r, "sourcedId")
        self.scales[sourced_id] = values
        return {
            "sourced_id": sourced_id,
            "status": status_of(r),
            "title": _value(r, "title"),
            "type": r.get("type") or None,
            "org_id": r.get("orgSourcedId") or None,
            "course_id": r.get("courseSourcedId") or None,
            "class_id": r.get("classSourcedId") or None,
            "values": values,
        }

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
        found = await self.session.get(models.ScoreScale, (self.district_id, scale_id))
        return list(found.values) if found is not None else None

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
        maximum = _number(r, "resultValueMax", required=True)
        if maximum <= 0:
            raise ValueError("resultValueMax", "must be above 0")
        minimum = _number(r, "resultValueMin")
        if minimum is not None and not 0 <= minimum < maximum:
            raise ValueError("resultValueMin", "must be from 0 to below resultValueMax")
        class_id = r.get("classSourcedId") or None
        school = r.get("schoolSourcedId") or (await self._school_of(class_id)) or None
        scale_id = self.scale_of.get(r["sourcedId"])
        return LineItem(
            sourced_id=_value(r, "sourcedId"),
            title=_value(r, "title"),
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
                "assign_date": _moment(r, "assignDate"),
                "due_date": _moment(r, "dueDate"),
                "result_value_min": minimum,
                "score_scale_id": scale_id,
                "source_modified_at": _moment(r, "dateLastModified"),
            },
            objectives=[(source, lo) for _n, source, lo in self.aligned.get(r["sourcedId"], [])],
            scale=await self._scale_values(scale_id),
        )

    async def _school_of(self, class_id: str | None) -> str | None:
        for _n, c in self.package.rows("classes"):
            if c["sourcedId"] == class_id:
                return c.get("schoolSourcedId")
        found = await self.session.get(models.Class, (self.district_id, class_id)) if class_id else None
        return found.school_id if found is not None else None

    async def _create(self, name: str, number: int, item: LineItem) -> None:
        standards, created, refused = await resolve_standards(self.session, self.district_id, item.objectives)
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
        problem = await create_line_item(
            self.session, principal=self.principal, item=item, standards=standards
        )
        if problem:
            self.note(name, number, "scoreScale", problem)

    async def _update(self, name: str, number: int, existing: models.Assessment, item: LineItem) -> None:
        stale = update_line_item(existing, item)
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
        stored = await objective_codes(self.session, self.district_id, item.sourced_id)
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
        self.objectives_written = 0
        return found

    def _count_result_objectives(self) -> None:
        rows = self.package.rows(RESULT_OBJECTIVES)
        named = {
            r["sourcedId"] for name in ("results", "assessmentResults") for _n, r in self.package.rows(name)
        }
        for result, numbers in self.objective_rows.items():
            if result not in named:
                for number in numbers:
                    self.reject(
                        RESULT_OBJECTIVES,
                        number,
                        "resultSourcedId",
                        f"result '{result}' is not in results.csv",
                    )
        if rows:
            self.counts[RESULT_OBJECTIVES] = {"rows": len(rows), "accepted": self.objectives_written}

    async def _results(self, name: str, line_item_column: str) -> None:
        rows = self.package.rows(name)
        if not rows:
            return
        live, voided = self._dedupe(name, rows), 0
        for number, r in [x for x in live if status_of(x[1]) == "tobedeleted"]:
            voided += await self._void(name, number, r, line_item_column)
        live = [x for x in live if status_of(x[1]) != "tobedeleted"]
        attempts = await assign_attempts(
            self.session,
            self.district_id,
            [(r["sourcedId"].strip(), r[line_item_column], r["studentSourcedId"]) for _n, r in live],
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
        outcome = await Ingest(self.session, self.principal, oneroster=True).run(active)
        columns = {**RESULT_COLUMNS, "assessment_id": line_item_column}
        for error in outcome.rejected:
            column = columns.get((error["field"] or "").split(".")[0], error["field"])
            self.reject(name, numbers[error["index"]], column, error["reason"])
        for stale in outcome.stale:
            self.reject(name, numbers[stale["index"]], "dateLastModified", stale["reason"])
        for kept in outcome.kept:
            self.skip(name, numbers[kept["index"]], "score", kept["reason"])
        for written in outcome.written:
            self.objectives_written += len(self.objectives_of.get(active[written.index]["sourced_id"], {}))
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
            if earlier is not None and _scored(earlier[1]) and not _scored(r) and status_of(r) == "active":
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
        found = await self.session.execute(
            text(
                "SELECT sourced_id, assessment_id, student_id, attempt FROM results"
                " WHERE district_id = :d AND voided_at IS NULL"
                " AND (sourced_id = :s OR (assessment_id = :a AND student_id = :u))"
            ),
            {
                "d": self.district_id,
                "s": r["sourcedId"].strip(),
                "a": r[line_item_column],
                "u": r["studentSourcedId"],
            },
        )
        candidates = found.all()
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


def _scored(r: dict[str, str]) -> bool:
    return bool((r.get("score") or "").strip())


def _value(r: dict[str, str], column: str) -> str:
    value = (r.get(column) or "").strip()
    if not value:
        raise ValueError(column, "required value is empty")
    return value


def _number(r: dict[str, str], column: str, required: bool = False) -> float | None:
    value = (r.get(column) or "").strip()
    if not value:
        if required:
            raise ValueError(column, "required value is empty")
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(column, f"'{value}' is not numeric") from None


def _moment(r: dict[str, str], column: str) -> datetime | None:
    """OneRoster dates and date-times (a date alone is midnight UTC)."""
    value = (r.get(column) or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value if "T" in value else f"{value[:10]}T00:00:00+00:00")
    except ValueError:
        raise ValueError(column, f"'{value}' is not a date or date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
