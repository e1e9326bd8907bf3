"""SQL of progress points (points.rules): a batch's changes added set-based, a goal's rows replaced, and the
series and its summary read as running sums of the changes (PostgreSQL window sums)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from plc_shared.db import driver
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from goals import models
from goals.progress.rules import value

# Every point row of one goal (`k.goal_id`, one of the unnested ids) with the running sums of its changes up to
# its date (points.rules): the one definition of a point's numerator and denominator, for the series (API) and
# the status (events) alike. Per goal (LATERAL): each goal's rows come from the primary key in date order, so
# the sums need no sort of every goal's rows at once (nor a filter of every row through the array of ids).
RUNNING = (
    'SELECT "on", version, sum(dnum) OVER w AS cnum, sum(dden) OVER w AS cden FROM progress_points'
    " WHERE district_id = $1 AND goal_id = k.goal_id"
    ' WINDOW w AS (ORDER BY "on" ROWS UNBOUNDED PRECEDING)'
)
GOALS = "unnest($2::uuid[]) AS k(goal_id)"


class PointRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_point_changes(self, district_id: str, rows: list[tuple]) -> None:
        """Add (goal, version, on, dnum, dden, dentries) rows to the goals' point rows (points.rules): one
        upsert for the batch, then the dates left without any result are dropped (no point there any more)."""
        if not rows:
            return
        conn = await driver(self.session)
        columns = [list(c) for c in zip(*rows, strict=True)]
        await conn.execute(
            'INSERT INTO progress_points AS p (district_id, goal_id, version, "on", dnum, dden, entries)'
            " SELECT $1, u.* FROM unnest($2::uuid[], $3::int[], $4::date[], $5::float8[], $6::int[], $7::int[])"
            ' AS u ON CONFLICT (district_id, goal_id, "on") DO UPDATE SET version = excluded.version,'
            " dnum = p.dnum + excluded.dnum, dden = p.dden + excluded.dden, entries = p.entries + excluded.entries",
            district_id,
            *columns,
        )
        emptied = [(r[0], r[2]) for r in rows if r[5] < 0]
        if emptied:
            await conn.execute(
                'DELETE FROM progress_points p USING unnest($2::uuid[], $3::date[]) AS k(goal_id, "on")'
                ' WHERE p.district_id = $1 AND p.goal_id = k.goal_id AND p."on" = k."on" AND p.entries <= 0',
                district_id,
                [e[0] for e in emptied],
                [e[1] for e in emptied],
            )

    async def replace_points(
        self, district_id: str, goal_id: uuid.UUID, version: int, changes: dict[date, list]
    ) -> None:
        """The goal's point rows from scratch (activation, a new version)."""
        await self.session.execute(
            delete(models.ProgressPoint).where(
                models.ProgressPoint.district_id == district_id, models.ProgressPoint.goal_id == goal_id
            )
        )
        rows = [(goal_id, version, on, *row) for on, row in sorted(changes.items()) if row[2] > 0]
        await self.add_point_changes(district_id, rows)

    async def points(self, district_id: str, goal_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[tuple]]:
        """Per goal its point rows with the running sums: (on, numerator, denominator, version), oldest first."""
        rows = await (await driver(self.session)).fetch(
            f'SELECT k.goal_id, s."on", s.cnum, s.cden, s.version FROM {GOALS} CROSS JOIN LATERAL ({RUNNING}) s'
            ' ORDER BY k.goal_id, s."on"',
            district_id,
            list(set(goal_ids)),
        )
        out: dict[uuid.UUID, list[tuple]] = {}
        for goal_id, on, cnum, cden, version in rows:
            out.setdefault(goal_id, []).append((on, cnum, int(cden), version))
        return out

    async def summaries(self, district_id: str, goal_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple]:
        """Per goal what its status reads of its series, from the same running sums as `points` but summed up
        in PostgreSQL (no rows to ship): (points with a value, the last of them: on, numerator, denominator).
        Goals without a point with a value are absent."""
        rows = await (await driver(self.session)).fetch(
            f"SELECT k.goal_id, s.* FROM {GOALS} CROSS JOIN LATERAL (SELECT count(*) OVER () AS n,"
            f' "on", cnum, cden FROM ({RUNNING}) r WHERE cden > 0 ORDER BY "on" DESC LIMIT 1) s',
            district_id,
            list(set(goal_ids)),
        )
        return {r[0]: (r[1], r[2], r[3], int(r[4])) for r in rows}

    async def largest_gain(self, district_id: str, school_id: str) -> float | None:
        """The largest gain a finished goal of the school reached (its highest point minus its lowest)."""
        kinds = dict(
            await (await driver(self.session)).fetch(
                "SELECT id, body->'measure'->>'kind' FROM goals WHERE district_id = $1 AND school_id = $2"
                " AND status IN ('achieved', 'missed')",
                district_id,
                school_id,
            )
        )
        gains = []
        for goal_id, rows in (await self.points(district_id, kinds)).items():
            values = [value(kinds[goal_id], num, den) for _, num, den, _ in rows if den > 0]
            if values:
                gains.append(max(values) - min(values))
        return max(gains, default=None)
