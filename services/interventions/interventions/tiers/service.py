"""Tiers: a leader's explicit decision (the only way, besides an exit, for a tier to come down), and the
school's views: the distribution against 80/15/5 and the overdue list.

Functions take the session first and keyword-only arguments after it; they never commit (the request's
session does, once). Events go to the outbox in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import UTC, date, datetime

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.events.interventions import TierChanged
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import models
from interventions.auth import check_school, check_student
from interventions.exceptions import StudentNotFound
from interventions.flags.rules import Escalation
from interventions.models import Student
from interventions.school_rules.repository import RulesRepository
from interventions.tiers import rules, schemas
from interventions.tiers.repository import TierRepository


async def decide_tier(
    session: AsyncSession, *, principal: Principal, student_id: str, data: schemas.TierDecision
) -> schemas.TierRead:
    district = principal.tenant
    student = await check_student(session, principal, student_id)
    school = await _school_of(session, principal, district, student)
    await set_tier(session, student_id, district, school, data.tier, "decision", principal, data.reason)
    await session.flush()
    row = await TierRepository(session).get((district, student_id))
    await session.refresh(row)
    return schemas.TierRead.model_validate(row, from_attributes=True)


async def _school_of(session: AsyncSession, principal: Principal, district: str, student: Student) -> str:
    """Where a tier decision about the student belongs: the school of their tier, else of their latest flag,
    else of the roster (one the caller sees first). A school the caller does not see is the student's 404:
    the decision would change another school's record."""
    current = await TierRepository(session).get((district, student.student_id))
    school = (
        current.school_id
        if current
        else await TierRepository(session).latest_flag_school(district, student.student_id)
    )
    if school is None:
        visible = [s for s in student.school_ids if scope.sees_school(principal, district, s)]
        school = next(iter(visible or student.school_ids), None)
    if school is None or not scope.sees_school(principal, district, school):
        raise StudentNotFound(student.student_id)
    return school


async def set_tier(
    session: AsyncSession,
    student_id: str,
    district_id: str,
    school_id: str,
    tier: int,
    reason: str,
    principal: Principal,
    note: str | None = None,
) -> None:
    repo = TierRepository(session)
    current = await session.get(models.StudentTier, (district_id, student_id), with_for_update=True)
    before = current.tier if current else 1
    now = datetime.now(UTC)
    await repo.upsert(
        {
            "student_id": student_id,
            "district_id": district_id,
            "school_id": school_id,
            "tier": tier,
            "reason": reason,
            "rule": note,
            "decided_by": principal.subject,
            "since": now if tier != before else (current.since if current else now),
        }
    )
    if tier != before:
        await models.outbox.add(
            session,
            TierChanged(
                student_id=student_id,
                district_id=district_id,
                school_id=school_id,
                from_tier=before,
                to_tier=tier,
                reason=reason,
                rule=None,  # a decision's reason is the leader's words about the student: kept here, not sent
                decided_by=principal.subject,
                changed_at=now,
            ),
        )


async def distribution(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> schemas.Distribution:
    district = await check_school(session, principal, school_id)
    repo = TierRepository(session)
    tiered = [t.tier for t in await repo.in_school(district, school_id, min_tier=2)]
    students = max(await repo.students_in_school(district, school_id), len(tiered))
    shares = rules.distribution([*tiered, *([1] * (students - len(tiered)))])
    return schemas.Distribution(
        school_id=school_id,
        students=students,
        tiers=[schemas.TierShare(tier=t, **v) for t, v in shares.items()],
    )


async def history(
    session: AsyncSession, *, principal: Principal, school_id: str, weeks: int, today: date | None = None
) -> schemas.TierHistory:
    district = await check_school(session, principal, school_id)
    repo = TierRepository(session)
    changes = [
        (s, before, after, at.date()) for s, before, after, at in await repo.changes(district, school_id)
    ]
    students = max(
        await repo.students_in_school(district, school_id), len({c[0] for c in changes if c[2] > 1})
    )
    today = today or datetime.now(UTC).date()
    return schemas.TierHistory(
        school_id=school_id,
        students=students,
        weeks=[
            schemas.WeekTiers(
                week_ending=end, tiers=[schemas.TierShare(tier=t, **v) for t, v in shares.items()]
            )
            for end, shares in rules.weekly(changes, students, weeks, today)
        ],
    )


async def overdue(
    session: AsyncSession,
    *,
    principal: Principal,
    school_id: str,
    defaults: Escalation,
    today: date | None = None,
) -> list[schemas.OverdueRead]:
    district = await check_school(session, principal, school_id)
    policy = await RulesRepository(session).escalation(district, school_id, defaults)
    served = await TierRepository(session).served(district, school_id)
    today = today or datetime.now(UTC).date()
    late = []
    for t in await TierRepository(session).in_school(district, school_id, min_tier=2):
        since = t.since.date()
        if rules.is_overdue(t.tier, since, today, t.student_id in served, policy):
            late.append(
                schemas.OverdueRead(
                    student_id=t.student_id,
                    tier=t.tier,
                    since=t.since,
                    school_days=rules.school_days_between(since, today),
                )
            )
    late = await _visible(session, principal, school_id, late)
    audit_read(principal, "overdue", (o.student_id for o in late), school_id=school_id)
    return sorted(late, key=lambda o: (-o.school_days, o.student_id))


async def _visible(
    session: AsyncSession, principal: Principal, school_id: str, late: list[schemas.OverdueRead]
) -> list[schemas.OverdueRead]:
    """The overdue students the caller may see (a teacher: those of their classes; plc_shared.scope)."""
    if principal.visible_classes() is None or not late:
        return late
    classes = await TierRepository(session).classes_of(principal.tenant, [o.student_id for o in late])
    return [
        o
        for o in late
        if scope.sees_student(
            principal,
            district_id=principal.tenant,
            school_ids=[school_id],
            class_ids=classes.get(o.student_id, []),
        )
    ]
