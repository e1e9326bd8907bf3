"""Database plumbing: naming convention, engine, the request session that commits once, repository base."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Coroutine, Sequence
from typing import Annotated, Any, Generic, TypeVar

import asyncpg
from asyncpg.exceptions import (
    CharacterNotInRepertoireError,
    DatetimeFieldOverflowError,
    NumericValueOutOfRangeError,
    StringDataRightTruncationError,
    UntranslatableCharacterError,
)
from fastapi import Depends, Request
from sqlalchemy import MetaData, Select, Text, cast, func, literal, select, text
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """Each service owns a database, so each gets its own MetaData (with the shared naming convention)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


# The database (or the way to it) is away or restarting: retry later, never blame the data. asyncpg raises its
# own classes on the raw connections the hot paths use (COPY, the relay); SQLAlchemy wraps them otherwise.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,  # "connection is closed", "connection was closed in the middle of operation"
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.exceptions.OperatorInterventionError,  # 57P01 admin shutdown, 57P02 crash, 57P03 cannot connect now
    asyncpg.exceptions.TooManyConnectionsError,
    sqlalchemy_exc.InterfaceError,
    sqlalchemy_exc.OperationalError,
)
# asyncpg InterfaceErrors that are about the request, not the connection (a value out of a column's range is
# `asyncpg.exceptions._base.DataError`, an InterfaceError and a ValueError).
NOT_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    asyncpg.exceptions._base.ClientConfigurationError,
    asyncpg.exceptions._base.UnsupportedClientFeatureError,
    asyncpg.exceptions._base.UnsupportedServerFeatureError,
)


def finite(column: str) -> str:
    """A CHECK that a float column holds a number: PostgreSQL stores NaN and ±Infinity (which JSON cannot carry
    and the schemas refuse), and counts NaN = NaN as true, so `x = x` would not keep NaN out."""
    return f"{column} NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)"


def is_connection_error(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it) says the database could not be reached or the connection broke."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, NOT_CONNECTION_ERRORS):
            return False
        if isinstance(exc, CONNECTION_ERRORS):
            return True
        if isinstance(exc, sqlalchemy_exc.DBAPIError) and exc.connection_invalidated:
            return True
        exc = exc.__cause__
    return False


def unstorable_value(exc: BaseException | None) -> str | None:
    """What is wrong with a value PostgreSQL (or asyncpg, before sending it) refused to store, if that is the
    failure: a NUL character in text, a number or date outside the column's range, a text longer than its
    column. None for anything else (a failure of ours stays a 500)."""
    while exc is not None:
        if isinstance(exc, (CharacterNotInRepertoireError, UntranslatableCharacterError)):
            return "Text may not contain the NUL character (U+0000)."
        if isinstance(exc, (NumericValueOutOfRangeError, OverflowError, asyncpg.exceptions._base.DataError)):
            return "A number in the request is outside the range the field can hold."
        if isinstance(exc, DatetimeFieldOverflowError):
            return "A date or time in the request is outside the range the field can hold."
        if isinstance(exc, StringDataRightTruncationError):
            return "A text in the request is longer than the field can hold."
        exc = exc.__cause__
    return None


def create_engine(url: str, *, pool_size: int = 10, **kwargs: Any) -> AsyncEngine:
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, **kwargs)


async def without_jit(session: AsyncSession) -> None:
    """No JIT compilation for the rest of the session's transaction. PostgreSQL compiles a query whose
    estimated cost passes jit_above_cost (100,000); the estimate of every set-returning function over JSON
    (jsonb_array_elements: 100 rows a call) passes it on a few thousand rows, and the compilation then costs
    more than it saves: EXPLAIN ANALYZE of a district-wide analysis at 100,000 students, JIT 3,168 of 7,675 ms
    (issue 25). Only for such reads: with JIT off for every connection the goals consumer ran 10-23 % slower
    (bench/goals.py, two alternating pairs)."""
    await session.execute(text("SET LOCAL jit = off"))


