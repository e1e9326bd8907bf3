"""Flags over HTTP: the list (open, resolved or all) with each flag's resolution, a team's decision to resolve
one, and the changes feed for integrators. Scoped by plc_shared.scope like every student-level read and write:
the caller's district, schools and (teachers) the students of their classes; student-level reads are audited.

The changes feed orders flags by the position of their last change, (`change_xid`, flag id): the id of the
transaction that wrote it (set by the database on every insert and update) and, within one transaction, the
flag's id. Transaction ids become visible out of order (one that started first may commit last), so a plain
"xid > cursor" feed could skip a row. The feed therefore returns only changes written by transactions older
than the oldest one still in flight (`pg_snapshot_xmin(pg_current_snapshot())`): all of those have ended, so
no change can ever appear before the cursor later, and the order is total (a transaction's rows all appear
at once, ordered by id). A change still in flight (or behind a long transaction) shows up on a later call,
never skipped; a flag changed again moves to its new position, so a feed reader sees its latest state. The
cursor is opaque (base64 of "xid.flag-id"); an empty page gives back the same cursor. Each page also gives
`end_cursor`, the position of the latest change there is now: a reader that wants only what happens from now on
(a page that has just read the current flags) starts there instead of walking the whole history.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from plc_shared import scope
from plc_shared.audit import audit_read
from plc_shared.auth import Principal
from plc_shared.events.interventions import FlagResolved
from plc_shared.paging import InvalidCursor, an_id, decode_cursor, encode_cursor, timestamp
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import models
from interventions.auth import check_school, check_student
from interventions.exceptions import FlagClosed, FlagNotFound
from interventions.flags import schemas
from interventions.flags.repository import FlagFilters, FlagRepository
from interventions.models import Flag
from interventions.roster.repository import in_classes

START = (0, uuid.UUID(int=0))


async def flagged(
    session: AsyncSession,
    *,
    principal: Principal,
    status: str,
    school_id: str | None,
    filters: FlagFilters,
    limit: int,
    offset: int = 0,
    cursor: str | None = None,
) -> tuple[list[schemas.FlagRead], str | None]:
    """The flags in the caller's scope, oldest first, and the cursor of the next page (None after the last)."""
    after = decode_cursor(cursor, timestamp, an_id) if cursor else None
    district = await _district(session, principal, school_id)
    rows = await FlagRepository(session).flags(
        district_id=district,
        status=status,
        filters=_scoped(principal, school_id, filters),
        limit=limit,
        offset=offset,
        after=after,
    )
    audit_read(principal, "flags", (f.student_id for f, *_ in rows), status=status)
    supports: dict[str, list[schemas.FlagSupportRead]] = {}
    if rows and status == "open":  # what is in place already, beside each flag a team acts on
        for assignment, intervention in await FlagRepository(session).supports(
            district, {f.student_id for f, *_ in rows}
        ):
            supports.setdefault(assignment.student_id, []).append(support_read(assignment, intervention))
    following = encode_cursor((rows[-1][0].opened_at, rows[-1][0].id)) if len(rows) == limit else None
    return [flag_read(f, t, age, supports.get(f.student_id, [])) for f, t, age in rows], following


async def by_class(
    session: AsyncSession,
    *,
    principal: Principal,
    status: str,
    school_id: str | None,
    filters: FlagFilters,
) -> list[schemas.FlagClassCount]:
    """Per class, the distinct students and the flags of every flag the list would give (one aggregate query:
    a school of 10,000 open flags is counted in the database, not paged out of it). Counts only: no student is
    named, so nothing is audited here (the gateway records the call, as it does the list's)."""
    district = await _district(session, principal, school_id)
    rows = await FlagRepository(session).by_class(
        district_id=district, status=status, filters=_scoped(principal, school_id, filters)
    )
    return [schemas.FlagClassCount(class_id=c, students=s, flags=n) for c, s, n in rows]


