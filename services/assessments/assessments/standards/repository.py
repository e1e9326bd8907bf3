"""SQL of the standards and their essential flags."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from plc_shared.db import Repository
from sqlalchemy import delete, or_, select, text
from sqlalchemy.dialects.postgresql import insert

from assessments import models


class StandardRepository(Repository[models.Standard]):
    model = models.Standard

    async def by_code(self, district_id: str, code: str) -> models.Standard | None:
        stmt = select(models.Standard).where(
            models.Standard.district_id == district_id, models.Standard.code == code
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def named(self, district_id: str, ids: set[str], guids: set[uuid.UUID]) -> list[models.Standard]:
        """The district's standards whose id, code or CASE identifier is one of these."""
        s = models.Standard
        where = or_(s.id.in_(ids), s.code.in_(ids), *([s.case_identifier.in_(guids)] if guids else []))
        return list((await self.session.scalars(select(s).where(s.district_id == district_id, where))).all())

    async def codes(self, district_id: str, ids: Sequence[str] | set[str]) -> dict[str, str]:
        """Standard id → code."""
        s = models.Standard
        stmt = select(s.id, s.code).where(s.district_id == district_id, s.id.in_(ids))
        return {id_: code for id_, code in (await self.session.execute(stmt)).all()}

    async def flags(self, district_id: str, standard_ids: Sequence[str]) -> list[models.EssentialFlag]:
        if not standard_ids:
            return []
        flag = models.EssentialFlag
        return await self._flags(flag.district_id == district_id, flag.standard_id.in_(set(standard_ids)))

    async def _flags(self, *where: Any) -> list[models.EssentialFlag]:
        stmt = select(models.EssentialFlag).where(*where).order_by(models.EssentialFlag.id)
        return list((await self.session.scalars(stmt)).all())

    async def flag(self, standard: models.Standard, scope: str, value: str, marked_by: str) -> None:
        stmt = insert(models.EssentialFlag).values(
            standard_id=standard.id,
            district_id=standard.district_id,
            scope=scope,
            scope_value=value,
            marked_by=marked_by,
        )
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def unflag(self, standard: models.Standard, scope: str, value: str) -> int:
        stmt = delete(models.EssentialFlag).where(
            models.EssentialFlag.district_id == standard.district_id,
            models.EssentialFlag.standard_id == standard.id,
            models.EssentialFlag.scope == scope,
            models.EssentialFlag.scope_value == value,
        )
        return (await self.session.execute(stmt)).rowcount

    async def essential_ids(self, district_id: str, grades: Sequence[str]) -> set[str]:
        """Standards essential for one of these grades, or for a course of one of these grades."""
        stmt = text(
            "SELECT f.standard_id FROM essential_flags f WHERE f.district_id = :d AND ("
            " (f.scope = 'grade' AND f.scope_value = ANY(:g))"
            " OR (f.scope = 'course' AND EXISTS (SELECT 1 FROM courses c"
            "     WHERE c.district_id = f.district_id AND c.sourced_id = f.scope_value"
            "     AND (c.grades && :g OR cardinality(:g) = 0))))"
        )
        rows = await self.session.execute(stmt, {"d": district_id, "g": list(grades)})
        return {r[0] for r in rows}
