"""OneRoster line items and result identity: one mapping for the CSV import and the gradebook binding.

- A line item (lineItems; assessmentLineItems) becomes a published common formative (summative) assessment with
  max score `resultValueMax`; its OneRoster fields (class, school, category, grading period, description,
  assign/due dates, resultValueMin, score scale, dateLastModified) are kept and returned.
- Its learning objectives (lineItemLearningObjectiveIds.csv; `learningObjectiveSet` in REST) align it to the
  district's standards: one objective per learningObjectiveId (code = that id, max points = the line item's
  maximum) measuring the standard whose id, CASE identifier or code it is. A CASE id the district does not have
  is created as a non-essential standard (id and code = the CASE id): the alignment is fixed when the line item
  is published, so dropping it would lose the per-standard scores (and the flags) for good; the report / answer
  says which were created. An id of another source ("unknown") that the district does not have is refused.
- Cuts: from the line item's score scale when it names a proficient / advanced level (package.scale_levels),
  else 70 % and 90 % of the way from resultValueMin (default 0) to resultValueMax, as percent of the maximum.
- A result's sourcedId is its identity: it keeps the attempt it was first stored as; a new sourcedId for a
  student and line item that already have a result becomes the next attempt (never merged into the other),
  except that it first takes over a stored result without a sourcedId (written natively or imported before
  sourcedIds were kept).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from plc_shared.auth import Principal
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models
from assessments.catalog import service as catalog
from assessments.catalog.repository import AssessmentRepository
from assessments.oneroster.package import scale_levels
from assessments.results.repository import ResultRepository

DEFAULT_PROFICIENCY_CUT, DEFAULT_MASTERY_CUT = 70.0, 90.0
DESCRIPTIVE = (
    "title",
    "description",
    "class_id",
    "category_id",
    "grading_period_id",
    "assign_date",
    "due_date",
    "result_value_min",
    "score_scale_id",
    "source_modified_at",
)


@dataclass
class LineItem:
    sourced_id: str
    title: str
    kind: str
    max_score: float
    fields: dict[str, Any] = field(default_factory=dict)  # DESCRIPTIVE columns besides the title
    objectives: list[tuple[str, str]] = field(default_factory=list)  # (source, learningObjectiveId)
    scale: list[dict[str, str]] | None = None  # the score scale's values, when it has one


def default_cuts(minimum: float | None, maximum: float) -> tuple[float, float]:
    low = minimum or 0.0
    return tuple(round((low + share * (maximum - low)) * 100.0 / maximum, 2) for share in (0.7, 0.9))  # type: ignore[return-value]


def cuts_and_levels(item: LineItem) -> tuple[list[dict], float, float, str | None]:
    """(levels, proficiency cut, mastery cut, why the scale was not used)."""
    proficiency, mastery = default_cuts(item.fields.get("result_value_min"), item.max_score)
    if not item.scale:
        return [], proficiency, mastery, None
    try:
        levels, named_p, named_m = scale_levels(item.scale, item.max_score)
    except ValueError as exc:
        return [], proficiency, mastery, f"score scale not used ({exc}); default cuts"
    proficiency = named_p if named_p is not None else proficiency
    mastery = max(named_m if named_m is not None else mastery, proficiency)
    return levels, proficiency, mastery, None


async def resolve_standards(
    session: AsyncSession, district_id: str, objectives: list[tuple[str, str]]
) -> tuple[dict[str, str], list[str], list[str]]:
    """({learningObjectiveId: standard id}, CASE ids created as standards, ids refused). A learning objective
    names a standard by its id, its CASE identifier or its code, in the caller's district only."""
    ids = {lo for _source, lo in objectives}
    if not ids:
        return {}, [], []
    s = models.Standard
    guids = {g for g in map(_uuid, ids) if g is not None}
    where = (
        or_(s.id.in_(ids), s.code.in_(ids), s.case_identifier.in_(guids))
        if guids
        else or_(s.id.in_(ids), s.code.in_(ids))
    )
    found = (await session.scalars(select(s).where(s.district_id == district_id, where))).all()
    by_id = {x.id: x.id for x in found} | {str(x.case_identifier): x.id for x in found if x.case_identifier}
    by_code = {x.code: x.id for x in found}
    resolved, created, refused = {}, [], []
    for source, lo in objectives:
        standard_id = by_id.get(lo) or by_id.get(str(_uuid(lo))) or by_code.get(lo)
        if standard_id is None and lo not in resolved and source.strip().lower() == "case":
            session.add(
                models.Standard(
                    district_id=district_id,
                    id=lo,
                    code=lo,
                    statement=f"CASE item {lo} (created by OneRoster; no statement was sent)",
                    case_identifier=_uuid(lo),
                )
            )
            standard_id = lo
            created.append(lo)
        if standard_id is None:
            refused.append(lo)
        else:
            resolved[lo] = standard_id
    await session.flush()
    return resolved, created, refused


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def create_line_item(
    session: AsyncSession, *, principal: Principal, item: LineItem, standards: dict[str, str]
) -> str | None:
    """Create the published assessment with its objectives; returns why the scale was not used, if it was not."""
    levels, proficiency, mastery, scale_problem = cuts_and_levels(item)
    assessment = models.Assessment(
        id=item.sourced_id,
        district_id=principal.tenant,
        title=item.title,
        kind=item.kind,
        grades=[],
        performance_levels=levels,
        max_score=item.max_score,
        proficiency_cut=proficiency,
        mastery_cut=mastery,
        status="draft",
        created_by=principal.subject,
        created_at=datetime.now(UTC),
        **{k: v for k, v in item.fields.items() if k != "title"},
    )
    await AssessmentRepository(session).add(assessment, flush=True)
    objectives = [
        {
            "district_id": principal.tenant,
            "id": f"{item.sourced_id}/{lo}",
            "assessment_id": item.sourced_id,
            "parent_id": None,
            "code": lo,
            "description": f"OneRoster learning objective ({source})",
            "max_points": item.max_score,
            "proficiency_cut": None,
            "mastery_cut": None,
            "standard_ids": [standards[lo]],
        }
        for source, lo in dict.fromkeys(item.objectives)
        if lo in standards
    ]
    await AssessmentRepository(session).replace_structure(principal.tenant, item.sourced_id, objectives, [])
    await catalog.transition(session, principal=principal, assessment_id=item.sourced_id, to="published")
    return scale_problem


