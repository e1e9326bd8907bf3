"""Request bodies at the gateway: read within a size limit and a time limit; count the rows of bulk bodies."""

from __future__ import annotations

import asyncio
import json

from plc_shared.errors import BadRequest, PayloadTooLarge, ProblemError
from starlette.types import Receive


class RequestTimeout(ProblemError):
    status, title = 408, "Request timeout"


async def read_body(receive: Receive, headers: list, *, limit: int, timeout_s: float) -> bytes:
    """A declared Content-Length over the limit is refused before a byte is read; a streamed body is counted
    as it arrives, so a client cannot get past the limit by leaving the length out."""
    for name, value in headers:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise RequestTimeout("The client went away while sending the body.")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"The body is larger than {limit} bytes.")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError as exc:
        raise RequestTimeout("The body did not arrive in time.") from exc


def check_rows(body: bytes, headers: list, *, max_rows: int) -> None:
    """Bulk bodies: CSV (lines after the header) or JSON (a list, or the first list in an object)."""
    content_type = next((v for n, v in headers if n == b"content-type"), b"")
    if b"csv" in content_type:
        lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
        rows = max(0, lines - 1)
    else:
        try:
            document = json.loads(body or b"null")
        except ValueError:
            return  # the service answers with the parse error
        except RecursionError as exc:
            raise BadRequest("The JSON body is nested too deeply.") from exc
        items = document if isinstance(document, list) else None
        if isinstance(document, dict):
            items = next((v for v in document.values() if isinstance(v, list)), None)
        rows = len(items) if items is not None else 0
    if rows > max_rows:
        raise PayloadTooLarge(f"{rows} rows is more than the {max_rows} allowed per request.")
