"""The Missouri PLC leadership-team rule, shared by goals (which refuses a team that breaks it) and reviews
(which shows it as met or not, and refuses a school entering the program without it): 4-6 members, at least
one an administrator."""

from __future__ import annotations

LEADERSHIP_SIZE = (4, 6)


def leadership_violations(roles: list[str]) -> list[str]:
    """Why a leadership team of members with these roster roles breaks the rule (empty: it does not)."""
    low, high = LEADERSHIP_SIZE
    out = []
    if not low <= len(roles) <= high:
        out.append(f"a leadership team has {low}-{high} members, not {len(roles)}")
    if "administrator" not in roles:
        out.append("a leadership team has at least one administrator")
    return out
