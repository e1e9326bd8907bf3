"""The team rules, pure: a school's leadership team follows the Missouri PLC rule (plc_shared.teams; reviews
applies the same one)."""

from plc_shared.teams import LEADERSHIP_SIZE, leadership_violations

__all__ = ["LEADERSHIP_SIZE", "leadership_violations"]
