"""Read-only views of the pyramid, scoped to the caller: open flags with their age and tier, the tier
distribution against 80/15/5, the overdue list and per-intervention effectiveness."""

from __future__ import annotations

from datetime import UTC, date, datetime

from plc_shared.auth import Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import rules, schemas
from interventions.auth import audit_read, check_school, class_filter, district_of
from interventions.models import SchoolRules
from interventions.repository import AssignmentRepository, FlagRepository, RulesRepository, TierRepository
from interventions.service import flag_read

DISTRICT_WIDE = (Role.DISTRICT_ADMIN, Role.SIS_INTEGRATION, Role.ANALYST, Role.OPERATOR)


async def flagged(
    session: AsyncSession,
    *,
    principal: Principal,
    school_id: str | None,
    class_id: str | None,
    standard_id: str | None,
    kind: str | None,
    tier: int | None,
    limit: int,
    offset: int = 0,
) -> list[schemas.FlagRead]:
    district = check_school(principal, school_id) if school_id else district_of(principal)
    schools = [school_id] if school_id else _visible_schools(principal)
    rows = await FlagRepository(session).open_flags(
        district_id=district,
        school_ids=schools,
        class_ids=class_filter(principal),
        class_id=class_id,
        standard_id=standard_id,
        kind=kind,
        tier=tier,
        limit=limit,
        offset=offset,
    )
    audit_read(principal, "flags", (f.student_id for f, _, _ in rows))
    return [flag_read(f, t, age) for f, t, age in rows]


def _visible_schools(principal: Principal) -> list[str] | None:
    """None (every school of the district) for district-wide roles, else the token's schools."""
    return None if principal.role in DISTRICT_WIDE else sorted(principal.school_ids)


async def distribution(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> schemas.Distribution:
    district = check_school(principal, school_id)
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
    district = check_school(principal, school_id)
    policy = await _escalation(session, school_id, defaults)
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
    return sorted(late, key=lambda o: (-o.school_days, o.student_id))


async def effectiveness(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> list[schemas.EffectivenessRead]:
    district = check_school(principal, school_id)
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


async def _escalation(session: AsyncSession, school_id: str, defaults: rules.Escalation) -> rules.Escalation:
    row: SchoolRules | None = await RulesRepository(session).get(school_id)
    if row is None:
        return defaults
    return rules.Escalation(row.escalation_open_flags, row.reflag_weeks, row.overdue_school_days)
