"""SQL of the flags API (the results consumer's writes are in results/repository.py). Every query names the
district: ids are unique within a district only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from plc_shared.db import Repository
from sqlalchemy import ColumnElement, DateTime, Integer, Uuid, any_, func, literal, select, text, true, tuple_

from interventions.models import Assignment, Flag, Intervention, StudentTier


class FlagRepository(Repository[Flag]):
    model = Flag

    async def in_district(self, district_id: str, flag_id: uuid.UUID, *, lock: bool = False) -> Flag | None:
        stmt = select(Flag).where(Flag.district_id == district_id, Flag.id == flag_id)
        return (await self.session.scalars(stmt.with_for_update() if lock else stmt)).one_or_none()

    async def flags(
        self,
        *,
        district_id: str,
        status: str,
        filters: FlagFilters,
        limit: int,
        offset: int = 0,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> Sequence:
        """(flag, tier, age in days) in the district, scope and filters, in (opened_at, id) order: `after`
        (keyset) starts past that key, read from the (district, school, status, opened_at, id) index for a
        school's open or resolved flags, so a page costs its own rows whatever its place; `offset` (kept for
        existing readers) reads and skips every row before the page."""
        stmt = _with_tier(district_id).where(*filters.conditions())
        if status != "all":
            stmt = stmt.where(Flag.status == status)
        if after is not None:
            key = tuple_(literal(after[0], DateTime(timezone=True)), literal(after[1], Uuid))
            stmt = stmt.where(tuple_(Flag.opened_at, Flag.id) > key)
        stmt = stmt.order_by(Flag.opened_at, Flag.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).all()

    async def by_class(self, *, district_id: str, status: str, filters: FlagFilters) -> Sequence:
        """(class id or None, distinct students, flags) of every flag in the district, scope and filters, per
        class of the flag (`class_ids` unnested: a flag counts in each of its classes; one of no class under
        None), in class order, None last. One statement: a school's open flags come from the (district,
        school, status, ...) index and are counted in two hash aggregates, (class, student) then class, rather
        than sorted for a count of distinct students."""
        klass = func.unnest(Flag.class_ids).table_valued("class_id").render_derived(name="flag_class")
        per_student = (
            select(klass.c.class_id, Flag.student_id, func.count().label("flags"))
            .select_from(Flag)
            .join(klass, true(), isouter=True)
            .where(Flag.district_id == district_id, *filters.conditions())
            .group_by(klass.c.class_id, Flag.student_id)
        )
        if status != "all":
            per_student = per_student.where(Flag.status == status)
        if filters.tier is not None:
            per_student = per_student.join(_TIER_OF, true(), isouter=True)
        counted = per_student.subquery("per_student")
        stmt = (
            select(counted.c.class_id, func.count(), func.sum(counted.c.flags).cast(Integer))
            .group_by(counted.c.class_id)
            .order_by(counted.c.class_id.asc().nulls_last())
        )
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

    async def end(self, *, district_id: str, filters: FlagFilters) -> tuple[int, uuid.UUID] | None:
        """The position of the latest change the feed can give now (below the snapshot's xmin, as `changes`) in
        the scope and filters: one backward probe of (district, school, change_xid, id), whatever the history."""
        horizon = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        stmt = (
            select(Flag.change_xid, Flag.id)
            .where(Flag.district_id == district_id, *filters.conditions(), Flag.change_xid < horizon)
            .order_by(Flag.change_xid.desc(), Flag.id.desc())
            .limit(1)
        )
        if filters.tier is not None:
            stmt = stmt.join(_TIER_OF, true(), isouter=True)
        found = (await self.session.execute(stmt)).first()
        return (found[0], found[1]) if found else None

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
    resolved_since: datetime | None = None  # only flags resolved at or after it

    def conditions(self) -> list:
        wanted = [
            (self.school_id is not None, lambda: Flag.school_id == self.school_id),
            (self.resolved_since is not None, lambda: Flag.resolved_at >= self.resolved_since),
            (self.class_id is not None, lambda: literal(self.class_id) == any_(Flag.class_ids)),
            (self.standard_id is not None, lambda: Flag.standard_id == self.standard_id),
            (self.kind is not None, lambda: Flag.kind == self.kind),
            (self.tier is not None, lambda: func.coalesce(_TIER_OF.c.tier, 1) == self.tier),
        ]
        return [*self.scope, *(make() for want, make in wanted if want)]


# The flag's student's tier by one primary-key probe per flag returned (a lateral subquery): a join let the
# planner hash the district's whole `student_tiers` (a sequential scan) and sort every open flag of the school
# before the page's LIMIT (issue 25).
_TIER_OF = (
    select(StudentTier.tier)
    .where(StudentTier.district_id == Flag.district_id, StudentTier.student_id == Flag.student_id)
    .limit(1)  # at most one (the primary key); it keeps the planner from flattening it back into a hash join
    .lateral("student_tier")
)
TIER = func.coalesce(_TIER_OF.c.tier, 1)


def _with_tier(district_id: str):
    age = func.extract("epoch", func.coalesce(Flag.resolved_at, func.now()) - Flag.opened_at) / 86400
    return select(Flag, TIER, age).join(_TIER_OF, true(), isouter=True).where(Flag.district_id == district_id)
