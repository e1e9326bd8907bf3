"""The consumers, on the shared ConsumerRunner and inbox (effects and inbox rows in one transaction):

- results: a fetch of result events moves every active goal they touch (progress.service.apply_results);
- flags: the interventions' support flags raised and resolved and exits move every active support-exit goal
  of the student's school (support.service.apply_flags);
- roster: schools, classes (school, grades), students (grades) and staff (UserRostered: who may be a team member, with which role),
  and the district's published assessments (what a goal's measure may name) — ids only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from plc_shared.events import CloudEvent
from plc_shared.events.assessments import (
    AssessmentClosed,
    AssessmentPublished,
    ClassRostered,
    ResultCorrected,
    ResultRecorded,
    ResultVoided,
    SchoolRostered,
    StudentRostered,
    UserRostered,
)
from plc_shared.events.interventions import EXITS, FlagResolved, StudentFlagged
from plc_shared.inbox import Consumer
from plc_shared.topics import ASSESSMENTS, FLAGS, RESULTS, ROSTER
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.progress import service as progress
from goals.support import service as support

NAME = "goals-results"
ROSTER_NAME = "goals-roster"
FLAGS_NAME = "goals-flags"
FLAG_TYPES = frozenset({StudentFlagged.type, FlagResolved.type, *(e.type for e in EXITS)})
KIND = {ResultRecorded.type: "recorded", ResultCorrected.type: "corrected", ResultVoided.type: "voided"}
ROSTER_TYPES = frozenset(
    {
        SchoolRostered.type,
        ClassRostered.type,
        StudentRostered.type,
        UserRostered.type,
        AssessmentPublished.type,
        AssessmentClosed.type,
    }
)


def results_consumer() -> Consumer:
    return Consumer(name=NAME, topics=(RESULTS,), batch_handler=handle_results, event_types=frozenset(KIND))


def roster_consumer() -> Consumer:
    return Consumer(
        name=ROSTER_NAME, topics=(ROSTER, ASSESSMENTS), batch_handler=handle_roster, event_types=ROSTER_TYPES
    )


def flags_consumer() -> Consumer:
    return Consumer(name=FLAGS_NAME, topics=(FLAGS,), batch_handler=handle_flags, event_types=FLAG_TYPES)


async def handle_flags(session: AsyncSession, envelopes: Sequence[CloudEvent]) -> None:
    """Per district, in partition order (one student's flag events share a key)."""
    by_district: dict[str, list] = {}
    for e in envelopes:
        if e.type in FLAG_TYPES:
            event = e.payload()
            by_district.setdefault(event.district_id, []).append(event)
    now = datetime.now(UTC)
    for district_id, events in sorted(by_district.items()):
        await support.apply_flags(session, district_id, events, now)


async def handle_results(session: AsyncSession, envelopes: Sequence[CloudEvent]) -> None:
    """Per district, in partition order: one student's results stay in order (they share a key)."""
    by_district: dict[str, list] = {}
    for e in envelopes:
        if e.type in KIND:
            event = e.payload()
            by_district.setdefault(event.district_id, []).append(progress.fact_of(KIND[e.type], event))
    now = datetime.now(UTC)
    for district_id, facts in sorted(by_district.items()):
        await progress.apply_results(session, district_id, facts, now)


async def handle_roster(session: AsyncSession, envelopes: Sequence[CloudEvent]) -> None:
    """The latest state of each school, class, student, staff member and assessment of the batch."""
    models_ = (models.School, models.RosterClass, models.Student, models.Staff, models.Assessment)
    rows: dict[type, dict] = {m: {} for m in models_}
    for event in (e.payload() for e in envelopes if e.type in ROSTER_TYPES):
        d = event.district_id
        if isinstance(event, SchoolRostered):
            rows[models.School][(d, event.school_id)] = {"school_id": event.school_id, "status": event.status}
        elif isinstance(event, ClassRostered):
            row = {"class_id": event.class_id, "school_id": event.school_id, "grades": event.grades}
            rows[models.RosterClass][(d, event.class_id)] = row | {"status": event.status}
        elif isinstance(event, StudentRostered):
            row = {"student_id": event.student_id, "grades": event.grades, "status": event.status}
            rows[models.Student][(d, event.student_id)] = row
        elif isinstance(event, UserRostered):
            for school in event.school_ids:
                row = {
                    "user_id": event.user_id,
                    "school_id": school,
                    "role": event.role,
                    "status": event.status,
                }
                rows[models.Staff][(d, event.user_id, school)] = row
        else:
            status = "published" if isinstance(event, AssessmentPublished) else "closed"
            row = {"assessment_id": event.assessment_id, "school_id": event.school_id, "status": status}
            rows[models.Assessment][(d, event.assessment_id)] = row | {"standard_ids": event.standard_ids}
    for model, found in rows.items():
        if found:
            await _upsert(session, model, [{"district_id": k[0], **v} for k, v in found.items()])


async def _upsert(session: AsyncSession, model, rows: list[dict]) -> None:
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c: stmt.excluded[c] for c in rows[0] if c not in keys}
    )
    await session.execute(stmt, rows)
