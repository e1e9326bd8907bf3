"""Recognition: Exemplary and Sustaining Exemplary judged whenever a site review is finalized or a narrative or
state result arrives; every recognition is kept (full history) and announced with a SchoolRecognized event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from plc_shared.auth import Principal
from plc_shared.events.reviews import SchoolRecognized
from sqlalchemy.ext.asyncio import AsyncSession

from reviews import auth, models
from reviews.config import Settings
from reviews.program.repository import ProgramRepository
from reviews.recognition import rules, schemas
from reviews.recognition.repository import RecognitionRepository
from reviews.rubrics.rules import indicators


async def standing(
    session: AsyncSession, district_id: str, school_id: str, settings: Settings
) -> tuple[rules.Standing, models.Review | None]:
    repo = RecognitionRepository(session)
    review = await repo.latest_site_review(district_id, school_id)
    history = [r.school_year for r in await repo.of_school(district_id, school_id)]
    if review is None:
        none = rules.Achievement(settings.achievement_criterion, None, settings.achievement_threshold)
        return rules.Standing(None, {}, [], none, False, history), None
    rubric = await session.get(models.Rubric, (district_id, review.rubric_id))
    assert rubric is not None
    year = review.school_year
    return (
        rules.Standing(
            school_year=year,
            levels={i: r["level"] for i, r in review.ratings.items()},
            indicator_ids=list(indicators(rubric.body)),
            achievement=await achievement(session, district_id, school_id, year, settings),
            narrative=await repo.narrative(district_id, school_id, year),
            recognized_years=history,
        ),
        review,
    )


async def achievement(
    session: AsyncSession, district_id: str, school_id: str, year: int, settings: Settings
) -> rules.Achievement:
    repo = RecognitionRepository(session)
    if settings.achievement_criterion == "state_result":
        found = await repo.state_result(district_id, school_id, year)
        value = None if found is None else float(found.met)
        return rules.Achievement("state_result", value, 1.0, int(found is not None))
    if settings.achievement_criterion == "goals_achieved":
        value, n = await repo.goals_achieved(district_id, school_id, year)
    else:
        value, n = await repo.percent_proficient(district_id, school_id, year)
    return rules.Achievement(settings.achievement_criterion, value, settings.achievement_threshold, n)


async def evaluate(session: AsyncSession, *, district_id: str, school_id: str, settings: Settings) -> None:
    """Recognize the school when its standing earns it; one judgement at a time per school (row lock)."""
    await session.get(models.ProgramSchool, (district_id, school_id), with_for_update=True)
    s, review = await standing(session, district_id, school_id, settings)
    level = rules.recognition(s, settings.sustaining_years_apart)
    if level is None or review is None:
        return
    now = datetime.now(UTC)
    recognition = models.Recognition(
        district_id=district_id, id=uuid.uuid4(), school_id=school_id, level=level, review_id=review.id,
        school_year=review.school_year, recognized_at=now,
        criteria={"achievement": _achievement(s.achievement), "narrative": True, "indicators": len(s.indicator_ids)},
    )  # fmt: skip
    await RecognitionRepository(session).add(recognition, flush=True)
    event = SchoolRecognized(
        district_id=district_id, school_id=school_id, recognition_id=recognition.id, level=level,
        review_id=review.id, school_year=review.school_year, recognized_at=now,
    )  # fmt: skip
    await models.outbox.add(session, event)


async def put_narrative(
    session: AsyncSession, *, principal: Principal, school_id: str, school_year: int, data: schemas.NarrativeWrite,
    settings: Settings,
) -> None:  # fmt: skip
    await auth.check_program_school(session, principal, school_id)
    found = await session.get(models.Narrative, (principal.tenant, school_id, school_year))
    if found is None:
        session.add(
            models.Narrative(
                district_id=principal.tenant, school_id=school_id, school_year=school_year, text=data.text
            )
        )
    else:
        found.text, found.submitted_at = data.text, datetime.now(UTC)
    await session.flush()
    await evaluate(session, district_id=principal.tenant, school_id=school_id, settings=settings)


async def put_state_result(
    session: AsyncSession, *, principal: Principal, school_id: str, school_year: int, data: schemas.StateResultWrite,
    settings: Settings,
) -> None:  # fmt: skip
    await auth.check_program_school(session, principal, school_id)
    row = models.StateResult(
        district_id=principal.tenant, school_id=school_id, school_year=school_year, **data.model_dump()
    )
    await session.merge(row)
    await session.flush()
    await evaluate(session, district_id=principal.tenant, school_id=school_id, settings=settings)


async def list_recognitions(session: AsyncSession, *, principal: Principal) -> list[schemas.RecognitionRead]:
    visible = principal.visible_schools()
    found = await RecognitionRepository(session).of_district(principal.tenant)
    return [
        schemas.RecognitionRead.model_validate(r) for r in found if visible is None or r.school_id in visible
    ]


async def readiness(
    session: AsyncSession, *, principal: Principal, settings: Settings
) -> list[schemas.Readiness]:
    schools = await ProgramRepository(session).schools(principal.tenant, principal.visible_schools())
    repo, out = RecognitionRepository(session), []
    for school in schools:
        s, review = await standing(session, principal.tenant, school.school_id, settings)
        history = await repo.of_school(principal.tenant, school.school_id)
        out.append(
            schemas.Readiness(
                school_id=school.school_id, recognized=history[-1].level if history else None,
                next_level="sustaining" if history else "exemplary", review_id=review.id if review else None,
                school_year=s.school_year, achievement=_achievement(s.achievement),
                unmet=rules.unmet(s, settings.sustaining_years_apart),
            )
        )  # fmt: skip
    return out


def _achievement(a: rules.Achievement) -> dict:
    return {"criterion": a.criterion, "value": a.value, "threshold": a.threshold, "n": a.n, "met": a.met}
