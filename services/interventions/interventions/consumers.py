"""The consumers: result events in, flags (and escalations) out, a whole fetch at a time; and the roster
(`SchoolRostered`, `StudentRostered`) into `schools` / `students`, so a route naming a school or student of
another district (or of none) is a 404.

It is a `batch_handler` of the shared `ConsumerRunner`: the runner hands it every new result event of a fetch
(several partitions, in partition order) in one transaction with their inbox rows; it loads what they can
touch with a fixed number of queries, applies them one by one in memory (`results.rules.FlagEngine`) and
writes the changes back set-based (`results.repository`), flag events included (`Outbox.add_all`).
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from plc_shared import counting
from plc_shared.db import Serial
from plc_shared.events import CloudEvent
from plc_shared.events.assessments import (
    ResultCorrected,
    ResultRecorded,
    ResultVoided,
    SchoolRostered,
    StudentRostered,
)
from plc_shared.inbox import Consumer
from plc_shared.topics import RESULTS, ROSTER
from prometheus_client import Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import models
from interventions.flags import rules
from interventions.results.repository import FlagStateRepository
from interventions.results.rules import FlagEngine, ResultChange, Snapshot
from interventions.roster.repository import RosterRepository

NAME = "interventions-results"
ROSTER_NAME = "interventions-roster"
ROSTER_TYPES = frozenset({SchoolRostered.type, StudentRostered.type})
RESULT_TYPES = frozenset({ResultRecorded.type, ResultCorrected.type, ResultVoided.type})
KIND = {ResultRecorded.type: "recorded", ResultCorrected.type: "corrected", ResultVoided.type: "voided"}
FLAG_LATENCY = Histogram(
    "plc_interventions_flag_latency_seconds",
    "From a result's recorded_at (assessments) to the commit of the flag change it caused",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
LATENCIES = "flag_latencies_from"  # session.info: recorded_at of the results whose flags moved
SEEN = (
    "roster_seen"  # session.info: the (district, school)s and (district, student, school, classes) it wrote
)
KNOWN_LIMIT = 200_000  # schools and students remembered per process (about 30 MB at most)


class KnownRoster:
    """The schools and students this process saw committed in `schools` / `students`, so that a batch of
    results inserts only the ones it cannot know are there (measured: the two INSERT ... ON CONFLICT DO
    NOTHING of every batch cost a third of PostgreSQL's share of the regression of the district keys, for
    rows that were there since the first batches).

    Filled only after the commit (`remember`), so everything it holds is in the database: rows of these tables
    are never deleted (a roster `tobedeleted` is a status). Another replica, or this process after a restart,
    starts empty and inserts again (ON CONFLICT DO NOTHING), so the rows end up present whichever process
    wrote them, and a roster event still wins over what results showed (the inserts never overwrite).
    Bounded: past `limit` keys the oldest are forgotten, which only costs a redundant insert."""

    def __init__(self, limit: int = KNOWN_LIMIT) -> None:
        self.limit = limit
        self._schools: dict[tuple[str, str], None] = {}
        self._students: dict[tuple[str, str], None] = {}

    def unknown(
        self, schools: Collection[tuple[str, str]], students: Collection[tuple]
    ) -> tuple[set[tuple[str, str]], set[tuple]]:
        """The schools and (district, student, school, classes) of a batch that are not known to be stored."""
        return (
            {s for s in schools if s not in self._schools},
            {s for s in students if s[:2] not in self._students},
        )

    def remember(self, schools: Collection[tuple[str, str]], students: Collection[tuple]) -> None:
        for known, keys in ((self._schools, schools), (self._students, (s[:2] for s in students))):
            known.update(dict.fromkeys(keys))
            for key in list(itertools.islice(known, max(len(known) - self.limit, 0))):
                del known[key]


def results_consumer(defaults: rules.Escalation | None = None) -> Consumer:
    """`defaults` are the escalation rules of schools without their own (the service's settings)."""
    known = KnownRoster()
    return Consumer(
        name=NAME,
        topics=(RESULTS,),
        batch_handler=functools.partial(handle_results, defaults=defaults, known=known),
        event_types=RESULT_TYPES,
        after_commit=functools.partial(after_results_commit, known=known),
    )


def roster_consumer() -> Consumer:
    """The districts' schools and students (ids only), on the same runner and inbox as the results."""
    return Consumer(name=ROSTER_NAME, topics=(ROSTER,), batch_handler=handle_roster, event_types=ROSTER_TYPES)


async def handle_roster(session: AsyncSession, envelopes: Sequence[CloudEvent]) -> None:
    """The latest state of each school and student of the batch (events of one key arrive in order)."""
    schools, students = {}, {}
    for event in (e.payload() for e in envelopes if e.type in ROSTER_TYPES):
        row = {"district_id": event.district_id, "status": event.status, "rostered_at": event.occurred_at}
        if isinstance(event, SchoolRostered):
            schools[(event.district_id, event.school_id)] = row | {"school_id": event.school_id}
        else:
            key = (event.district_id, event.student_id)
            row |= {"student_id": event.student_id, "school_ids": sorted(event.school_ids)}
            if event.class_ids is not None:  # None: an event from before classes were published
                row["class_ids"] = sorted(event.class_ids)
            students[key] = row
    await RosterRepository(session).rostered(list(schools.values()), list(students.values()))


def after_results_commit(session: AsyncSession, events: Sequence[CloudEvent], *, known: KnownRoster) -> None:
    """After a batch of results committed: its flag latencies, and the roster rows it wrote are known."""
    observe_flag_latency(session, events)
    known.remember(*session.info.get(SEEN, ((), ())))


def observe_flag_latency(session: AsyncSession, events: Sequence[CloudEvent]) -> list[float]:
    """After the commit: result recorded → flag committed, for every flag the batch opened or resolved."""
    now = datetime.now(UTC)
    latencies = [max((now - at).total_seconds(), 0.0) for at in session.info.get(LATENCIES, ())]
    for seconds in latencies:
        FLAG_LATENCY.observe(seconds)
    return latencies


async def handle_results(
    session: AsyncSession,
    envelopes: Sequence[CloudEvent],
    *,
    defaults: rules.Escalation | None = None,
    known: KnownRoster | None = None,
) -> None:
    """Apply a batch of result events in partition order; flag events go to the outbox in this transaction.
    `defaults` are the escalation rules of schools without their own (the service's settings); `known` the
    schools and students this process need not insert again (None: insert them all)."""
    events = [(KIND[e.type], e.payload()) for e in envelopes if e.type in RESULT_TYPES]
    if not events:
        return
    repo = FlagStateRepository(session)
    schools = {(p.district_id, p.school_id) for _, p in events}
    school_rules, assessment_rules = await repo.rules_for(
        schools, {(p.district_id, p.school_id, p.assessment_id) for _, p in events}
    )
    changes = [normalise(kind, p, school_rules, assessment_rules) for kind, p in events]
    snapshot = Snapshot(
        escalation={s: _escalation(r) for s, r in school_rules.items()},
        default_escalation=defaults or rules.Escalation(),
    )
    await repo.load_heads(snapshot, {c.head_key for c in changes})
    pairs = {(*c.who, s) for c in changes for s in (*c.scores, *c.voided_standards)}
    pairs |= {(d, h.student_id, s) for (d, _), h in snapshot.heads.items() for s in h.standard_ids}
    await repo.load_pairs(snapshot, pairs)
    await repo.load_students(snapshot, {c.who for c in changes})
    engine = FlagEngine(snapshot, now=datetime.now(UTC))
    for change in changes:
        engine.apply(change)
    extra = {c.head_key: _context(c) for c in changes}
    # the schools and students the results name, known from now on even before their roster event
    seen = schools, {(*c.who, c.school_id, tuple(sorted(c.class_ids))) for c in changes}
    if known is not None:
        seen = known.unknown(*seen)
    for written, keys in zip(session.info.setdefault(SEEN, (set(), set())), seen, strict=True):
        written |= keys
    serial = Serial()  # PostgreSQL stores each part while the next one is prepared
    try:
        serial.submit(RosterRepository(session).seen(*seen))
        repo.save(snapshot, engine.changes, extra, serial)
        events = engine.changes.events
        for start in range(0, len(events), 2_000):
            await asyncio.sleep(0)  # let the connection send and receive between parts
            serial.submit(models.outbox.write(session, models.outbox.rows(events[start : start + 2_000])))
    finally:
        await serial.drain()
    session.info.setdefault(LATENCIES, []).extend(engine.changes.latencies_from)


def normalise(kind: str, p, school_rules: dict, assessment_rules: dict) -> ResultChange:
    scores = {}
    if kind != "voided" and p.score_status not in counting.NOT_COUNTED_STATUSES:
        # rules.effective_cuts: the assessment's override, else the school's, else the event's (usually)
        cuts = _cuts(assessment_rules.get((p.district_id, p.school_id, p.assessment_id))) or _cuts(
            school_rules.get((p.district_id, p.school_id))
        )
        for s in p.standards:
            proficiency, mastery = (
                (s.proficiency_cut, s.mastery_cut) if cuts is None else (cuts.proficiency, cuts.mastery)
            )
            scores[s.standard_id] = rules.Score(  # positional: this runs for every standard of every result
                p.result_id,
                p.revision,
                s.percent,
                proficiency,
                mastery,
                p.assessed_on,
                p.recorded_at,  # first_recorded_at (FlagEngine keeps the first one of a result it holds)
                p.recorded_at,
                p.assessment_id,
                p.attempt,
            )
    return ResultChange(
        kind=kind,
        result_id=p.result_id,
        revision=p.revision,
        student_id=p.student_id,
        district_id=p.district_id,
        school_id=p.school_id,
        class_ids=tuple(p.class_ids),
        assessment_id=p.assessment_id,
        scores=scores,
        recorded_at=p.voided_at if kind == "voided" else p.recorded_at,
        voided_standards=tuple(p.standard_ids) if kind == "voided" else (),
    )


def _cuts(row) -> rules.Cuts | None:
    if row is None or row.proficiency_cut is None or row.mastery_cut is None:
        return None
    return rules.Cuts(row.proficiency_cut, row.mastery_cut)


def _escalation(row) -> rules.Escalation:
    return rules.Escalation(row.escalation_open_flags, row.reflag_weeks, row.overdue_school_days)


def _context(c: ResultChange) -> dict:
    return {"student_id": c.student_id, "district_id": c.district_id, "school_id": c.school_id}
