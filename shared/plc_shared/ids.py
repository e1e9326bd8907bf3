"""New ids of the rows and events a service makes in volume: time-ordered UUIDs (version 7, RFC 9562).

A version 7 UUID starts with its creation time in milliseconds, so ids made close in time sort close together:
each B-tree index they key (the inbox, results, result scores, flags) takes new entries on its few rightmost
pages, which stay in memory, instead of on random pages across the whole index, which must be read back once
the index outgrows the cache. Otherwise it is an ordinary UUID (same type, column and wire format); its first
48 bits tell when it was made, which the rows and events it names already say (recorded_at, time)."""

from __future__ import annotations

import uuid

from uuid_utils.compat import uuid7


def new_id() -> uuid.UUID:
    """A new time-ordered UUID (standard library type), monotonic within this process."""
    return uuid7()
