"""plc_shared.db: Serial (operations of one transaction in order, in the background, failing as a chain) and
driver (the asyncpg connection inside the session's transaction)."""

import asyncio
import uuid

import pytest
from plc_shared.db import Serial, TextColumns, create_engine, driver, make_sessionmaker
from sqlalchemy import text


async def test_operations_run_in_submission_order_while_the_caller_goes_on():
    log: list[str] = []

    async def op(name: str, delay: float) -> str:
        log.append(f"start {name}")
        await asyncio.sleep(delay)
        log.append(f"end {name}")
        return name

    serial = Serial()
    first = serial.submit(op("a", 0.05))
    second = serial.submit(op("b", 0))
    log.append("caller")  # nothing has run yet: submit only queues
    await serial.drain()
    assert log == ["caller", "start a", "end a", "start b", "end b"]
    assert (first.result(), second.result()) == ("a", "b")


async def test_a_failed_operation_fails_the_ones_after_it_and_drain_raises_it():
    ran: list[str] = []

    async def fail() -> None:
        raise ValueError("the COPY failed")

    async def later() -> None:
        ran.append("later")

    serial = Serial()
    serial.submit(fail())
    serial.submit(later())
    with pytest.raises(ValueError, match="the COPY failed"):
        await serial.drain()
    assert ran == []  # never started (and closed, so no "never awaited" warning)


@pytest.mark.parametrize("began", [False, True], ids=["first-statement", "after-a-query"])
async def test_driver_writes_inside_the_sessions_transaction(create_database, began):
    """COPY through driver() belongs to the session's transaction whether or not a statement ran before it
    (a rollback takes the rows with it)."""
    engine = create_engine(await create_database(f"driver_{uuid.uuid4().hex[:6]}"))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE copied (x int)"))
        sessionmaker = make_sessionmaker(engine)
        with pytest.raises(RuntimeError, match="roll back"):
            async with sessionmaker() as session, session.begin():
                if began:
                    await session.execute(text("SELECT count(*) FROM copied"))
                raw = await driver(session)
                assert raw.is_in_transaction()
                await raw.copy_records_to_table("copied", records=[(1,), (2,)])
                raise RuntimeError("roll back")
        async with sessionmaker() as session, session.begin():
            await (await driver(session)).copy_records_to_table("copied", records=[(3,)])
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT array_agg(x) FROM copied"))).scalar_one() == [3]
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "columns",
    [
        ([], []),
        ([""], ["x"]),
        (["d1", "d1", ""], ["a", "", "c"]),
        (["has\x1fseparator", "\x01\x02"], ["é\x1f", "\x1e"]),  # a separator that occurs in no value
    ],
    ids=["empty", "one-empty-string", "empty-strings", "separator-in-values"],
)
async def test_text_columns_arrive_as_the_same_text_arrays(create_database, columns):
    """TextColumns (text columns sent as one string each) unpacks in PostgreSQL to exactly the values sent,
    through asyncpg's numbered parameters and SQLAlchemy's named ones alike."""
    engine = create_engine(await create_database(f"textcols_{uuid.uuid4().hex[:6]}"))
    try:
        packed = TextColumns(*columns)
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session, session.begin():
            raw = await driver(session)
            rows = await raw.fetch(
                f"SELECT * FROM unnest({TextColumns.sql(0)}, {TextColumns.sql(1)}) WITH ORDINALITY",
                *packed.params(),
            )
            assert [tuple(r[:2]) for r in rows] == list(zip(*columns, strict=True))
            named = await session.execute(
                text(f"SELECT {TextColumns.named_sql('t', 0)}, {TextColumns.named_sql('t', 1)}"),
                packed.named("t"),
            )
            assert [list(c or []) for c in named.one()] == [list(c) for c in columns]
    finally:
        await engine.dispose()
