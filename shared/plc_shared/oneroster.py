"""What the gateway and the assessments service share of the OneRoster 1.2 REST binding (/ims/oneroster/...):

- its error payload: exactly imsx_StatusInfo (imsx_codeMajor, imsx_severity, imsx_description, imsx_CodeMinor),
  only the binding's members and codeMinor values, instead of RFC 9457 (which every other path answers with);
- the public address its hrefs are built on: the one the caller used, as the gateway forwards it
  (X-Forwarded-Proto / -Host / -Prefix), so an href works from outside.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.responses import JSONResponse

PREFIX = "/ims/oneroster/"
# The binding's imsx_codeMinorFieldValue vocabulary (1EdTech OneRoster 1.2 OpenAPI, imsx_CodeMinorFieldDType).
CODE_MINORS = frozenset(
    {
        "fullsuccess",
        "invalid_filter_field",
        "invalid_selection_field",
        "invaliddata",
        "unauthorisedrequest",
        "forbidden",
        "server_busy",
        "unknownobject",
        "internal_server_error",
    }
)
CODE_MINOR = {
    401: "unauthorisedrequest",
    403: "forbidden",
    404: "unknownobject",
    429: "server_busy",
    503: "server_busy",
}
UNSUPPORTED = frozenset({405, 501})  # a method or operation of the binding we do not serve

# The error payload in the OpenAPI documents (the service's and the gateway's merged one): what a client of the
# binding reads on every refusal of a /ims/oneroster path, in place of RFC 9457's problem+json.
IMSX_STATUS_INFO: dict[str, Any] = {
    "title": "imsx_StatusInfo",
    "type": "object",
    "required": ["imsx_codeMajor", "imsx_severity"],
    "additionalProperties": False,
    "properties": {
        "imsx_codeMajor": {"type": "string", "enum": ["success", "processing", "failure", "unsupported"]},
        "imsx_severity": {"type": "string", "enum": ["status", "warning", "error"]},
        "imsx_description": {"type": "string"},
        "imsx_CodeMinor": {
            "type": "object",
            "required": ["imsx_codeMinorField"],
            "additionalProperties": False,
            "properties": {
                "imsx_codeMinorField": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
                        "additionalProperties": False,
                        "properties": {
                            "imsx_codeMinorFieldName": {"type": "string"},
                            "imsx_codeMinorFieldValue": {"type": "string", "enum": sorted(CODE_MINORS)},
                        },
                    },
                }
            },
        },
    },
}
IMSX_CONTENT = {"application/json": {"schema": IMSX_STATUS_INFO}}


def imsx_response(description: str = "The request failed (imsx_StatusInfo)") -> dict[str, Any]:
    """For an endpoint's `responses=` (and the gateway's own answers on these paths)."""
    return {"description": description, "content": copy.deepcopy(IMSX_CONTENT)}


def is_oneroster(path: str) -> bool:
    return path.startswith(PREFIX)


def status_info(status: int, description: str | None, code_minor: str | None = None) -> dict[str, Any]:
    """The imsx_StatusInfo of a failed request. An unserved part of the binding is codeMajor `unsupported`;
    a code minor outside the binding's vocabulary falls back to the one its status implies."""
    body: dict[str, Any] = {"imsx_codeMajor": "failure", "imsx_severity": "error"}
    if description:
        # It may quote what the caller sent (a query parameter's name): a NUL is never echoed back (the
        # documented description has no NUL), it is said as U+FFFD, as the gateway's audit does.
        body["imsx_description"] = description.replace("\x00", "\ufffd")
    if status in UNSUPPORTED or code_minor == "unsupported":
        body["imsx_codeMajor"] = "unsupported"
        return body
    if code_minor not in CODE_MINORS:
        code_minor = CODE_MINOR.get(status) or ("internal_server_error" if status >= 500 else "invaliddata")
    field = {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": code_minor}
    body["imsx_CodeMinor"] = {"imsx_codeMinorField": [field]}
    return body


def from_problem(problem: Mapping[str, Any], status: int) -> dict[str, Any]:
    """An RFC 9457 problem (ours) said as imsx_StatusInfo: its detail, then each row/field error, as the
    description (`code_minor`, when the problem has one, is the binding's code)."""
    parts = [str(problem.get("detail") or problem.get("title") or "")]
    for error in problem.get("errors") or []:
        where = error.get("field") or ".".join(str(p) for p in (error.get("location") or [])[1:])
        message = error.get("message") or error.get("reason") or error.get("detail") or ""
        parts.append(f"{where}: {message}" if where else str(message))
    description = "; ".join(p for p in parts if p)
    return status_info(status, description or None, problem.get("code_minor"))


def response(status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def public_base(headers: Mapping[str, str], fallback: str) -> str:
    """Scheme, host and path prefix the caller used: the X-Forwarded-* the gateway sets, else `fallback` (this
    service's own address, for a direct call)."""
    host = headers.get("x-forwarded-host")
    if not host:
        return fallback.rstrip("/")
    proto = headers.get("x-forwarded-proto") or "http"
    prefix = (headers.get("x-forwarded-prefix") or "").rstrip("/")
    return f"{proto}://{host}{prefix}"


def forwarded_headers(
    public_base_url: str | None, scheme: str, host: str | None, root_path: str = ""
) -> Iterable[tuple[str, str]]:
    """The X-Forwarded-* the gateway sends upstream: its configured public base URL when a proxy in front of it
    changes the address, else the scheme and Host the caller used."""
    if public_base_url:
        proto, _, rest = public_base_url.partition("://")
        host, slash, prefix = rest.partition("/")
        root_path = (slash + prefix).rstrip("/")
        scheme = proto
    if not host:
        return []
    return [("X-Forwarded-Proto", scheme), ("X-Forwarded-Host", host), ("X-Forwarded-Prefix", root_path)]
