"""Team rules: members are the school's staff on the roster; a leadership team keeps the Missouri PLC rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from plc_shared import scope
from plc_shared.auth import Principal
from plc_shared.errors import Conflict
from plc_shared.events.goals import TeamChanged
from sqlalchemy.ext.asyncio import AsyncSession

from goals import auth, models
from goals.exceptions import InvalidField, LeadershipRule, TeamNotFound, UnknownMembers
from goals.teams import rules, schemas
from goals.teams.repository import TeamRepository


async def create_team(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.TeamWrite
) -> schemas.TeamRead:
    district = await auth.check_school(session, principal, school_id)
    repo = TeamRepository(session)
    if data.kind == "leadership" and await repo.leadership(district, school_id) is not None:
        raise Conflict(f"School {school_id} already has a leadership team.")
    team = models.Team(district_id=district, id=uuid.uuid4(), school_id=school_id)
    await _apply(session, team, data)
    await repo.add(team, flush=True)
    return read(team)


async def update_team(
    session: AsyncSession, *, principal: Principal, team_id: uuid.UUID, data: schemas.TeamWrite
) -> schemas.TeamRead:
    team = await get_team(session, principal=principal, team_id=team_id)
    if data.kind != team.kind:
        raise Conflict(f"Team {team_id} is a {team.kind} team; its kind does not change.")
    await _apply(session, team, data)
    team.updated_at = datetime.now(UTC)
    return read(team)


async def _apply(session: AsyncSession, team: models.Team, data: schemas.TeamWrite) -> None:
    members = list(dict.fromkeys(data.member_ids))
    roles = await TeamRepository(session).staff_roles(team.district_id, team.school_id, members)
    unknown = [m for m in members if m not in roles]
    if unknown:
        raise UnknownMembers(team.school_id, unknown)
    if data.kind == "leadership" and (violations := rules.leadership_violations([roles[m] for m in members])):
        raise LeadershipRule(team.id, violations)
    await check_roster(
        session, team.district_id, team.school_id, class_ids=data.class_ids, grades=data.grades
    )
    team.kind, team.name = data.kind, data.name
    team.members = [{"user_id": m, "role": roles[m]} for m in members]
    team.grades, team.class_ids = data.grades, data.class_ids
    team.standard_ids = data.standard_ids
    event = TeamChanged(
        district_id=team.district_id,
        team_id=team.id,
        school_id=team.school_id,
        kind=data.kind,
        member_ids=members,
        class_ids=data.class_ids,
        standard_ids=data.standard_ids,
        occurred_at=datetime.now(UTC),
    )
    await models.outbox.add(session, event)


async def check_roster(
    session: AsyncSession, district_id: str, school_id: str, *, class_ids: list[str], grades: list[str],
    prefix: str = "",
) -> None:  # fmt: skip
    """Classes and grades must be the roster's (ClassRostered, StudentRostered): a 422 naming the field."""
    repo = TeamRepository(session)
    if class_ids and (
        unknown := sorted(set(class_ids) - await repo.known_classes(district_id, school_id, class_ids))
    ):
        raise InvalidField(
            f"{prefix}class_ids", f"unknown class(es) at school {school_id}: {', '.join(unknown)}"
        )
    if grades and (unknown := sorted(set(grades) - await repo.known_grades(district_id))):
        raise InvalidField(f"{prefix}grades", f"grade(s) not on the district's roster: {', '.join(unknown)}")


async def list_teams(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> list[schemas.TeamRead]:
    district = await auth.check_school(session, principal, school_id)
    return [read(t) for t in await TeamRepository(session).of_school(district, school_id)]


async def get_team(session: AsyncSession, *, principal: Principal, team_id: uuid.UUID) -> models.Team:
    team = await TeamRepository(session).get_team(principal.tenant, team_id)
    if team is None:
        raise TeamNotFound(team_id)
    scope.check_school(principal, team.district_id, team.school_id, TeamNotFound(team_id))
    return team


def read(team: models.Team) -> schemas.TeamRead:
    return schemas.TeamRead(
        id=team.id,
        school_id=team.school_id,
        kind=team.kind,
        name=team.name,
        members=[schemas.Member(**m) for m in team.members],
        grades=team.grades,
        class_ids=team.class_ids,
        standard_ids=team.standard_ids,
    )
