"""Setup: the district's SIS API keys (the gateway's): create one (its secret shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from web.auth import CurrentUser
from web.client import Api, ApiError, UserApi, seg
from web.forms import field_errors, refusal
from web.pages import render

router = APIRouter(tags=["setup"])
PERMISSIONS = {  # the gateway's Permission values, as a data lead reads them
    "rosters:write": "Push rosters",
    "rosters:read": "Read rosters",
    "results:write": "Post assessment results",
    "results:read": "Read assessment results",
    "assessments:write": "Write assessments and standards",
    "assessments:read": "Read assessments and standards",
    "flags:read": "Read flags (changes feed)",
}


class KeyForm(BaseModel):
    name: str = Field("", max_length=200)
    permissions: list[str] = Field(default_factory=list, max_length=len(PERMISSIONS))


async def _page(request: Request, user, api: Api, status: int = 200, **context) -> Response:
    keys = await api.get("/gateway/api-keys")
    context.setdefault("form", KeyForm(permissions=["rosters:write", "results:write"]))
    return render(request, "setup_keys.html", user, status_code=status, keys=keys, permissions=PERMISSIONS,
                  errors=field_errors(context.get("problem")), **context)  # fmt: skip


@router.get("/setup/keys")
async def keys_page(request: Request, user: CurrentUser, api: UserApi) -> Response:
    """The district's API keys (never their secrets) and the form of a new one."""
    return await _page(request, user, api)


@router.post("/setup/keys")
async def create_key(
    request: Request, user: CurrentUser, api: UserApi, form: Annotated[KeyForm, Form()]
) -> Response:
    """Create a key: its secret is on this answer only (the gateway keeps a hash)."""
    try:
        created = await api.post(
            "/gateway/api-keys", {"name": form.name.strip(), "permissions": form.permissions}
        )
    except ApiError as exc:
        if not refusal(exc):
            raise
        return await _page(request, user, api, 422, form=form, problem=exc)
    return await _page(request, user, api, created=created)


@router.post("/setup/keys/{key_id}/revoke")
async def revoke_key(key_id: str, user: CurrentUser, api: UserApi) -> Response:
    """Revoke a key: the integration using it is refused from now on."""
    await api.delete(f"/gateway/api-keys/{seg(key_id)}")
    return RedirectResponse("/app/setup/keys", status_code=303)