async def json_list(
    session: AsyncSession, stmt: Select, *, keys: Sequence[str], order_by: Sequence[str], ids: str
) -> tuple[str, list[Any]]:
    """The rows of `stmt` as the JSON text of a list of objects (`keys`: its columns, by name, in that order),
    ordered by `order_by`, built by PostgreSQL; and the `ids` column's values (what an audit record names). For
    a long list read as stored: a district-wide meeting's 15,000 students went through SQLAlchemy's row
    processing and a model each (issue 25); the response model still documents it (the tests and the fuzzer
    check the answers against it)."""
    rows = stmt.subquery("listed")
    obj = func.json_build_object(*(part for key in keys for part in (literal(key), rows.c[key])))
    ordered = aggregate_order_by(obj, *(rows.c[name] for name in order_by))
    found = (
        await session.execute(
            select(
                func.coalesce(cast(func.json_agg(ordered), Text), literal("[]")),
                func.array_agg(rows.c[ids]),
            )
        )
    ).one()
    return found[0], list(found[1] or [])


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session, inside the session's transaction (begun if need be): for
    COPY, which moves many rows much faster than INSERT."""
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    if not raw.is_in_transaction():  # SQLAlchemy's asyncpg adapter begins on the first statement
        await conn.execute(text("SELECT 1"))
    return raw


class TextColumns:
    """Text columns of a set-based statement sent as one string each, cut up by `string_to_array` in
    PostgreSQL, instead of as text[] parameters: asyncpg encodes an array parameter element by element (two
    ABC isinstance checks each: 0.6 us an element, measured, for 5,000-element arrays 20x the cost of one
    joined string) and PostgreSQL decodes it element by element too.

    `TextColumns(districts, students)` chooses a separator that occurs in no value (\\x1f unless one holds
    it), so any text travels unchanged, the empty string included; `params()` are the separator and then one
    string per column; `sql(i, ...)` is the text[] expression of column i for numbered (asyncpg, `$n`)
    parameters, `named(...)` for SQLAlchemy's `:name` ones. None is not a value here (no NULL elements)."""

    def __init__(self, *columns: Sequence[str]) -> None:
        # a leading separator, dropped again by [2:]: '' then stands for no element, separator + '' for one
        separator = "\x1f"
        joined = [separator + separator.join(column) if column else "" for column in columns]
        if any(j.count(separator) != len(c) for j, c in zip(joined, columns, strict=True)):  # a value has it
            used = set("".join("".join(column) for column in columns))
            separator = next(chr(c) for c in itertools.count(1) if chr(c) not in used)
            joined = [separator + separator.join(column) if column else "" for column in columns]
        self.separator, self.columns = separator, joined

    def params(self) -> list[str]:
        return [self.separator, *self.columns]

    @staticmethod
    def sql(i: int, first: int = 1) -> str:
        """Column i (from 0) when params() start at parameter $first."""
        return f"(string_to_array(${first + 1 + i}::text, ${first}::text))[2:]"

    def named(self, prefix: str) -> dict[str, str]:
        """params() as SQLAlchemy named parameters: `<prefix>_sep`, `<prefix>0`, `<prefix>1`, ..."""
        return {f"{prefix}_sep": self.separator} | {f"{prefix}{i}": c for i, c in enumerate(self.columns)}

    @staticmethod
    def named_sql(prefix: str, i: int) -> str:
        return f"(string_to_array(CAST(:{prefix}{i} AS text), CAST(:{prefix}_sep AS text)))[2:]"


class Serial:
    """Database operations of one transaction, run one after the other (one connection) in the background,
    so that Python prepares the next operation's rows while PostgreSQL stores the previous ones.

    `submit(coroutine)` queues an operation (its arguments are evaluated now, its I/O runs in turn). A failed
    operation fails the ones after it (they are never started); `drain()` waits for the last one and raises
    the first error. Nothing is cancelled half-way: an interrupted COPY would leave the connection unusable
    for the rollback that follows. The session must not be used directly until `drain()` returned.
    """

    def __init__(self, first: Awaitable[Any] | None = None) -> None:
        self._last: asyncio.Future = asyncio.ensure_future(first if first is not None else _nothing())

    def submit(self, operation: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        self._last = asyncio.ensure_future(self._after(self._last, operation))
        return self._last

    @staticmethod
    async def _after(previous: asyncio.Future, operation: Coroutine[Any, Any, T]) -> T:
        try:
            await previous
        except BaseException:
            operation.close()
            raise
        return await operation

    async def drain(self) -> None:
        await self._last


async def _nothing() -> None:
    return None


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, committed once when the endpoint returned without error.

    The commit runs before the response is sent, so a failed commit becomes an error response,
    never a 2xx for data that was not stored (tests/test_session_commit.py holds us to it).
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": the commit happens when the endpoint returns, before the response is sent, so a commit
# that fails (a deferred constraint, a lost connection) is answered with an error, never with a 2xx.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]

ModelT = TypeVar("ModelT")


class Repository(Generic[ModelT]):
    """SQL lives in repositories. Subclasses set `model` and add their queries."""

    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: Any) -> ModelT | None:
        return await self.session.get(self.model, id_)

    async def get_in_district(self, district_id: str, id_: Any) -> ModelT | None:
        """The row with this id in this district (district-scoped tables' keys are (district_id, id)):
        another district's row with the same id is simply not found."""
        return await self.session.get(self.model, (district_id, id_))

    async def add(self, obj: ModelT, *, flush: bool = False) -> ModelT:
        self.session.add(obj)
        if flush:
            await self.session.flush()
        return obj

    async def list(self, *where: Any, order_by: Sequence[Any] = (), limit: int | None = None) -> list[ModelT]:
        stmt = select(self.model).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list((await self.session.scalars(stmt)).all())
