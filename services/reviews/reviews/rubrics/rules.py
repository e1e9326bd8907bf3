"""Rubric look-ups, pure: where an indicator sits, which indicators a training year targets."""

from __future__ import annotations

from typing import Any

PROFICIENT = 2  # levels 0 Minimal/No, 1 Partial, 2 Proficient, 3 Deep Implementation
DEEP = 3


def indicators(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Indicator id → the indicator with its strand id, in rubric order."""
    return {i["id"]: {**i, "strand_id": s["id"]} for s in body["strands"] for i in s["indicators"]}


def targeted(body: dict[str, Any], training_year: str) -> list[str]:
    return [i for i, ind in indicators(body).items() if training_year in ind.get("targeted_years", [])]


def targeted_first(body: dict[str, Any], training_year: str) -> list[str]:
    """All indicator ids, the training year's targeted ones first (each group in rubric order)."""
    first = targeted(body, training_year)
    return first + [i for i in indicators(body) if i not in first]
