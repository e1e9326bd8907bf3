"""SQL of the OneRoster CSV import: a bulk file's retirement of the district's rows it does not name, and what
a line item or a deleted result row names (a class's school, a score scale, the live results it may mean)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from assessments import models


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def retire(self, model: type[models.Base], district_id: str, kept: list[str]) -> None:
        """A bulk file is the whole set: the district's rows it does not name are marked tobedeleted."""
        await self.session.execute(
            text(
                f"UPDATE {model.__tablename__} SET status = 'tobedeleted'"
                " WHERE district_id = :d AND NOT (sourced_id = ANY(:kept))"
            ),
            {"d": district_id, "kept": kept},
        )

    async def retire_enrollments(self, district_id: str, kept: list[str]) -> list[str]:
        """`retire` for enrollments; returns the students whose active enrollments it retired (their classes
        changed: their StudentRostered is published again)."""
        found = await self.session.execute(
            text(
                "UPDATE enrollments SET status = 'tobedeleted' WHERE district_id = :d"
                " AND NOT (sourced_id = ANY(:kept)) AND status <> 'tobedeleted' RETURNING user_id, role"
            ),
            {"d": district_id, "kept": kept},
        )
        return sorted({user for user, role in found.all() if role == "student"})

    async def live_results(
        self, district_id: str, sourced_id: str, assessment_id: str, student_id: str
    ) -> list[Any]:
        """(sourced_id, assessment_id, student_id, attempt) of the live results with this sourcedId or of this
        student on this line item."""
        found = await self.session.execute(
            text(
                "SELECT sourced_id, assessment_id, student_id, attempt FROM results"
                " WHERE district_id = :d AND voided_at IS NULL"
                " AND (sourced_id = :s OR (assessment_id = :a AND student_id = :u))"
            ),
            {"d": district_id, "s": sourced_id, "a": assessment_id, "u": student_id},
        )
        return list(found.all())

    async def school_of_class(self, district_id: str, class_id: str) -> str | None:
        found = await self.session.get(models.Class, (district_id, class_id))
        return found.school_id if found is not None else None

    async def score_scale(self, district_id: str, scale_id: str) -> list[dict[str, str]] | None:
        found = await self.session.get(models.ScoreScale, (district_id, scale_id))
        return list(found.values) if found is not None else None

    async def staff_roles(self, district_id: str, user_ids: list[str]) -> dict[str, list[str]]:
        """The stored staff among `user_ids` (not students), with their roles."""
        found = {}
        for user_id in dict.fromkeys(user_ids):
            staff = await self.session.get(models.Staff, (district_id, user_id))
            if staff is not None and await self.session.get(models.Student, (district_id, user_id)) is None:
                found[user_id] = list(staff.roles)
        return found
