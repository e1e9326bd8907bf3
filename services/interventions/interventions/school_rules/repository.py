"""SQL of the schools' rules and assessment cut overrides, keyed by (district, school[, assessment])."""

from __future__ import annotations

from plc_shared.db import Repository
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from interventions.flags.rules import Escalation
from interventions.models import AssessmentRules, SchoolRules


class RulesRepository(Repository[SchoolRules]):
    model = SchoolRules

    async def upsert(self, values: dict) -> None:
        stmt = insert(SchoolRules).values(values)
        keys = ("district_id", "school_id")
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={k: stmt.excluded[k] for k in values if k not in keys} | {"updated_at": func.now()},
        )
        await self.session.execute(stmt)

    async def upsert_assessment(self, values: dict) -> None:
        stmt = insert(AssessmentRules).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[
                AssessmentRules.district_id,
                AssessmentRules.school_id,
                AssessmentRules.assessment_id,
            ],
            set_={"proficiency_cut": stmt.excluded.proficiency_cut, "mastery_cut": stmt.excluded.mastery_cut},
        )
        await self.session.execute(stmt)

    async def escalation(self, district_id: str, school_id: str, defaults: Escalation) -> Escalation:
        """The school's escalation and overdue rules, else `defaults` (the service's settings)."""
        row = await self.get((district_id, school_id))
        if row is None:
            return defaults
        return Escalation(row.escalation_open_flags, row.reflag_weeks, row.overdue_school_days)
