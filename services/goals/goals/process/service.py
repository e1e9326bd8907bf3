"""The process steps before goals. A school's leaders write its foundation (each save a new version, the
history kept); a team's members (and the school's leaders) write its norms and protocols and its checklist of
the 18 critical issues; the school's staff, reviewers and analysts read. No event: no other service needs these
(and they are free text, which stays off the broker)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from goals import auth, models
from goals.exceptions import FoundationNotFound
from goals.process import rules, schemas
from goals.process.repository import ProcessRepository
from goals.teams import service as teams
from goals.teams.repository import TeamRepository


async def save_foundation(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.FoundationWrite
) -> schemas.FoundationRead:
    district = await auth.check_school(session, principal, school_id)
    repo = ProcessRepository(session)
    await repo.lock_school(district, school_id)
    latest = await repo.foundations(district, school_id, limit=1)
    row = models.FoundationVersion(
        district_id=district, school_id=school_id, version=latest[0].version + 1 if latest else 1,
        body=data.model_dump(), saved_by=principal.subject, saved_at=datetime.now(UTC),
    )  # fmt: skip
    repo.add(row)
    return _foundation(row)


async def foundation(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> schemas.FoundationRead:
    district = await auth.check_school(session, principal, school_id)
    latest = await ProcessRepository(session).foundations(district, school_id, limit=1)
    if not latest:
        raise FoundationNotFound(school_id)
    return _foundation(latest[0])


async def foundation_history(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> list[schemas.FoundationRead]:
    district = await auth.check_school(session, principal, school_id)
    return [_foundation(f) for f in await ProcessRepository(session).foundations(district, school_id)]


def _foundation(row: models.FoundationVersion) -> schemas.FoundationRead:
    return schemas.FoundationRead(
        school_id=row.school_id, version=row.version, saved_by=row.saved_by, saved_at=row.saved_at, **row.body
    )


async def norms(session: AsyncSession, *, principal: Principal, team_id: uuid.UUID) -> schemas.NormsRead:
    team = await teams.get_team(session, principal=principal, team_id=team_id)
    row = (await ProcessRepository(session).norms(team.district_id, [team.id])).get(team.id)
    return _norms(team.id, row)


async def save_norms(
    session: AsyncSession, *, principal: Principal, team_id: uuid.UUID, data: schemas.NormsWrite
) -> schemas.NormsRead:
    team = await teams.get_team(session, principal=principal, team_id=team_id)
    auth.check_team_writer(principal, team, team.school_id)
    repo = ProcessRepository(session)
    row = (await repo.norms(team.district_id, [team.id])).get(team.id)
    if row is None:
        row = models.TeamNorms(district_id=team.district_id, team_id=team.id)
        repo.add(row)
    row.norms, row.protocols = data.norms, data.protocols
    row.updated_by, row.updated_at = principal.subject, datetime.now(UTC)
    return _norms(team.id, row)


def _norms(team_id: uuid.UUID, row: models.TeamNorms | None) -> schemas.NormsRead:
    if row is None:
        return schemas.NormsRead(team_id=team_id, norms=[], protocols=[])
    return schemas.NormsRead(
        team_id=team_id, norms=row.norms, protocols=row.protocols, updated_by=row.updated_by,
        updated_at=row.updated_at,
    )  # fmt: skip


async def checklist(
    session: AsyncSession, *, principal: Principal, team_id: uuid.UUID
) -> schemas.ChecklistRead:
    team = await teams.get_team(session, principal=principal, team_id=team_id)
    return _checklist(team.id, await ProcessRepository(session).issues(team.district_id, [team.id]))


async def save_checklist(
    session: AsyncSession, *, principal: Principal, team_id: uuid.UUID, data: schemas.ChecklistWrite
) -> schemas.ChecklistRead:
    """Only the issues whose status or note changed are rewritten (so `updated_by/at` say who moved what)."""
    team = await teams.get_team(session, principal=principal, team_id=team_id)
    auth.check_team_writer(principal, team, team.school_id)
    repo = ProcessRepository(session)
    rows = {r.issue: r for r in await repo.issues(team.district_id, [team.id])}
    now = datetime.now(UTC)
    for item in data.items:
        row = rows.get(item.issue)
        if row is None:
            if item.status == "not started" and not item.note:
                continue
            row = rows[item.issue] = models.CriticalIssue(
                district_id=team.district_id, team_id=team.id, issue=item.issue
            )
            repo.add(row)
        elif (row.status, row.note) == (item.status, item.note):
            continue
        row.status, row.note, row.updated_by, row.updated_at = item.status, item.note, principal.subject, now
    return _checklist(team.id, list(rows.values()))


def _checklist(team_id: uuid.UUID, rows: list[models.CriticalIssue]) -> schemas.ChecklistRead:
    by_issue = {r.issue: r for r in rows}
    items = []
    for issue, text in rules.CRITICAL_ISSUES.items():
        row = by_issue.get(issue)
        extra = (
            {
                "status": row.status,
                "note": row.note,
                "updated_by": row.updated_by,
                "updated_at": row.updated_at,
            }
            if row
            else {"status": "not started", "note": ""}
        )
        items.append(schemas.IssueRead(issue=issue, text=text, **extra))
    return schemas.ChecklistRead(
        team_id=team_id, items=items, progress=rules.progress(r.status for r in rows)
    )


async def standing(session: AsyncSession, *, principal: Principal, school_id: str) -> schemas.ProcessRead:
    """The school's evidence for the process steps the goals service owns."""
    district = await auth.check_school(session, principal, school_id)
    repo = ProcessRepository(session)
    latest = await repo.foundations(district, school_id, limit=1)
    school_teams = await TeamRepository(session).of_school(district, school_id)
    ids = [t.id for t in school_teams]
    norms_of, issues = await repo.norms(district, ids), await repo.issues(district, ids)
    goals = await repo.active_goals(district, school_id)
    phases = await repo.cycle_phases(district, [g for g, _ in goals]) if goals else {}
    return schemas.ProcessRead(
        school_id=school_id,
        foundation_version=latest[0].version if latest else None,
        foundation_saved_at=latest[0].saved_at if latest else None,
        teams=[
            schemas.TeamStanding(
                team_id=t.id,
                name=t.name,
                kind=t.kind,
                has_norms=bool(t.id in norms_of and norms_of[t.id].norms),
                issues=rules.progress(i.status for i in issues if i.team_id == t.id),
            )
            for t in school_teams
        ],
        goals_active={"school": sum(not t for _, t in goals), "team": sum(t for _, t in goals)},
        cycles={
            "open": sum(n for p, n in phases.items() if p != "closed"),
            "closed": phases.get("closed", 0),
        },
    )
