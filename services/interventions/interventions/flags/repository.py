"""SQL of the flags API (the results consumer's writes are in results/repository.py). Every query names the
district: ids are unique within a district only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from plc_shared.db import Repository
from sqlalchemy import ColumnElement, Uuid, and_, any_, func, literal, select, text, tuple_

from interventions.models import Assignment, Flag, Intervention, StudentTier


class FlagRepository(Repository[Flag]):
    model = Flag

    async def in_district(self, district_id: str, flag_id: uuid.UUID, *, lock: bool = False) -> Flag | None:
        stmt = select(Flag).where(Flag.district_id == district_id, Flag.id == flag_id)
        return (await self.session.scalars(stmt.with_for_update() if lock else stmt)).one_or_none()

    async def flags(
        self, *, district_id: str, status: str, filters: FlagFilters, limit: int, offset: int
    ) -> Sequence:
        """(flag, tier, age in days) in the district, scope and filters, oldest first."""
        stmt = _with_tier(district_id).where(*filters.conditions())
        if status != "all":
            stmt = stmt.where(Flag.status == status)
        stmt = stmt.order_by(Flag.opened_at, Flag.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).all()

    async def changes(
        self, *, district_id: str, after: tuple[int, uuid.UUID], filters: FlagFilters, limit: int
    ) -> Sequence:
        """Flags whose last change is after `after` = (transaction id, flag id), in that order. Only changes
        of transactions older than every transaction still in flight (the snapshot's xmin) are returned: they
        are all committed, so nothing can appear later before the cursor (see flags/service.py)."""
        horizon = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        stmt = _with_tier(district_id).where(
            *filters.conditions(),
            Flag.change_xid < horizon,
            tuple_(Flag.change_xid, Flag.id) > tuple_(literal(after[0]), literal(after[1], Uuid)),
        )
        stmt = stmt.add_columns(Flag.change_xid, Flag.id)
        stmt = stmt.order_by(Flag.change_xid, Flag.id).limit(limit)
        return (await self.session.execute(stmt)).all()

    async def supports(self, district_id: str, student_ids: set[str]) -> Sequence:
        """(assignment, intervention) of the students' active assignments, newest first."""
        stmt = (
            select(Assignment, Intervention)
            .join(Intervention, Intervention.id == Assignment.intervention_id)
            .where(
                Assignment.district_id == district_id,
                Assignment.student_id.in_(sorted(student_ids)),
                Assignment.status == "active",
            )
            .order_by(Assignment.start_on.desc(), Assignment.created_at.desc())
        )
        return (await self.session.execute(stmt)).all()

    async def tier_of(self, district_id: str, student_id: str) -> int:
        """The student's tier (1 when none was recorded)."""
        tier = await self.session.get(StudentTier, (district_id, student_id))
        return tier.tier if tier else 1


@dataclass(frozen=True)
class FlagFilters:
    """What a caller may see (`scope`: conditions from plc_shared.scope) and what they asked for."""

    scope: Sequence[ColumnElement] = ()
    school_id: str | None = None
    class_id: str | None = None
    standard_id: str | None = None
    kind: str | None = None
    tier: int | None = None

    def conditions(self) -> list:
        wanted = [
            (self.school_id is not None, lambda: Flag.school_id == self.school_id),
            (self.class_id is not None, lambda: literal(self.class_id) == any_(Flag.class_ids)),
            (self.standard_id is not None, lambda: Flag.standard_id == self.standard_id),
            (self.kind is not None, lambda: Flag.kind == self.kind),
            (self.tier is not None, lambda: func.coalesce(StudentTier.tier, 1) == self.tier),
        ]
        return [*self.scope, *(make() for want, make in wanted if want)]


TIER = func.coalesce(StudentTier.tier, 1)


def _with_tier(district_id: str):
    age = func.extract("epoch", func.coalesce(Flag.resolved_at, func.now()) - Flag.opened_at) / 86400
    tiers = and_(StudentTier.district_id == Flag.district_id, StudentTier.student_id == Flag.student_id)
    return (
        select(Flag, TIER, age).join(StudentTier, tiers, isouter=True).where(Flag.district_id == district_id)
    )
