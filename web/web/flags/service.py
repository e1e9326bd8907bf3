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
# The flags resolved in the last two weeks are read as one page, the API's most (`resolved_since`); past that
# many the page says it shows the first of them (by opening).
RESOLVED_READ = 1000


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
    after: str | None = None  # the API's cursor this page of open flags starts after (None: the first page)
    following: str | None = None  # the API's cursor of the next page of open flags (None: this is the last)
    resolved_cut: int = 0  # more resolved flags than were read: how many were (the recent ones may miss some)

    def tier(self, flag: dict) -> int:
        return tier_in_force(flag)

    def choices(self, flag: dict) -> list[dict]:
        """The assign form's interventions for this flag (web.flags.service.fitting)."""
        return fitting(self.pyramid, flag)

    @property
    def by_class(self) -> list[tuple[str, list[StudentRow]]]:
        """The student-centred view: open flags by class, one row per student."""
        return by_class(self.open, self.names)


ENRICHMENT = (
    "enrich"  # a catalog entry whose kind says enrichment ("enrichment", "enrichment challenge", ...)
)


def fitting(pyramid: list[dict], flag: dict) -> list[dict]:
    """The interventions a team may assign on a flag: of the flag's kind (enrichment entries for an enrichment
    flag, the others for a support flag) at the student's tier or one step up (a bigger step is a tier decision
    on the student's page first). By tier, then name."""
    enrichment, tier = flag["kind"] == "enrichment", tier_in_force(flag)
    return sorted(
        (
            i
            for i in pyramid
            if (ENRICHMENT in i["kind"].casefold()) == enrichment and tier <= i["tier"] <= tier + 1
        ),
        key=lambda i: (i["tier"], i["name"]),
    )


@dataclass
class StudentRow:
    """One student in the student-centred view: every open flag of theirs (standards as chips), their support."""

    student_id: str
    flags: list[dict]

    @property
    def supports(self) -> list[dict]:
        return self.flags[0].get("supports") or []

    @property
    def tier(self) -> int:
        return max(tier_in_force(f) for f in self.flags)


def tier_in_force(flag: dict) -> int:
    """The student's tier as served now: the recorded tier, or an active intervention's when higher (the rule
    of the interventions service's student record, `tier_in_force`)."""
    return max([flag["tier"], *(s["tier"] for s in flag.get("supports") or [])])


def by_class(flags: list[dict], names: Names) -> list[tuple[str, list[StudentRow]]]:
    """Open flags grouped by class (a student's first class; "No class" last), one row per student, by name."""
    rows: dict[str, dict[str, StudentRow]] = {}
    for flag in flags:
        klass = (flag.get("class_ids") or [""])[0]
        row = rows.setdefault(klass, {}).setdefault(flag["student_id"], StudentRow(flag["student_id"], []))
        row.flags.append(flag)
    ordered = sorted(
        rows.items(), key=lambda kv: (kv[0] == "", names.class_with_teachers(kv[0]) if kv[0] else "")
    )
    return [
        (
            names.class_with_teachers(k) if k else "No class",
            sorted(v.values(), key=lambda r: names.student(r.student_id)),
        )
        for k, v in ordered
    ]


async def flags_view(
    api: Api, filters: FlagFilters, cursor: str | None = None, *, after: str | None = None, size: int = 200
) -> FlagsView:
    """One page of `size` open flags, from the API's cursor `after` (the page's Next link carries it), so a
    school with ten thousand open flags reads two hundred; `cursor` is the changes feed's (the live page)."""
    query = filters.query()
    since = datetime.now(UTC) - RECENT
    (open_, following), (resolved, more), pyramid, names, latest, tiers = await asyncio.gather(
        api.page(f"{IV}/flags", status="open", limit=size, cursor=after, **query),
        api.page(
            f"{IV}/flags", status="resolved", resolved_since=since.isoformat(), limit=RESOLVED_READ, **query
        ),
        api.get_or([], f"{IV}/schools/{seg(filters.school_id)}/interventions"),
        names_for(api, filters.school_id),
        feed_end(api, filters.school_id, cursor),
        api.get_or(None, f"{IV}/schools/{seg(filters.school_id)}/tiers"),
    )
    recent = [f for f in resolved if _resolved_at(f) >= since]
    recent.sort(key=_resolved_at, reverse=True)
    chart = await tiers_chart(tiers, school=names.school(filters.school_id)) if tiers else None
    return FlagsView(
        filters,
        names,
        open_,
        recent,
        pyramid,
        latest,
        chart,
        after,
        following,
        resolved_cut=len(resolved) if more else 0,
    )


async def feed_end(api: Api, school_id: str, cursor: str | None) -> str:
    """The changes feed's cursor after everything there is now: the feed's `end_cursor`, one call whatever the
    school's history (walking the feed from the start grew with the school's year, issue 25)."""
    page = await api.get(f"{IV}/flags/changes", school_id=school_id, cursor=cursor, limit=1)
    return page["end_cursor"]


async def changed(api: Api, school_id: str, cursor: str) -> bool:
    """Did any flag of the school open or resolve after the cursor? (The live page polls this.)"""
    page = await api.get(f"{IV}/flags/changes", school_id=school_id, cursor=cursor, limit=1)
    return bool(page["flags"])


def _resolved_at(flag: dict) -> datetime:
    resolution = flag.get("resolution") or {}
    stamp = resolution.get("resolved_at") or resolution.get("event_at") or flag["opened_at"]
    return datetime.fromisoformat(stamp)
