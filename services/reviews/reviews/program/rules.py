"""Program rules, pure: training year, district implementation, the leadership team rule.

The Missouri PLC project is "generally considered a three-year process model": a school's entry year is its
training year 1, then 2 and 3, then it is a continuing school. A school is part of a **district
implementation** when all or a majority of its district's buildings are in the program.
"""

from __future__ import annotations

from datetime import date

from plc_shared.teams import leadership_violations  # the rule goals enforces when a team is formed

__all__ = ["district_implementation", "leadership_violations", "school_year_of", "training_year"]
TRAINING_YEARS = ("1", "2", "3", "continuing")


def school_year_of(day: date) -> int:
    """The school year a day belongs to, named by its first calendar year (2026 = 2026-27, from July)."""
    return day.year if day.month >= 7 else day.year - 1


def training_year(entry_year: int, school_year: int) -> str | None:
    """1, 2, 3 or continuing; None before the school entered."""
    years = school_year - entry_year
    if years < 0:
        return None
    return TRAINING_YEARS[min(years, 3)]


def district_implementation(in_program: int, buildings: int | None) -> bool:
    """All or a majority of the district's buildings are program schools (a building count below the program's
    own count of the district's schools is out of date: the program's count is then the floor)."""
    total = max(buildings or 0, in_program)
    return in_program > 0 and (in_program == total or 2 * in_program > total)
