"""What the reviews pages show, from the public API with the user's token: a school's history with its
implementation level over time, recognition readiness in plain words, and the district-implementation analytics
with their charts (drawn here from the analyses' JSON). Schools by name, from the roster."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from web.charts import reviews as charts
from web.client import Api, ApiError, seg
from web.roster import staff_names

RV = "/reviews/v1"
LEVELS = ("Minimal/No", "Partial", "Proficient", "Deep Implementation")
KINDS = {"pre": "Pre-review", "interim": "Interim review", "site": "Site review"}
RECOGNITION = {"exemplary": "Exemplary", "sustaining": "Sustaining Exemplary"}
CHARTS = {
    "district-implementation": "Are Exemplary schools more often part of a district implementation?",
    "implementation-achievement": "Does implementation go with achievement?",
    "trends": "How each strand of the rubric moves, year by year",
}


def school_year(year: int | str | None) -> str:
    """2026 → 2026-27: a school year is named by the calendar year it starts in."""
    if year is None or not str(year).isdigit():
        return "—"
    return f"{year}-{(int(year) + 1) % 100:02d}"


async def school_names(api: Api) -> dict[str, str]:
    return {s["sourced_id"]: s["name"] for s in await api.get_or([], "/assessments/roster/schools")}


# --- a school's history ----------------------------------------------------------------------------------------


def level_of(points: float | None) -> tuple[float | None, str]:
    """The mean rating (0-3) of a review from its points (levels summed ÷ 3n), and the level it has fully
    reached (the rubric's level at or below the mean)."""
    if points is None:
        return None, "Not rated"
    mean = points * 3
    return mean, LEVELS[min(int(mean + 1e-9), 3)]


@dataclass
class HistoryRow:
    review: dict
    kind: str
    mean: float | None
    level: str
    reviewers: list[str]


@dataclass
class History:
    school_id: str
    school: str
    rows: list[HistoryRow]
    over_time: list[HistoryRow] = field(default_factory=list)  # the finalized ones, oldest first
    schools: dict[str, str] = field(default_factory=dict)  # the program schools the user may pick, by name
    chart: Markup | None = None  # the level over time, titled with the school's name from the roster


def reviewer_names(review: dict, user_subject: str, user_name: str, roster_name) -> list[str]:
    """The review's reviewers by name: the signed-in user as themselves, the others by the name the review
    recorded for them (what an external reviewer, who cannot read the roster, has), else the roster's."""
    recorded = {r["id"]: r["name"] for r in review.get("reviewers") or [] if r.get("name")}
    return [
        user_name if who == user_subject else recorded.get(who) or roster_name(who)
        for who in review["reviewer_ids"]
    ]


async def history(api: Api, school_id: str, user_subject: str, user_name: str) -> History:
    reviews, names, program, people = await asyncio.gather(
        api.get(f"{RV}/schools/{seg(school_id)}/reviews"),
        school_names(api),
        api.get_or([], f"{RV}/program/schools"),
        staff_names(api, school_id),
    )
    rows = []
    for r in sorted(reviews, key=lambda r: (r["on"], r["version"])):
        mean, level = level_of(r["scores"]["overall"]["points"])
        reviewers = reviewer_names(r, user_subject, user_name, lambda who: people.get(who, who))
        rows.append(HistoryRow(r, KINDS.get(r["kind"], r["kind"]), mean, level, reviewers))
    current = [
        row for row in rows if row.review["status"] == "finalized" and not row.review["superseded_by_id"]
    ]
    pickable = {p["school_id"]: names.get(p["school_id"], p["school_id"]) for p in program}  # reviewed ones
    name = names.get(school_id, school_id)
    over_time = [(row.review["on"], row.review["kind"], row.mean) for row in current]
    drawn = await charts.history_chart(over_time, school=name) if current else None
    return History(school_id, name, rows, current, pickable, drawn)


# --- recognition readiness -------------------------------------------------------------------------------------


@dataclass
class Ready:
    school_id: str
    school: str
    recognized: str | None  # "Exemplary since 2026-27"
    next_level: str
    ready: bool
    missing: list[str]
    review_id: str | None


YEAR = re.compile(r"\b(20\d\d)\b")


def plain(unmet: str, indicators: dict[str, str]) -> str:
    """One unmet criterion as a sentence: indicator ids named from the rubric, years as school years."""
    head, sep, tail = unmet.partition(": ")
    if head.startswith("indicators below Proficient") and sep:
        ids = [i.strip() for i in tail.split(",") if i.strip()]
        named = "; ".join(indicators.get(i, i) for i in ids)
        count = f"{len(ids)} indicator{'s' if len(ids) != 1 else ''}"
        unmet = f"{count} rated below Proficient {head.removeprefix('indicators below Proficient ')}: {named}"
    unmet = YEAR.sub(lambda m: school_year(m.group(1)), unmet)
    replacements = {
        "no finalized site review": "a finalized site review (none yet)",
        "no reflective narrative for": "the school's reflective narrative for",
        "no percent proficient data for": "results on the district's summative assessments (none yet) for",
    }
    for old, new in replacements.items():
        unmet = unmet.replace(old, new)
    return unmet[:1].upper() + unmet[1:]


async def readiness(api: Api) -> tuple[list[Ready], list[dict], dict[str, str]]:
    """Per program school the user may see: where it stands and what its next recognition still lacks; the
    recognitions so far (newest first); the school names."""
    found, recognitions, names, rubric = await asyncio.gather(
        api.get(f"{RV}/recognitions/readiness"),
        api.get(f"{RV}/recognitions"),
        school_names(api),
        api.get_or({"strands": []}, f"{RV}/rubrics/current"),
    )
    indicators = {i["id"]: i["text"] for s in rubric["strands"] for i in s["indicators"]}
    latest: dict[str, dict] = {}
    for rec in sorted(recognitions, key=lambda r: r["recognized_at"]):
        latest[rec["school_id"]] = rec
    out = []
    for r in found:
        rec = latest.get(r["school_id"])
        out.append(
            Ready(
                school_id=r["school_id"],
                school=names.get(r["school_id"], r["school_id"]),
                recognized=f"{RECOGNITION[rec['level']]} in {school_year(rec['school_year'])}"
                if rec
                else None,
                next_level=RECOGNITION[r["next_level"]],
                ready=not r["unmet"],
                missing=[plain(u, indicators) for u in r["unmet"]],
                review_id=r["review_id"],
            )
        )
    out.sort(key=lambda r: (not r.ready, r.school.lower()))
    history = sorted(recognitions, key=lambda r: r["recognized_at"], reverse=True)
    return out, history, names


# --- district-implementation analytics -------------------------------------------------------------------------


@dataclass
class Analytics:
    scope: str
    charts: dict[str, Markup | None]
    district_implementation: dict | None
    achievement: dict | None
    trends: dict | None
    schools: list[dict]  # program schools with their names, district implementation and training year
    district: dict | None
    strands: dict[str, str]  # strand id → name, from the district's current rubric


async def analytics(api: Api, scope: str) -> Analytics:
    """The three analyses with their verdicts and charts, and (district scope) the program schools by name."""
    di, achievement, trends, rubric = await asyncio.gather(
        _or_none(api, f"{RV}/analytics/district-implementation", scope),
        _or_none(api, f"{RV}/analytics/implementation-achievement", scope),
        _or_none(api, f"{RV}/analytics/trends", scope),
        api.get_or({"strands": []}, f"{RV}/rubrics/current"),
    )
    schools: list[dict] = []
    district = None
    if scope == "district":
        program, district, names = await asyncio.gather(
            api.get_or([], f"{RV}/program/schools"),
            api.get_or(None, f"{RV}/program/district"),
            school_names(api),
        )
        schools = sorted(
            ({**s, "name": names.get(s["school_id"], s["school_id"])} for s in program),
            key=lambda s: s["name"].lower(),
        )
    strands = {s["id"]: s["name"] for s in rubric["strands"]}
    drawn = {
        "district-implementation": await charts.implementation_chart(di) if di else None,
        "implementation-achievement": await charts.achievement_chart(achievement) if achievement else None,
        "trends": await charts.trends_chart(trends, strands) if trends else None,
    }
    return Analytics(scope, drawn, di, achievement, trends, schools, district, strands)


async def _or_none(api: Api, path: str, scope: str) -> Any:
    try:
        return await api.get(path, scope=scope)
    except ApiError as exc:
        if exc.status in (403, 404):
            return None
        raise
