"""SQL of the results consumer: load a batch's snapshot and write its changes, a fixed number of statements
per batch whatever its size (COPY for new rows, arrays and unnest for the rest: never one per event)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import asyncpg
from plc_shared.db import Serial, TextColumns, driver
from sqlalchemy import ARRAY, Table, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from interventions.flags import rules
from interventions.models import AssessmentRules, SchoolRules, StudentTier
from interventions.models import Flag as FlagModel
from interventions.models import Result as ResultModel
from interventions.models import ResultScore as ResultScoreModel
from interventions.results.rules import Changes, Flag, ResultHead, Snapshot, Tier
from interventions.results.schemas import (
    FLAG_COLUMNS,
    FLAG_READ,
    PG_TYPES,
    SCORE_COLUMNS,
    SEP,
    UPDATABLE,
    flag_values,
    score_values,
    tier_row,
)

Result = ResultModel.__table__


ResultScore = ResultScoreModel.__table__


Flags = FlagModel.__table__


Tiers = StudentTier.__table__


# The batch's (district, student, standard) triples, numbered (p.i, from 1, in the order sent: rows name their
# pair by it, not by three strings to decode again). Each is looked up through its index in a LATERAL subquery
# (OFFSET 0 and FOR UPDATE keep the planner from turning it into a join): the cost follows the batch, never the
# table (a plain join was planned as a scan and sort of the whole table once it held some 50,000 rows). The
# ids travel as one string per column (TextColumns), not as text[] parameters.
PAIRS = "unnest({}, {}, {}) WITH ORDINALITY AS p(district_id, student_id, standard_id, i)".format(
    *(TextColumns.sql(i) for i in range(3))
)


# The batch's (district, student)s, the same way.
STUDENTS = "unnest({}, {}) AS s(district_id, student_id)".format(*(TextColumns.sql(i) for i in range(2)))


_PAIR_MATCH = (
    "{0}.district_id = p.district_id AND {0}.student_id = p.student_id AND {0}.standard_id = p.standard_id"
)


class FlagStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.existing: set[tuple[str, uuid.UUID]] = set()  # (district, result) held before this batch
        self._driver: asyncpg.Connection | None = None

    async def rules_for(
        self, schools: set[tuple[str, str]], assessments: set[tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, str], SchoolRules], dict[tuple[str, str, str], AssessmentRules]]:
        """Rules by (district, school) and cut overrides by (district, school, assessment)."""
        school_key = tuple_(SchoolRules.district_id, SchoolRules.school_id)
        school_rows = (
            await self.session.scalars(select(SchoolRules).where(school_key.in_(list(schools))))
        ).all()
        assessment_rows = []
        if assessments:
            key = tuple_(
                AssessmentRules.district_id, AssessmentRules.school_id, AssessmentRules.assessment_id
            )
            assessment_rows = (
                await self.session.scalars(select(AssessmentRules).where(key.in_(list(assessments))))
            ).all()
        return (
            {(r.district_id, r.school_id): r for r in school_rows},
            {(r.district_id, r.school_id, r.assessment_id): r for r in assessment_rows},
        )

    async def _conn(self) -> asyncpg.Connection:
        """The snapshot's reads and the COPYs go straight to asyncpg (in the session's transaction): for
        thousands of rows SQLAlchemy's per-row result processing cost more than the queries themselves."""
        if self._driver is None:
            self._driver = await driver(self.session)
        return self._driver

    async def load_heads(self, snapshot: Snapshot, keys: Iterable[tuple[str, uuid.UUID]]) -> None:
        keys = list(keys)
        rows = await (await self._conn()).fetch(
            "SELECT r.district_id, r.result_id, r.revision, r.student_id, r.first_recorded_at, r.voided,"
            f" s.standards FROM unnest({TextColumns.sql(0)}, $3::uuid[]) AS k(district_id, result_id)"
            " JOIN results r ON r.district_id = k.district_id AND r.result_id = k.result_id"
            " CROSS JOIN LATERAL (SELECT coalesce(array_agg(standard_id), '{}') AS standards"
            " FROM result_scores s WHERE s.district_id = r.district_id AND s.result_id = r.result_id) s",
            *TextColumns([k[0] for k in keys]).params(),
            [k[1] for k in keys],
        )
        for district, rid, revision, student, first, voided, standards in rows:
            self.existing.add((district, rid))
            snapshot.heads[(district, rid)] = ResultHead(
                revision, student, frozenset(standards), first, voided
            )

    async def load_pairs(self, snapshot: Snapshot, pairs: set[tuple[str, str, str]]) -> None:
        conn = await self._conn()
        keys = list(pairs)  # p.i - 1 indexes it
        params = TextColumns(*([list(c) for c in zip(*keys, strict=True)] if keys else [[], [], []])).params()
        scores = await conn.fetch(
            f"SELECT p.i, s.* FROM {PAIRS} CROSS JOIN LATERAL (SELECT"
            " result_id, revision, percent, proficiency_cut, mastery_cut, assessed_on, first_recorded_at,"
            " recorded_at, assessment_id, attempt FROM result_scores s"
            f" WHERE {_PAIR_MATCH.format('s')} OFFSET 0) s",
            *params,
        )
        by_pair, score = snapshot.scores, rules.Score
        for i, *fields in scores:
            by_pair[keys[i - 1]][fields[0]] = score(*fields)
        # The open flags of each pair (locked) and when its last support flag was resolved, in one statement
        flags = await conn.fetch(
            f"SELECT p.i, r.at, f.* FROM {PAIRS}"
            " LEFT JOIN LATERAL (SELECT max(f.resolved_event_at) AS at FROM flags f"
            f" WHERE {_PAIR_MATCH.format('f')} AND f.kind = 'support' AND f.status = 'resolved') r ON true"
            f" LEFT JOIN LATERAL (SELECT {', '.join(FLAG_READ)} FROM flags f"
            f" WHERE {_PAIR_MATCH.format('f')} AND f.status = 'open' FOR UPDATE) f ON true"
            " WHERE r.at IS NOT NULL OR f.id IS NOT NULL",
            *params,
        )
        open_flags, resolved = snapshot.open_flags, snapshot.last_resolved_support
        for i, at, *row in flags:
            if at is not None:
                resolved[keys[i - 1]] = at
            if row[0] is not None:
                flag = Flag(*row[:4], tuple(row[4]), *row[5:])
                open_flags[(flag.district_id, flag.student_id, flag.standard_id, flag.kind)] = flag

    async def load_students(self, snapshot: Snapshot, students: set[tuple[str, str]]) -> None:
        conn = await self._conn()
        params = TextColumns([s[0] for s in students], [s[1] for s in students]).params()
        counts = await conn.fetch(  # through each student's index entries, as for the pairs
            f"SELECT s.district_id, s.student_id, c.n FROM {STUDENTS} CROSS JOIN LATERAL (SELECT count(*) AS n"
            " FROM flags f WHERE f.district_id = s.district_id AND f.student_id = s.student_id"
            " AND f.status = 'open' AND f.kind = 'support') c WHERE c.n > 0",
            *params,
        )
        for district, student, count in counts:
            snapshot.open_support[(district, student)] = count
        tiers = await conn.fetch(
            "SELECT t.student_id, t.district_id, t.school_id, t.tier, t.reason, t.rule, t.since"
            f" FROM {STUDENTS} JOIN student_tiers t"
            " ON t.district_id = s.district_id AND t.student_id = s.student_id"
            " FOR UPDATE OF t",  # ordered with tier decisions over HTTP
            *params,
        )
        for row in tiers:
            snapshot.tiers[(row[1], row[0])] = Tier(*row)

    def save(
        self, snapshot: Snapshot, changes: Changes, extra: dict[uuid.UUID, dict], serial: Serial
    ) -> None:
        """Queue the writes on `serial`: each statement's rows are built while the previous one runs."""
        self._save_heads(snapshot, changes, serial)
        self._save_scores(snapshot, changes, extra, serial)
        self._save_flags(changes, serial)
        self._save_tiers(snapshot, changes, serial)

    def _save_heads(self, snapshot: Snapshot, changes: Changes, serial: Serial) -> None:
        new, held = [], []
        for key in changes.heads:
            head = snapshot.heads[key]
            row = {
                "district_id": key[0],
                "result_id": key[1],
                "revision": head.revision,
                "student_id": head.student_id,
                "first_recorded_at": head.first_recorded_at,
                "voided": head.voided,
            }
            (held if key in self.existing else new).append(row)
        serial.submit(self._copy(Result, [tuple(row.values()) for row in new], tuple(new[0]) if new else ()))
        serial.submit(
            self._insert(
                Result,
                held,
                "ON CONFLICT (district_id, result_id) DO UPDATE SET revision = excluded.revision, voided = excluded.voided",
            )
        )

    def _save_scores(
        self, snapshot: Snapshot, changes: Changes, extra: dict[uuid.UUID, dict], serial: Serial
    ) -> None:
        stale = [(d, rid, std) for d, rid, std in changes.scores if (d, rid) in self.existing]
        if stale:  # rows of results we held before this batch: replaced by their new revision (or voided)
            delete = self.session.execute(
                text(
                    "DELETE FROM result_scores s USING unnest(CAST(:ds AS text[]), CAST(:rids AS uuid[]),"
                    " CAST(:stds AS text[])) AS d(district_id, result_id, standard_id)"
                    " WHERE s.district_id = d.district_id AND s.result_id = d.result_id"
                    " AND s.standard_id = d.standard_id"
                ),
                {
                    "ds": [d for d, _, _ in stale],
                    "rids": [r for _, r, _ in stale],
                    "stds": [s for *_, s in stale],
                },
            )
            serial.submit(delete)
        rows = []
        for district, rid, standard in changes.scores:
            head = snapshot.heads[(district, rid)]
            score = snapshot.scores[(district, head.student_id, standard)].get(rid)
            if score is not None:
                context = extra[(district, rid)]
                rows.append(
                    (*score_values(score), context["student_id"], district, context["school_id"], standard)
                )
        columns = (*SCORE_COLUMNS, "student_id", "district_id", "school_id", "standard_id")
        serial.submit(self._copy(ResultScore, rows, columns))

    def _save_flags(self, changes: Changes, serial: Serial) -> None:
        if changes.updated_flags:  # one UPDATE ... FROM unnest for every flag the batch changed
            values = list(zip(*(flag_values(f) for f in changes.updated_flags.values()), strict=True))
            by_name = dict(zip(FLAG_COLUMNS, values, strict=True))
            columns = ("id", *UPDATABLE)
            arrays = ", ".join(
                f"CAST(:c{i} AS {PG_TYPES[type(Flags.c[name].type)]}[])" for i, name in enumerate(columns)
            )
            sets = ", ".join(f"{name} = u.{name}" for name in UPDATABLE)
            update = self.session.execute(
                text(
                    f"UPDATE flags f SET {sets} FROM unnest({arrays}) AS u({', '.join(columns)})"
                    " WHERE f.id = u.id"
                ),
                {f"c{i}": list(by_name[name]) for i, name in enumerate(columns)},
            )
            serial.submit(update)
        # after the updates: a flag resolved in this batch may make room for a new open one on its pair
        new = [flag_values(f) for f in changes.new_flags.values()]
        serial.submit(self._copy(Flags, new, FLAG_COLUMNS))

    async def _copy(self, table: Table, rows: list[tuple], columns: Sequence[str]) -> None:
        """New rows by COPY: several times cheaper than INSERT for thousands of rows (no SQL to plan, no
        array parameters to encode element by element)."""
        if rows:
            await (await self._conn()).copy_records_to_table(table.name, records=rows, columns=columns)

    async def _insert(self, table: Table, rows: list[dict], suffix: str = "") -> None:
        """One INSERT ... SELECT FROM unnest(arrays) for any number of rows (no per-row SQL)."""
        if not rows:
            return
        columns = list(rows[0])
        selects, params = [], {}
        for i, name in enumerate(columns):
            column = table.c[name]
            values = [row[name] for row in rows]
            if isinstance(column.type, ARRAY):  # ragged text arrays travel as one separated string each
                params[f"c{i}"] = [SEP.join(v) for v in values]
                selects.append((f"CAST(:c{i} AS text[])", f"string_to_array(u{i}, E'\\x1f')"))
            else:
                params[f"c{i}"] = values
                selects.append((f"CAST(:c{i} AS {PG_TYPES[type(column.type)]}[])", f"u{i}"))
        arrays = ", ".join(a for a, _ in selects)
        aliases = ", ".join(f"u{i}" for i in range(len(columns)))
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(e for _, e in selects)}"
            f" FROM unnest({arrays}) AS u({aliases}) {suffix}"
        )
        await self.session.execute(text(sql), params)

    def _save_tiers(self, snapshot: Snapshot, changes: Changes, serial: Serial) -> None:
        columns = ("district_id", "school_id", "tier", "reason", "rule", "since")
        upsert = self._insert(
            Tiers,
            [tier_row(snapshot.tiers[s]) for s in changes.tiers],
            "ON CONFLICT (district_id, student_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in columns),
        )
        serial.submit(upsert)
