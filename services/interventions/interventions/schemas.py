"""The base every request and response body of the service is built on (Create / Update / Read per resource
live in each sub-domain's schemas.py): the shared one (unknown fields refused, NUL-free text)."""

from plc_shared.schemas import Schema

__all__ = ["Schema"]
