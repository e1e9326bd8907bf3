"""The results handler on a real (migrated) PostgreSQL: set-based batches give the same flags as one by one."""

import random
import uuid
from collections import defaultdict

import pytest
from interventions.consumers import KnownRoster, after_results_commit, handle_results
from interventions.flags.rules import Escalation
from interventions.models import AssessmentRules, Flag, SchoolRules, Student, StudentTier, outbox
from interventions.roster.repository import RosterRepository
from interventions.testing import later, recorded, standard, voided
from plc_shared.components import by_name
from plc_shared.db import create_engine, make_sessionmaker
from plc_shared.events import CloudEvent
from plc_shared.testing import migrated_database
from sqlalchemy import select, update


@pytest.fixture(scope="module")
async def engine(create_database):
    url = await migrated_database(create_database, by_name("interventions"))
    engine = create_engine(url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def student() -> str:
    return f"student-{uuid.uuid4().hex[:8]}"


async def apply(engine, *events, batch: int = 1000) -> None:
    envelopes = [CloudEvent.wrap(e) for e in events]
    sessionmaker = make_sessionmaker(engine)
    for start in range(0, len(envelopes), batch):
        async with sessionmaker() as session, session.begin():
            await handle_results(session, envelopes[start : start + batch])


async def flags(
    engine, student: str, status: str | None = "open", district: str = "district-1"
) -> list[tuple]:
    stmt = select(Flag.standard_id, Flag.kind, Flag.status, Flag.score, Flag.result_id).where(
        Flag.district_id == district, Flag.student_id == student
    )
    if status:
        stmt = stmt.where(Flag.status == status)
    async with engine.connect() as conn:
        return sorted(tuple(r) for r in (await conn.execute(stmt.order_by(Flag.opened_at))).all())


async def outbox_types(engine, student: str) -> list[str]:
    t = outbox.table
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(t.c.event_type).where(t.c.key == f"district-1/{student}").order_by(t.c.id)
        )
        return [r[0].split(".")[3] + "." + r[0].split(".")[4] for r in rows]


async def test_a_low_result_flags_and_a_later_good_one_resolves_in_the_same_transaction(engine, student):
    low = recorded(student, {"A": 40, "B": 95}, recorded_at=later(1))
    await apply(engine, low)
    assert await flags(engine, student) == [
        ("A", "support", "open", 40, low.result_id),
        ("B", "enrichment", "open", 95, low.result_id),
    ]
    good = recorded(student, {"A": 80}, recorded_at=later(2))
    await apply(engine, good)
    assert await flags(engine, student) == [("B", "enrichment", "open", 95, low.result_id)]
    async with engine.connect() as conn:
        resolved = (
            await conn.execute(
                select(Flag.resolution, Flag.resolved_by_result_id).where(
                    Flag.student_id == student, Flag.status == "resolved"
                )
            )
        ).one()
    assert tuple(resolved) == ("result", good.result_id)
    assert await outbox_types(engine, student) == ["student.flagged", "student.flagged", "flag.resolved"]


async def test_the_same_events_again_change_nothing(engine, student):
    events = [
        recorded(student, {"A": 40}, recorded_at=later(1)),
        recorded(student, {"C": 20}, recorded_at=later(2)),
    ]
    await apply(engine, *events)
    before = (await flags(engine, student, None), await outbox_types(engine, student))
    await apply(engine, *events)  # new CloudEvent ids, same results and revisions
    assert (await flags(engine, student, None), await outbox_types(engine, student)) == before


async def test_school_rules_override_the_cuts_and_the_escalation(engine, student):
    school = f"school-{uuid.uuid4().hex[:6]}"
    async with make_sessionmaker(engine)() as session, session.begin():
        session.add(
            SchoolRules(
                school_id=school,
                district_id="district-1",
                proficiency_cut=50,
                mastery_cut=99,
                escalation_open_flags=1,
                reflag_weeks=6,
                overdue_school_days=5,
            )
        )
    await apply(engine, recorded(student, {"A": 60, "B": 45}, school=school))
    assert [(s, k) for s, k, *_ in await flags(engine, student)] == [("B", "support")]
    async with engine.connect() as conn:
        tier = (
            await conn.execute(select(StudentTier.tier).where(StudentTier.student_id == student))
        ).scalar_one()
    assert tier == 2


