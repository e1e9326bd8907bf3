"""The base every request and response body of the service is built on (Create / Update / Read per resource
live in each sub-domain's schemas.py): the shared one (unknown fields refused, NUL-free text), and the PATCH
base (JSON merge patch) with its merge."""

from plc_shared.schemas import Patch, Schema, merge_patch

__all__ = ["Patch", "Schema", "merge_patch"]
