"""Program schools: a rostered school enters with its regional center and entry year, when its leadership team
(as goals published it) keeps the rule; its training year and district implementation are computed."""

from __future__ import annotations

from datetime import UTC, datetime

from plc_shared.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from reviews import auth, models
from reviews.exceptions import LeadershipRule, SchoolNotFound
from reviews.program import rules, schemas
from reviews.program.repository import ProgramRepository


def this_school_year() -> int:
    return rules.school_year_of(datetime.now(UTC).date())


async def enter_school(
    session: AsyncSession, *, principal: Principal, school_id: str, data: schemas.ProgramSchoolWrite
) -> schemas.ProgramSchoolRead:
    district = principal.tenant
    repo = ProgramRepository(session)
    if not await repo.rostered(district, school_id):
        raise SchoolNotFound(school_id)
    auth.check_school_scope(principal, school_id, SchoolNotFound(school_id))
    roles = await repo.staff_roles(district, [school_id])
    leadership = _leadership(await repo.teams(district, [school_id]), roles, school_id)
    if leadership is None or not leadership.rule_met:
        raise LeadershipRule(
            school_id, leadership.violations if leadership else ["the school has no leadership team"]
        )
    found = await repo.get_in_district(district, school_id)
    if found is None:
        found = await repo.add(models.ProgramSchool(district_id=district, school_id=school_id), flush=False)
    found.regional_center, found.entry_year, found.active = data.regional_center, data.entry_year, True
    await session.flush()
    return (await read_many(session, district, [found]))[0]


async def set_district(
    session: AsyncSession, *, principal: Principal, data: schemas.DistrictWrite
) -> schemas.DistrictRead:
    district = principal.tenant
    found = await session.get(models.ProgramDistrict, district)
    if found is None:
        found = models.ProgramDistrict(district_id=district)
        session.add(found)
    found.building_count = data.building_count
    await session.flush()
    return await get_district(session, principal=principal)


async def get_district(session: AsyncSession, *, principal: Principal) -> schemas.DistrictRead:
    program, rostered, entered = await ProgramRepository(session).counts(principal.tenant)
    return schemas.DistrictRead(
        district_id=principal.tenant,
        building_count=entered,
        rostered_schools=rostered,
        program_schools=program,
        district_implementation=rules.district_implementation(program, entered or rostered),
    )


async def list_schools(session: AsyncSession, *, principal: Principal) -> list[schemas.ProgramSchoolRead]:
    schools = await ProgramRepository(session).schools(principal.tenant, principal.visible_schools())
    return await read_many(session, principal.tenant, schools)


async def get_school(
    session: AsyncSession, *, principal: Principal, school_id: str
) -> schemas.ProgramSchoolRead:
    found = await auth.check_program_school(session, principal, school_id)
    return (await read_many(session, principal.tenant, [found]))[0]


async def read_many(
    session: AsyncSession, district: str, schools: list[models.ProgramSchool]
) -> list[schemas.ProgramSchoolRead]:
    repo = ProgramRepository(session)
    program, rostered, entered = await repo.counts(district)
    buildings = max(entered or rostered, program)
    implementation = rules.district_implementation(program, buildings)
    ids = [s.school_id for s in schools]
    teams, roles = await repo.teams(district, ids), await repo.staff_roles(district, ids)
    year, out = this_school_year(), []
    for s in schools:
        own = [t for t in teams if t.school_id == s.school_id]
        out.append(
            schemas.ProgramSchoolRead(
                district_id=district,
                school_id=s.school_id,
                regional_center=s.regional_center,
                entry_year=s.entry_year,
                school_year=year,
                training_year=rules.training_year(s.entry_year, year),
                district_implementation=implementation,
                district_buildings=buildings,
                district_program_schools=program,
                leadership_team=_leadership(own, roles, s.school_id),
                collaborative_teams=[
                    schemas.CollaborativeTeam(team_id=t.team_id, member_ids=t.member_ids)
                    for t in own
                    if t.kind == "collaborative"
                ],
            )
        )
    return out


def _leadership(
    teams: list[models.Team], roles: dict[tuple[str, str], str], school_id: str
) -> schemas.LeadershipTeam | None:
    team = next((t for t in teams if t.kind == "leadership"), None)
    if team is None:
        return None
    violations = rules.leadership_violations([roles.get((school_id, m), "unknown") for m in team.member_ids])
    return schemas.LeadershipTeam(
        team_id=team.team_id, member_ids=team.member_ids, rule_met=not violations, violations=violations
    )
