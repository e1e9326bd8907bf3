"""The base every sub-domain's request and response bodies share (Create / Update / Read on it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["active", "tobedeleted"]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
