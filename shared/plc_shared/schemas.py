"""The base of every request and response body of every service (each service's `Schema` derives from it).

Text that PostgreSQL cannot store is refused here, where the error can name the field (and, in a list, the
row): a NUL character (U+0000) anywhere in a string, a list or a mapping of strings is a 422 for that field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1  # an `integer` column
INT64_MAX = 2**63 - 1  # a `bigint` column, and LIMIT/OFFSET


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if holds_nul(value):
            raise PydanticCustomError("nul_character", "Text may not contain the NUL character (U+0000)")
        return value


def holds_nul(value: Any, depth: int = 0) -> bool:
    """A NUL in a string, or in the strings of a list, tuple, set or dict (models check their own fields)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 32:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(holds_nul(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(holds_nul(k, depth + 1) or holds_nul(v, depth + 1) for k, v in value.items())
    return False