async def objective_codes(session: AsyncSession, district_id: str, assessment_id: str) -> set[str]:
    return {o.code for o in await AssessmentRepository(session).objectives(district_id, [assessment_id])}


def update_line_item(existing: models.Assessment, item: LineItem) -> str | None:
    """Apply the descriptive fields to a stored line item (not its school, maximum, cuts or standards: results
    were scored against them); why not, when the write is older than what is stored."""
    modified = item.fields.get("source_modified_at")
    if (
        modified is not None
        and existing.source_modified_at is not None
        and modified < existing.source_modified_at
    ):
        return "stale: the stored line item comes from a later change at the source"
    for name in DESCRIPTIVE:
        if name == "title":
            existing.title = item.title
        elif name in item.fields and (item.fields[name] is not None or name != "source_modified_at"):
            setattr(existing, name, item.fields[name])
    return None


@dataclass
class Attempt:
    attempt: int | None
    note: str | None = None
    error: str | None = None


async def assign_attempts(
    session: AsyncSession, district_id: str, entries: list[tuple[str, str, str]]
) -> list[Attempt]:
    """The attempt of each (sourcedId, line item, student), in order (see the module docstring)."""
    stored = await ResultRepository(session).identities(
        district_id, [e[0] for e in entries], list({(e[1], e[2]) for e in entries})
    )
    by_sourced_id = {r["sourced_id"]: r for r in stored if r["sourced_id"]}
    slots: dict[tuple[str, str], dict[int, str | None]] = {}
    for r in stored:
        slots.setdefault((r["assessment_id"], r["student_id"]), {})[r["attempt"]] = r["sourced_id"]
    assigned: dict[str, tuple[str, str, int]] = {}
    out = []
    for sourced_id, line_item, student in entries:
        known = assigned.get(sourced_id)
        row = by_sourced_id.get(sourced_id)
        if known is None and row is not None:
            known = (row["assessment_id"], row["student_id"], row["attempt"])
        if known is not None:
            if known[:2] != (line_item, student):
                out.append(
                    Attempt(
                        None,
                        error=f"sourcedId '{sourced_id}' is the result of student '{known[1]}' "
                        f"on line item '{known[0]}'",
                    )
                )
            else:
                out.append(Attempt(known[2]))
            continue
        taken = slots.setdefault((line_item, student), {})
        free = sorted(n for n, owner in taken.items() if owner is None)
        attempt = free[0] if free else max(taken, default=0) + 1
        others = sorted(o for o in taken.values() if o)
        taken[attempt] = sourced_id
        assigned[sourced_id] = (line_item, student, attempt)
        note = None
        if others:
            note = (
                f"student '{student}' has another result on '{line_item}' ({', '.join(others)}): "
                f"'{sourced_id}' is kept as attempt {attempt}"
            )
        out.append(Attempt(attempt, note))
    return out
