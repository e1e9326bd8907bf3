"""The base of every reviews request and response body (NUL-free text, unknown fields refused)."""

from plc_shared.schemas import Schema as SharedSchema


class Schema(SharedSchema):
    pass
