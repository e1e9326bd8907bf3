"""The base of every goals request and response body: the shared one (unknown fields refused, NUL-free text)."""

from plc_shared.schemas import Patch, Schema, merge_patch

__all__ = ["Patch", "Schema", "merge_patch"]