def history(rng: random.Random, student: str) -> list:
    """Random results of one student: recorded, corrected and voided, in the order assessments sends them."""
    events, live = [], []
    for step in range(60):
        roll = rng.random()
        if live and roll < 0.2:
            prev = live.pop(rng.randrange(len(live)))
            events.append(voided(prev, prev.revision + 1, at=later(step)))
        elif live and roll < 0.4:
            i = rng.randrange(len(live))
            prev = live[i]
            live[i] = recorded(
                student,
                {prev.standards[0].standard_id: rng.randint(0, 100)},
                result_id=prev.result_id,
                revision=prev.revision + 1,
                corrected=True,
                assessed_on=prev.assessed_on,
                recorded_at=later(step),
            )
            events.append(live[i])
        else:
            live.append(recorded(student, {rng.choice("ABC"): rng.randint(0, 100)}, recorded_at=later(step)))
            events.append(live[-1])
    return events


def in_district(events: list, district: str, invert: bool = False) -> list:
    """The same history in another district (new result ids), optionally with every score mirrored."""
    ids = defaultdict(uuid.uuid4)
    copies = []
    for e in events:
        update = {"district_id": district, "result_id": ids[e.result_id]}
        if invert and hasattr(e, "standards"):
            update["standards"] = [standard(s.standard_id, 100 - s.percent) for s in e.standards]
        copies.append(e.model_copy(update=update))
    return copies


async def test_random_histories_give_the_same_flags_in_one_batch_or_one_by_one(engine):
    student = f"student-{uuid.uuid4().hex[:8]}"
    events = history(random.Random(4), student)
    twin, twin_ids = f"{student}-twin", defaultdict(uuid.uuid4)  # the same history under other ids
    await apply(engine, *events, batch=1)
    await apply(
        engine,
        *[e.model_copy(update={"student_id": twin, "result_id": twin_ids[e.result_id]}) for e in events],
        batch=17,
    )
    one_by_one = await flags(engine, student, None)
    batched = await flags(engine, twin, None)
    assert [f[:4] for f in one_by_one] == [f[:4] for f in batched]
    assert len(one_by_one) > 3


async def test_two_districts_with_the_same_student_id_in_one_batch_never_meet(engine):
    """The same student id in two districts, histories interleaved in shared batches, gives each district
    exactly the flags and tier of its history applied alone, one event at a time."""
    student, tag = f"student-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:4]
    events = history(random.Random(9), student)
    mixed = [
        e
        for pair in zip(in_district(events, f"dA-{tag}"), in_district(events, f"dB-{tag}", True), strict=True)
        for e in pair
    ]
    await apply(engine, *mixed, batch=23)
    await apply(engine, *in_district(events, f"dC-{tag}"), batch=1)
    await apply(engine, *in_district(events, f"dD-{tag}", True), batch=1)
    got = {d: await flags(engine, student, None, district=f"{d}-{tag}") for d in ("dA", "dB", "dC", "dD")}
    tiers = {d: await tier_of(engine, f"{d}-{tag}", student) for d in ("dA", "dB", "dC", "dD")}
    assert [f[:4] for f in got["dA"]] == [f[:4] for f in got["dC"]]
    assert [f[:4] for f in got["dB"]] == [f[:4] for f in got["dD"]]
    assert (tiers["dA"], tiers["dB"]) == (tiers["dC"], tiers["dD"])
    assert [f[:4] for f in got["dA"]] != [f[:4] for f in got["dB"]]


async def tier_of(engine, district: str, student: str) -> int:
    stmt = select(StudentTier.tier).where(
        StudentTier.district_id == district, StudentTier.student_id == student
    )
    async with engine.connect() as conn:
        return (await conn.execute(stmt)).scalar_one_or_none() or 1


async def test_schools_without_rules_use_the_services_default_escalation(engine, student):
    async with make_sessionmaker(engine)() as session, session.begin():
        await handle_results(
            session, [CloudEvent.wrap(recorded(student, {"A": 10}))], defaults=Escalation(open_flags=1)
        )
    async with engine.connect() as conn:
        tier = (
            await conn.execute(select(StudentTier.tier).where(StudentTier.student_id == student))
        ).scalar_one()
    assert tier == 2


