"""Test helpers of the interventions service, importable by its tests and benchmarks: result and roster
events as the assessments service publishes them (its real event models), and a raw publisher."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from aiokafka import AIOKafkaProducer
from plc_shared.auth import mint_dev_token
from plc_shared.events import CloudEvent
from plc_shared.events.assessments import (
    ResultCorrected,
    ResultRecorded,
    ResultVoided,
    SchoolRostered,
    StandardScore,
    StudentRostered,
)
from plc_shared.ids import new_id

from interventions.consumers import handle_results, handle_roster

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def standard(
    standard_id: str, percent: float, proficiency: float = 70.0, mastery: float = 90.0
) -> StandardScore:
    return StandardScore(
        standard_id=standard_id,
        points=percent,
        max_points=100,
        percent=percent,
        proficiency_cut=proficiency,
        mastery_cut=mastery,
        proficient=percent >= proficiency,
        mastered=percent >= mastery,
    )


def recorded(
    student: str,
    scores: dict[str, float],
    *,
    result_id: uuid.UUID | None = None,
    revision: int = 1,
    school: str = "school-1",
    assessed_on: date | None = None,
    recorded_at: datetime | None = None,
    assessment: str = "assessment-1",
    corrected: bool = False,
    classes: tuple[str, ...] = ("class-1",),
    district: str = "district-1",
    attempt: int = 1,
) -> ResultRecorded | ResultCorrected:
    """A result event; its id is time-ordered like the assessments service's (a later one sorts after)."""
    model = ResultCorrected if corrected else ResultRecorded
    at = recorded_at or datetime.now(UTC)
    return model(
        result_id=result_id or new_id(),
        revision=revision,
        student_id=student,
        district_id=district,
        school_id=school,
        class_ids=list(classes),
        assessment_id=assessment,
        attempt=attempt,
        score_status="fully graded",
        total_score=None,
        max_score=100,
        percent=None,
        proficiency_cut=70,
        mastery_cut=90,
        standards=[standard(s, p) for s, p in scores.items()],
        assessed_on=assessed_on or (at.date()),
        recorded_at=at,
    )


def voided(
    event: ResultRecorded | ResultCorrected, revision: int, at: datetime | None = None
) -> ResultVoided:
    return ResultVoided(
        result_id=event.result_id,
        revision=revision,
        student_id=event.student_id,
        district_id=event.district_id,
        school_id=event.school_id,
        class_ids=event.class_ids,
        assessment_id=event.assessment_id,
        attempt=event.attempt,
        standard_ids=[s.standard_id for s in event.standards],
        voided_at=at or datetime.now(UTC),
    )


def rostered(
    district: str,
    schools: tuple[str, ...] = (),
    students: dict[str, tuple[str, ...]] | None = None,
    classes: dict[str, tuple[str, ...]] | None = None,
    **extra,
) -> list[SchoolRostered | StudentRostered]:
    """Roster events: `schools`, and `students` as {student id: their school ids}, with `classes` as {student id:
    their class ids} (a student not in it: an event without classes, as published before they were added)."""
    at = extra.pop("occurred_at", None) or datetime.now(UTC)
    events: list = [
        SchoolRostered(district_id=district, school_id=s, status="active", occurred_at=at, **extra)
        for s in schools
    ]
    for student, school_ids in (students or {}).items():
        events.append(
            StudentRostered(
                district_id=district,
                student_id=student,
                school_ids=list(school_ids),
                class_ids=list(classes[student]) if classes and student in classes else None,
                status="active",
                occurred_at=at,
            )
        )
    return events


def later(days: int) -> datetime:
    return T0 + timedelta(days=days)


def stream(students: int, results_per_student: int, seed: int = 7, standards: str = "ABC") -> list:
    """A deterministic stream of results: every student gets `results_per_student` results, in order."""
    rng = random.Random(seed)
    events = []
    for n in range(results_per_student):
        for s in range(students):
            scores = {std: float(rng.randint(20, 100)) for std in rng.sample(standards, 2)}
            events.append(recorded(f"st-{seed}-{s:05d}", scores, recorded_at=later(n)))
    return events


def expected_open(events) -> set[tuple[str, str, str]]:
    """The open flags a stream of recorded results calls for: by the last result on each standard."""
    last: dict[tuple[str, str], float] = {}
    for event in events:
        for s in event.standards:
            last[(event.student_id, s.standard_id)] = s.percent
    wanted = set()
    for (student, standard), percent in last.items():
        if percent < 70:
            wanted.add((student, standard, "support"))
        if percent >= 90:
            wanted.add((student, standard, "enrichment"))
    return wanted


async def publish(bootstrap_servers: str, topic: str, envelopes, **producer_options) -> None:
    """A raw aiokafka producer, keyed by the events' keys (district id/id), as the assessments relay publishes."""
    from plc_shared.testing import ensure_topic_named

    await ensure_topic_named(bootstrap_servers, topic, producer_options.get("request_timeout_ms", 15_000))
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, acks="all", linger_ms=5, **producer_options
    )
    await producer.start()
    try:
        futures = [await producer.send(topic, value=e.to_bytes(), key=_key(e).encode()) for e in envelopes]
        for future in futures:
            await future
    finally:
        await producer.stop()


def _key(envelope: CloudEvent) -> str:
    """The event's key (district id/id); an event that does not parse keeps the key of the student it names."""
    try:
        return envelope.payload().key()
    except (KeyError, ValueError):
        data = envelope.data
        return f"{data.get('district_id', 'district-1')}/{data.get('student_id')}"


def api(app, role: str, district: str, schools=(), classes=()) -> httpx.AsyncClient:
    """An HTTP client of the app (in process) with a dev token of `role` in `district`."""
    token = mint_dev_token(
        app.state.settings.auth, role=role, district_id=district, school_ids=schools, class_ids=classes
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://svc",
        headers={"Authorization": f"Bearer {token}"},
    )


async def apply(sessionmaker, *events) -> None:
    """Result and roster events through the consumers' handlers, in one transaction (no broker)."""
    envelopes = [CloudEvent.wrap(e) for e in events]
    async with sessionmaker() as session, session.begin():
        await handle_roster(session, envelopes)
        await handle_results(session, envelopes)
