"""The flags page's data: open and recently resolved flags with names, the feed cursor, the pyramid, the tiers
chart."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from markupsafe import Markup

from web.charts.tiers import tiers_chart
from web.client import Api, seg
from web.roster import Names, names_for

IV = "/interventions/v1"
RECENT = timedelta(days=14)
FEED_PAGE = 1000


@dataclass
class FlagFilters:
    school_id: str
    class_id: str | None = None
    standard_id: str | None = None
    tier: int | None = None
    kind: str | None = None

    def query(self) -> dict[str, Any]:
        return {
            "school_id": self.school_id,
            "class_id": self.class_id,
            "standard_id": self.standard_id,
            "tier": self.tier,
            "kind": self.kind,
        }


@dataclass
class FlagsView:
    filters: FlagFilters
    names: Names
    open: list[dict] = field(default_factory=list)
    resolved: list[dict] = field(default_factory=list)
    pyramid: list[dict] = field(default_factory=list)
    cursor: str = ""
    tiers: Markup | None = None  # the school's tier distribution chart (None: not readable)


async def flags_view(api: Api, filters: FlagFilters, cursor: str | None = None) -> FlagsView:
    query = filters.query()
    open_, resolved, pyramid, names, latest, tiers = await asyncio.gather(
        api.get(f"{IV}/flags", status="open", limit=1000, **query),
        api.get(f"{IV}/flags", status="resolved", limit=1000, **query),
        api.get_or([], f"{IV}/schools/{seg(filters.school_id)}/interventions"),
        names_for(api, filters.school_id),
        feed_end(api, filters.school_id, cursor),
        api.get_or(None, f"{IV}/schools/{seg(filters.school_id)}/tiers"),
    )
    since = datetime.now(UTC) - RECENT
    recent = [f for f in resolved if _resolved_at(f) >= since]
    recent.sort(key=_resolved_at, reverse=True)
    chart = await tiers_chart(tiers, school=names.school(filters.school_id)) if tiers else None
    return FlagsView(filters, names, open_, recent, pyramid, latest, chart)


async def feed_end(api: Api, school_id: str, cursor: str | None) -> str:
    """The changes feed's cursor after everything there is now (read from `cursor`, or from the start)."""
    while True:
        page = await api.get(f"{IV}/flags/changes", school_id=school_id, cursor=cursor, limit=FEED_PAGE)
        cursor = page["next_cursor"]
        if len(page["flags"]) < FEED_PAGE:
            return cursor


async def changed(api: Api, school_id: str, cursor: str) -> bool:
    """Did any flag of the school open or resolve after the cursor? (The live page polls this.)"""
    page = await api.get(f"{IV}/flags/changes", school_id=school_id, cursor=cursor, limit=1)
    return bool(page["flags"])


def _resolved_at(flag: dict) -> datetime:
    resolution = flag.get("resolution") or {}
    stamp = resolution.get("resolved_at") or resolution.get("event_at") or flag["opened_at"]
    return datetime.fromisoformat(stamp)
