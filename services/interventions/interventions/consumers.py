"""The results consumer: result events in, flags (and escalations) out, a whole fetch at a time.

`plc_shared.inbox.ConsumerRunner` calls its handler once per event and commits once per partition. For
throughput and for low latency at a steady trickle, `BatchConsumerRunner` (a subclass) applies everything one
fetch returned, across partitions, in ONE transaction through one batch handler, with a fixed number of SQL
statements (inbox claim and outbox rows included, as INSERT ... unnest). Unchanged from the base class: the
inbox, the replay of a failed batch partition by partition and message by message, dead letters, offset
commits after the database commit, the lag gauge. These would belong in plc_shared (a batch handler option
of ConsumerRunner, an unnest insert in Outbox); they live here so as not to touch shared code.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import CommitFailedError, IllegalStateError
from plc_shared.events import CloudEvent, Event
from plc_shared.events.assessments import ResultCorrected, ResultRecorded, ResultVoided
from plc_shared.inbox import LAG, Consumer, ConsumerRunner, _is_infrastructure, _Parsed, _Rebalance
from plc_shared.kafka import ensure_topics, make_producer
from plc_shared.observability import current_traceparent
from plc_shared.topics import RESULTS, dead_letter
from prometheus_client import Histogram
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from interventions import rules
from interventions.flag_repository import FlagStateRepository
from interventions.flagging import FlagEngine, ResultChange, Snapshot

logger = logging.getLogger(__name__)
NAME = "interventions-results"
RESULT_TYPES = frozenset({ResultRecorded.type, ResultCorrected.type, ResultVoided.type})
KIND = {ResultRecorded.type: "recorded", ResultCorrected.type: "corrected", ResultVoided.type: "voided"}
FLAG_LATENCY = Histogram(
    "plc_interventions_flag_latency_seconds",
    "From a result's recorded_at (assessments) to the commit of the flag change it caused",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
LATENCIES = "flag_latencies_from"

CLAIM = text(
    'INSERT INTO inbox (consumer, event_id, event_type, topic, partition, "offset")'
    " SELECT :consumer, * FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[]), CAST(:topics AS text[]),"
    " CAST(:partitions AS int[]), CAST(:offsets AS bigint[]))"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)

BatchHandler = Callable[[AsyncSession, Sequence[CloudEvent]], Awaitable[None]]


async def handle_results(
    session: AsyncSession, envelopes: Sequence[CloudEvent], *, defaults: rules.Escalation | None = None
) -> None:
    """Apply a batch of result events in partition order; flag events go to the outbox in this transaction.
    `defaults` are the escalation rules of schools without their own (the service's settings)."""
    events = [(KIND[e.type], e.payload()) for e in envelopes if e.type in RESULT_TYPES]
    if not events:
        return
    repo = FlagStateRepository(session)
    schools = {p.school_id for _, p in events}
    school_rules, assessment_rules = await repo.rules_for(
        schools, {(p.school_id, p.assessment_id) for _, p in events}
    )
    changes = [normalise(kind, p, school_rules, assessment_rules) for kind, p in events]
    snapshot = Snapshot(
        escalation={s: _escalation(r) for s, r in school_rules.items()},
        default_escalation=defaults or rules.Escalation(),
    )
    await repo.load_heads(snapshot, {c.result_id for c in changes})
    pairs = {(c.student_id, s) for c in changes for s in (*c.scores, *c.voided_standards)}
    pairs |= {(h.student_id, s) for h in snapshot.heads.values() for s in h.standard_ids}
    await repo.load_pairs(snapshot, pairs)
    await repo.load_students(snapshot, {c.student_id for c in changes})
    engine = FlagEngine(snapshot, now=datetime.now(UTC))
    for change in changes:
        engine.apply(change)
    extra = {c.result_id: _context(c) for c in changes}
    await repo.save(snapshot, engine.changes, extra)
    await add_to_outbox(session, engine.changes.events)
    session.info.setdefault(LATENCIES, []).extend(engine.changes.latencies_from)


OUTBOX_INSERT = text(
    "INSERT INTO outbox (event_id, topic, key, event_type, payload, traceparent)"
    " SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:topics AS text[]), CAST(:keys AS text[]),"
    " CAST(:types AS text[]), CAST(:payloads AS bytea[]), CAST(:traceparents AS text[]))"
)


async def add_to_outbox(session: AsyncSession, events: Sequence[Event]) -> None:
    """The rows `models.outbox.add_all` writes (same envelope, same columns), in one INSERT ... unnest: a
    batch can raise thousands of flag events. (A candidate for plc_shared.outbox.Outbox.)"""
    if not events:
        return
    envelopes = [CloudEvent.wrap(e) for e in events]
    traceparent = current_traceparent.get()
    await session.execute(
        OUTBOX_INSERT,
        {
            "ids": [env.id for env in envelopes],
            "topics": [e.topic for e in events],
            "keys": [e.key() for e in events],
            "types": [e.type for e in events],
            "payloads": [env.to_bytes() for env in envelopes],
            "traceparents": [traceparent] * len(events),
        },
    )


def normalise(kind: str, p, school_rules: dict, assessment_rules: dict) -> ResultChange:
    scores = {}
    if kind != "voided" and p.score_status != "exempt":
        override = _cuts(assessment_rules.get((p.school_id, p.assessment_id)))
        school = _cuts(school_rules.get(p.school_id))
        for s in p.standards:
            cuts = rules.effective_cuts(rules.Cuts(s.proficiency_cut, s.mastery_cut), school, override)
            scores[s.standard_id] = rules.Score(
                result_id=p.result_id,
                revision=p.revision,
                percent=s.percent,
                proficiency_cut=cuts.proficiency,
                mastery_cut=cuts.mastery,
                assessed_on=p.assessed_on,
                first_recorded_at=p.recorded_at,
                recorded_at=p.recorded_at,
                assessment_id=p.assessment_id,
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


class BatchConsumerRunner(ConsumerRunner):
    """A ConsumerRunner whose handler takes the batch's fresh events at once (see the module docstring)."""

    def __init__(self, consumer: Consumer, batch_handler: BatchHandler, **kwargs) -> None:
        super().__init__(consumer, **kwargs)
        self.batch_handler = batch_handler
        # Called after each batch commit with the commit time and the recorded_at of every flag change.
        self.on_committed: Callable[[datetime, list[datetime]], None] | None = None

    async def _consume(self) -> None:
        """As the base class, except that everything one fetch returned (several partitions) is applied in
        ONE transaction: per-batch costs (a dozen statements, a commit, an offset commit) are paid once per
        fetch instead of once per partition, which is what keeps latency low at a steady trickle."""
        await ensure_topics(self.kafka, (*self.spec.topics, dead_letter(self.spec.name)))
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.kafka.bootstrap_servers,
            group_id=self.group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_records,
        )
        consumer.subscribe(
            [self.kafka.topic(t.name) for t in self.spec.topics], listener=_Rebalance(self._lock)
        )
        producer = make_producer(self.kafka)
        try:
            await consumer.start()
            await producer.start()
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=200, max_records=self.max_records)
                async with self._lock:
                    owned = {tp: r for tp, r in batches.items() if r and tp in consumer.assignment()}
                    if owned:
                        await self._handle_fetch(consumer, producer, owned)
        finally:
            await producer.stop()
            await consumer.stop()

    async def _handle_fetch(self, consumer: AIOKafkaConsumer, producer, owned: dict) -> None:
        parsed = [self._parse(r) for records in owned.values() for r in records]
        if not await self._apply_batch(parsed):
            # some handler failed: the base class isolates it, partition by partition, message by message
            for tp, records in owned.items():
                await self._handle_partition(consumer, producer, tp, records)
            return
        for p in parsed:
            if p.error is not None:  # unreadable CloudEvents
                await self._dead_letter(producer, p)
        try:
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in owned.items()})
        except (CommitFailedError, IllegalStateError):
            logger.info("offset commit skipped after rebalance; the new owner redelivers (inbox no-ops)")
        for tp, records in owned.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                LAG.labels(self.spec.name, str(tp.partition)).set(max(highwater - records[-1].offset - 1, 0))

    async def _apply_batch(self, parsed: list[_Parsed]) -> bool:
        todo = [p for p in parsed if p.event is not None]
        if not todo:
            return True
        try:
            async with self.sessionmaker() as session:
                async with session.begin():
                    fresh = await self._claim(session, todo)
                    await self.batch_handler(session, [p.event for p in fresh if self._wanted(p)])
                self._committed(session)
            self._count(parsed, fresh)
            return True
        except Exception as exc:  # a handler failed: the base class replays the batch one by one
            if _is_infrastructure(exc):
                raise
            return False

    async def _claim(self, session: AsyncSession, items: list[_Parsed]) -> list[_Parsed]:
        """As the base class (record in the inbox, return the first sighting of each new id), with one
        INSERT ... SELECT FROM unnest instead of a multi-VALUES statement compiled per batch."""
        first: dict = {}
        for p in items:
            first.setdefault(p.event.id, p)
        rows = list(first.values())
        new_ids = set(
            (
                await session.execute(
                    CLAIM,
                    {
                        "consumer": self.spec.name,
                        "ids": [p.event.id for p in rows],
                        "types": [p.event.type for p in rows],
                        "topics": [p.record.topic for p in rows],
                        "partitions": [p.record.partition for p in rows],
                        "offsets": [p.record.offset for p in rows],
                    },
                )
            ).scalars()
        )
        return [p for p in rows if p.event.id in new_ids]

    async def _handle(self, session: AsyncSession, p: _Parsed) -> None:
        if self._wanted(p):
            await self.batch_handler(session, [p.event])

    def _wanted(self, p: _Parsed) -> bool:
        return self.spec.event_types is None or p.event.type in self.spec.event_types

    def _committed(self, session: AsyncSession) -> None:
        started = session.info.pop(LATENCIES, [])
        now = datetime.now(UTC)
        latencies = [max((now - at).total_seconds(), 0.0) for at in started]
        for seconds in latencies:
            FLAG_LATENCY.observe(seconds)
        if self.on_committed is not None:
            self.on_committed(now, started)


def tune_gc() -> None:
    """A results batch allocates hundreds of thousands of short-lived objects; with the default thresholds
    the collector keeps re-walking the process's long-lived heap (SQLAlchemy, pydantic, the app), which cost
    about a third of the consumer's time. Freeze what exists after start-up and collect less often."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 50)


def results_consumer() -> Consumer:
    return Consumer(name=NAME, topics=(RESULTS,), handler=_unused, event_types=RESULT_TYPES)


async def _unused(
    session: AsyncSession, event: CloudEvent
) -> None:  # pragma: no cover - see BatchConsumerRunner
    await handle_results(session, [event])
