"""Rubric scoring, pure. A rating is a level 0-3 (Minimal/No, Partial, Proficient, Deep Implementation).

Per strand and overall over the rated indicators (n): the percent rated Proficient or above, and points, the
levels summed ÷ 3n (1.0 = every indicator at Deep Implementation). A site review rates every indicator, so
for it n is the rubric's indicator count; a pre or interim review may rate only some.
"""

from __future__ import annotations

from typing import Any

from reviews.rubrics.rules import PROFICIENT, indicators

Scores = dict[str, Any]


def _cell(levels: list[int]) -> dict[str, Any]:
    n = len(levels)
    proficient = sum(1 for level in levels if level >= PROFICIENT)
    return {
        "n": n,
        "proficient_or_above": proficient,
        "percent_proficient": 100.0 * proficient / n if n else None,
        "points": sum(levels) / (3 * n) if n else None,
    }


def score(body: dict[str, Any], levels: dict[str, int]) -> Scores:
    """{'overall': cell, 'strands': {strand id: cell}} over the rated indicators, strands in rubric order."""
    by_id = indicators(body)
    strands = {
        s["id"]: _cell([levels[i["id"]] for i in s["indicators"] if i["id"] in levels])
        for s in body["strands"]
    }
    return {"overall": _cell([lv for i, lv in levels.items() if i in by_id]), "strands": strands}


def change(now: Scores, before: Scores | None) -> Scores | None:
    """The difference in percent proficient and points, overall and per strand (None without a previous)."""
    if before is None:
        return None

    def diff(a: dict, b: dict | None) -> dict[str, float | None]:
        return {
            k: (a[k] - b[k] if b and a.get(k) is not None and b.get(k) is not None else None)
            for k in ("percent_proficient", "points")
        }

    return {
        "overall": diff(now["overall"], before["overall"]),
        "strands": {s: diff(cell, before["strands"].get(s)) for s, cell in now["strands"].items()},
    }


def unknown_indicators(body: dict[str, Any], rated: list[str]) -> list[str]:
    known = indicators(body)
    return sorted(i for i in rated if i not in known)


def missing_evidence(body: dict[str, Any], ratings: dict[str, dict[str, Any]]) -> list[str]:
    """Rated indicators whose level requires evidence and that have none."""
    by_id = indicators(body)
    return [
        i
        for i, r in ratings.items()
        if i in by_id and by_id[i]["evidence_required"][r["level"]] and not r.get("evidence")
    ]


def unrated(body: dict[str, Any], ratings: dict[str, Any]) -> list[str]:
    return [i for i in indicators(body) if i not in ratings]
