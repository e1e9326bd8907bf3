"""plc_shared.db.Serial: operations of one transaction in order, in the background, failing as a chain."""

import asyncio

import pytest
from plc_shared.db import Serial


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
