"""The keyset cursor: what a list wrote reads back exactly; anything else is an InvalidCursor (a 422)."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from plc_shared.paging import InvalidCursor, an_id, decode_cursor, encode_cursor, int32, text, timestamp


def test_a_key_reads_back_exactly_to_the_microsecond_in_utc():
    at = datetime(2026, 9, 1, 8, 30, 0, 1, tzinfo=timezone(timedelta(hours=-5)))
    key = (at, uuid.uuid4())
    assert decode_cursor(encode_cursor(key), timestamp, an_id) == key
    assert decode_cursor(encode_cursor(key), timestamp, an_id)[0].tzinfo is UTC
    assert decode_cursor(encode_cursor(("stu-1", 2)), text, int32) == ("stu-1", 2)
    assert encode_cursor(("stu-1", 2)) == "WyJzdHUtMSIsIDJd"  # the results list's cursors stay valid


@pytest.mark.parametrize(
    "key",
    [["a"], ["a", 1, 2], [1, 1], ["a\x00", 1], ["a", True], ["a", -1], ["a", 2**31], ["a", 1.0], {"a": 1}],
)
def test_a_key_of_another_shape_is_invalid(key):
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(key) if isinstance(key, list) else "eyJhIjogMX0", text, int32)


@pytest.mark.parametrize(
    "parts",
    [
        ["2026-09-01T08:30:00", str(uuid.uuid4())],  # no offset
        ["0001-01-01T00:00:00+14:00", str(uuid.uuid4())],  # before year 1 in UTC
        ["yesterday", str(uuid.uuid4())],
        ["2026-09-01T08:30:00+00:00", "not-an-id"],
        ["2026-09-01T08:30:00+00:00", 7],
    ],
)
def test_a_time_or_id_the_column_cannot_hold_is_invalid(parts):
    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(encode_cursor(parts), timestamp, an_id)
    assert caught.value.status == 422 and caught.value.errors[0]["location"] == ["query", "cursor"]


@pytest.mark.parametrize("cursor", ["not-a-cursor!", "W10", "WyJ4Iiwi", "", "\u00e9"])
def test_garbage_is_invalid(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, text, int32)
