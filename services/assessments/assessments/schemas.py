"""The base every sub-domain's request and response bodies share (Create / Update / Read on it)."""

from __future__ import annotations

from typing import Literal

from plc_shared.schemas import Schema

Status = Literal["active", "tobedeleted"]
__all__ = ["Schema", "Status"]