async def changes(
    session: AsyncSession,
    *,
    principal: Principal,
    cursor: str | None,
    school_id: str | None,
    limit: int,
) -> schemas.FlagChanges:
    district = await _district(session, principal, school_id)
    after = decode_feed_cursor(cursor) if cursor else START
    filters, repo = _scoped(principal, school_id, FlagFilters()), FlagRepository(session)
    rows = await repo.changes(district_id=district, after=after, filters=filters, limit=limit)
    audit_read(principal, "flags.changes", (f.student_id for f, *_ in rows))
    last = (rows[-1][3], rows[-1][4]) if rows else after
    end = max(last, await repo.end(district_id=district, filters=filters) or START)
    return schemas.FlagChanges(
        flags=[flag_read(f, t, age) for f, t, age, *_ in rows],
        next_cursor=encode_feed_cursor(last),
        end_cursor=encode_feed_cursor(end),
    )


async def resolve_flag(
    session: AsyncSession, *, principal: Principal, flag_id: uuid.UUID, data: schemas.FlagResolution
) -> schemas.FlagRead:
    """A team decides a flag is resolved (e.g. evidence outside the assessments); the next result below
    the cut on that standard opens a new one."""
    # the row lock orders this decision with a consumer batch touching the same flag (it locks open flags)
    flag = await FlagRepository(session).in_district(principal.tenant, flag_id, lock=True)
    if flag is None:
        raise FlagNotFound(flag_id)
    await check_student(
        session, principal, flag.student_id, school_ids=[flag.school_id], missing=FlagNotFound(flag_id)
    )
    if flag.status != "open":
        raise FlagClosed(flag_id, flag.resolution)
    now = datetime.now(UTC)
    flag.status, flag.resolution, flag.resolved_at = "resolved", "decision", now
    flag.resolved_by, flag.resolution_note = principal.subject, data.reason
    await models.outbox.add(
        session,
        FlagResolved(
            student_id=flag.student_id,
            district_id=flag.district_id,
            school_id=flag.school_id,
            flag_id=flag.id,
            kind=flag.kind,
            standard_id=flag.standard_id,
            reason="decision",
            resolved_at=now,
        ),
    )
    await session.flush()
    tier = await FlagRepository(session).tier_of(flag.district_id, flag.student_id)
    return flag_read(flag, tier, (now - flag.opened_at).total_seconds() / 86400)


def support_read(assignment: models.Assignment, intervention: models.Intervention) -> schemas.FlagSupportRead:
    return schemas.FlagSupportRead(
        assignment_id=assignment.id,
        intervention_id=intervention.id,
        intervention_name=intervention.name,
        tier=intervention.tier,
        standard_id=assignment.standard_id,
    )


def flag_read(
    flag: models.Flag, tier: int, age_days: float, supports: list[schemas.FlagSupportRead] | None = None
) -> schemas.FlagRead:
    fields = {c: getattr(flag, c) for c in schemas.FlagRead.model_fields if hasattr(flag, c)}
    resolution = None
    if flag.status == "resolved":
        resolution = schemas.FlagResolutionRead(
            reason=flag.resolution,
            result_id=flag.resolved_by_result_id,
            event_at=flag.resolved_event_at,
            resolved_at=flag.resolved_at,
            by=flag.resolved_by,
            note=flag.resolution_note,
        )
    return schemas.FlagRead.model_validate(
        {
            **fields,
            "tier": tier,
            "age_days": float(age_days),
            "resolution": resolution,
            "supports": supports or [],
        }
    )


async def _district(session: AsyncSession, principal: Principal, school_id: str | None) -> str:
    return await check_school(session, principal, school_id) if school_id else principal.tenant


def _scoped(principal: Principal, school_id: str | None, filters: FlagFilters) -> FlagFilters:
    """The filters asked for, within what the caller may see (plc_shared.scope: the caller's schools and,
    for teachers, the flags of the students of their classes)."""
    visible = scope.student_filter(
        principal, school=Flag.school_id, in_classes=in_classes(Flag.district_id, Flag.student_id)
    )
    return replace(filters, scope=visible, school_id=school_id)


def encode_feed_cursor(position: tuple[int, uuid.UUID]) -> str:
    """The feed's own cursor (integrators keep it between polls, so it keeps its first form)."""
    return base64.urlsafe_b64encode(f"{position[0]}.{position[1]}".encode()).decode().rstrip("=")


def decode_feed_cursor(cursor: str) -> tuple[int, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        xid, flag_id = raw.split(".")
        return int(xid), uuid.UUID(flag_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor(cursor, "not a cursor this feed gave") from exc