async def test_an_assessments_cuts_in_a_school_beat_the_schools_and_the_events(engine, student):
    school = f"school-{uuid.uuid4().hex[:6]}"
    async with make_sessionmaker(engine)() as session, session.begin():
        session.add(
            SchoolRules(
                school_id=school,
                district_id="district-1",
                proficiency_cut=50,
                mastery_cut=99,
                escalation_open_flags=3,
                reflag_weeks=6,
                overdue_school_days=5,
            )
        )
        session.add(
            AssessmentRules(
                district_id="district-1",
                school_id=school,
                assessment_id="hard-test",
                proficiency_cut=40,
                mastery_cut=60,
            )
        )
    await apply(
        engine,
        recorded(student, {"A": 45}, school=school, assessment="hard-test", recorded_at=later(1)),
        recorded(student, {"B": 45}, school=school, assessment="other", recorded_at=later(1)),
    )
    assert [(s, k, cut) for s, k, cut in await cuts(engine, student)] == [("B", "support", 50)]


async def cuts(engine, student: str) -> list[tuple]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Flag.standard_id, Flag.kind, Flag.cut).where(
                Flag.student_id == student, Flag.status == "open"
            )
        )
        return sorted(tuple(r) for r in rows)


async def roster_rows(engine, student: str) -> list[tuple]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Student.district_id, Student.student_id, Student.status).where(
                Student.student_id == student
            )
        )
        return [tuple(r) for r in rows]


async def test_a_process_skips_the_roster_rows_it_saw_committed_and_a_fresh_one_writes_them_again(
    engine, student
):
    known = KnownRoster()
    sessionmaker = make_sessionmaker(engine)
    envelopes = [CloudEvent.wrap(recorded(student, {"A": 40}))]
    with pytest.raises(RuntimeError):  # a failed batch rolls back, and the runner calls no after-commit hook
        async with sessionmaker() as session, session.begin():
            await handle_results(session, envelopes, known=known)
            raise RuntimeError("the batch failed")
    assert known.unknown(set(), {("district-1", student, "school-1")})[1]
    assert await roster_rows(engine, student) == []
    async with sessionmaker() as session:
        async with session.begin():
            await handle_results(session, envelopes, known=known)
        after_results_commit(session, envelopes, known=known)  # what the runner does after the commit
    assert known.unknown(set(), {("district-1", student, "school-1")}) == (set(), set())
    assert await roster_rows(engine, student) == [("district-1", student, "active")]
    # a restarted process (or another replica) knows nothing and inserts again; the roster still wins
    async with sessionmaker() as session, session.begin():
        await RosterRepository(session).rostered(
            [],
            [
                {
                    "district_id": "district-1",
                    "student_id": student,
                    "school_ids": ["school-1"],
                    "status": "tobedeleted",
                    "rostered_at": later(5),
                }
            ],
        )
    await apply(engine, recorded(student, {"A": 45}, recorded_at=later(6)))
    assert await roster_rows(engine, student) == [("district-1", student, "tobedeleted")]


def test_the_known_roster_forgets_its_oldest_keys_past_its_limit():
    known = KnownRoster(limit=2)
    known.remember({("d", "s1")}, {("d", "a", "s1")})
    known.remember(set(), {("d", "b", "s1"), ("d", "c", "s2")})
    assert known.unknown({("d", "s1")}, {("d", x, "s9") for x in "abc"}) == (set(), {("d", "a", "s9")})


async def test_every_update_of_a_flag_moves_it_in_the_changes_feed(engine, student):
    async def position() -> tuple:
        async with engine.connect() as conn:
            stmt = select(Flag.change_xid).where(Flag.student_id == student)
            return tuple((await conn.execute(stmt)).one())

    await apply(engine, recorded(student, {"A": 40}, recorded_at=later(1)))
    opened = await position()
    await apply(engine, recorded(student, {"A": 85}, recorded_at=later(2)))  # the consumer's UPDATE
    resolved = await position()
    async with engine.begin() as conn:  # any other UPDATE (the ORM's, by hand) is numbered too
        await conn.execute(update(Flag).where(Flag.student_id == student).values(resolution_note="checked"))
    noted = await position()
    assert opened[0] < resolved[0] < noted[0]
