"""Read-only views of the pyramid, scoped to the caller's district and schools: the tier distribution against
80/15/5, the overdue list and per-intervention effectiveness (the flags' views are in flags.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import rules, schemas
from interventions.auth import check_school
from interventions.models import SchoolRules
from interventions.repository import AssignmentRepository, RulesRepository, TierRepository


async def distribution(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> schemas.Distribution:
    district = await check_school(session, principal, school_id)
    repo = TierRepository(session)
    tiered = [t.tier for t in await repo.in_school(district, school_id, min_tier=2)]
    students = max(await repo.students_with_results(district, school_id), len(tiered))
    shares = rules.distribution([*tiered, *([1] * (students - len(tiered)))])
    return schemas.Distribution(
        school_id=school_id,
        students=students,
        tiers=[schemas.TierShare(tier=t, **v) for t, v in shares.items()],
    )


async def overdue(
    session: AsyncSession,
    *,
    principal: Principal,
    school_id: str,
    defaults: rules.Escalation,
    today: date | None = None,
) -> list[schemas.OverdueRead]:
    district = await check_school(session, principal, school_id)
    policy = await _escalation(session, district, school_id, defaults)
    served = await AssignmentRepository(session).active_students(district, school_id)
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
    audit_read(principal, "overdue", (o.student_id for o in late), school_id=school_id)
    return sorted(late, key=lambda o: (-o.school_days, o.student_id))


async def effectiveness(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> list[schemas.EffectivenessRead]:
    district = await check_school(session, principal, school_id)
    rows = await AssignmentRepository(session).effectiveness(district, school_id)
    return [
        schemas.EffectivenessRead(
            intervention_id=i,
            name=name,
            assigned=assigned,
            with_next_result=measured,
            reached_proficiency=reached,
            share=reached / measured if measured else None,
        )
        for i, name, assigned, measured, reached in rows
    ]


async def _escalation(
    session: AsyncSession, district_id: str, school_id: str, defaults: rules.Escalation
) -> rules.Escalation:
    row: SchoolRules | None = await RulesRepository(session).get((district_id, school_id))
    if row is None:
        return defaults
    return rules.Escalation(row.escalation_open_flags, row.reflag_weeks, row.overdue_school_days)
