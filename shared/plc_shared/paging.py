"""Keyset paging, one way for every long list (issue 25): a full page gives the next page's address in
`Link: <…>; rel="next"`, whose `cursor` is opaque (URL-safe base64 of the JSON list of the sort key the page
ended on); the list reads from that key on through its index, so each page costs its own rows wherever it is.
A cursor the list did not give is a 422 naming the `cursor` parameter."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query, Request, Response

from plc_shared.errors import UnprocessableContent
from plc_shared.schemas import INT32_MAX

Cursor = Annotated[
    str | None,
    Query(max_length=2000, description='the next page: from the `Link: <…>; rel="next"` of the previous one'),
]


class InvalidCursor(UnprocessableContent):
    title = "Invalid cursor"

    def __init__(self, cursor: str, why: str = "not a cursor this list gave") -> None:
        super().__init__(
            f"The cursor {cursor[:100]!r} is {why}.",
            errors=[{"location": ["query", "cursor"], "message": why}],
        )


def encode_cursor(key: Sequence[str | int | datetime | uuid.UUID]) -> str:
    """Opaque: the sort key a page ended on (times in ISO 8601 to the microsecond, ids as text)."""
    plain = json.dumps(list(key), default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
    return base64.urlsafe_b64encode(plain.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *parts: Callable[[Any], Any]) -> tuple:
    """The key `encode_cursor` wrote, each part read by its parser (`text`, `int32`, `timestamp`, `an_id`),
    or InvalidCursor when it is not one: garbage, another list's cursor, a value the column cannot hold."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not (isinstance(key, list) and len(key) == len(parts)):
            raise ValueError("not a key of this list")
        return tuple(parse(value) for parse, value in zip(parts, key, strict=True))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, OverflowError) as exc:
        raise InvalidCursor(cursor) from exc


def text(value: Any) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("not a text")
    return value


def int32(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= INT32_MAX:
        raise ValueError("not an integer column's value")
    return value


def timestamp(value: Any) -> datetime:
    """A time with its offset (a `timestamptz`, in UTC: a time near year 1 or 9999 may not have one)."""
    stamp = datetime.fromisoformat(text(value))
    if stamp.utcoffset() is None:
        raise ValueError("a time without its offset")
    return stamp.astimezone(UTC)


def an_id(value: Any) -> uuid.UUID:
    return uuid.UUID(text(value))


def link_next(request: Request, response: Response, cursor: str | None) -> None:
    """Give the next page's address (the same query, `cursor` in place of `cursor` and `offset`), if any."""
    if cursor is not None:
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "offset")]
        nxt = request.url.replace_query_params(**dict(params), cursor=cursor)
        response.headers["Link"] = f'<{nxt.path}?{nxt.query}>; rel="next"'
