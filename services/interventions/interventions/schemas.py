"""The base every request and response body of the service is built on (Create / Update / Read per resource
live in each sub-domain's schemas.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")
