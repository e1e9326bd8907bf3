"""Sign-in and sign-out: OIDC (code + PKCE) when an issuer is configured, else the dev sign-in page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from plc_shared.auth import Role, mint_dev_token
from plc_shared.errors import BadRequest, NotFound, Unauthorized

from web.auth import MaybeUser
from web.pages import render

router = APIRouter(tags=["sign-in"])
STAFF_ROLES = (Role.TEACHER, Role.SCHOOL_LEADER, Role.DISTRICT_ADMIN, Role.REVIEWER, Role.ANALYST)


def _safe_next(next_path: str | None) -> str:
    """Only a path of this app: never an absolute URL (an open redirect)."""
    if next_path and next_path.startswith("/app/") and not next_path.startswith("//"):
        return next_path
    return "/app/"


@router.get("/signin")
async def signin_page(request: Request, user: MaybeUser, next: str | None = None) -> Response:
    """The sign-in page: a button to the district's identity provider, or the dev form."""
    settings = request.app.state.settings
    return render(
        request,
        "signin.html",
        user,
        next=_safe_next(next),
        dev=settings.dev_sign_in and not settings.oidc_issuer,
        oidc=bool(settings.oidc_issuer),
        roles=STAFF_ROLES,
    )


@router.post("/signin")
async def dev_signin(
    request: Request,
    role: Annotated[Role, Form()],
    district: Annotated[str, Form(min_length=1, max_length=100)],
    school: Annotated[str, Form(max_length=100)] = "",
    classes: Annotated[str, Form(max_length=1000)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form()] = "/app/",
) -> Response:
    """Dev mode: a token for the chosen role, district and school, signed with the dev key (as `plc token`)."""
    settings = request.app.state.settings
    if not settings.dev_sign_in or settings.oidc_issuer:
        raise NotFound("Dev sign-in is off here; sign in with your district's identity provider.")
    token = mint_dev_token(
        settings.auth,
        role=role,
        district_id=district.strip(),
        school_ids=[s.strip() for s in school.split(",") if s.strip()],
        class_ids=[c.strip() for c in classes.split(",") if c.strip()],
        ttl_seconds=settings.session_max_age_s,
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    # The session starts only for a token the gateway will accept (verified there, as on every request).
    await request.app.state.sessions.start(
        request, response, token, name.strip() or role.value.replace("_", " ")
    )
    return response


@router.get("/signin/oidc")
async def oidc_begin(request: Request, next: str | None = None) -> Response:
    """Redirect to the issuer: authorization code with a PKCE S256 challenge, state and nonce."""
    if not request.app.state.settings.oidc_issuer:
        raise NotFound("No identity provider is configured.")
    response = RedirectResponse("", status_code=303)
    response.headers["location"] = await request.app.state.oidc.begin(response, _safe_next(next))
    return response


@router.get("/signin/callback")
async def oidc_callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The issuer's answer: check the state, exchange the code with the PKCE verifier, verify the id_token
    (nonce included) and the access token, start the session."""
    oidc = request.app.state.oidc
    if error or not code:
        raise BadRequest(f"The identity provider did not sign you in ({error or 'no code'}).")
    flow = oidc.flow(request.cookies.get("plc_oidc"), state)
    signed_in = await oidc.finish(code, flow)
    try:  # the token the gateway will get: refused here, it would be refused on every page
        principal = await request.app.state.token_verifier.verify(signed_in.access_token)
    except Unauthorized as exc:
        raise BadRequest(
            f"PLC Suite does not accept the identity provider's access token ({exc.detail}); "
            "ask your administrator to check the sign-in settings."
        ) from exc
    response = RedirectResponse(_safe_next(flow.get("next")), status_code=303)
    await request.app.state.sessions.start(
        request, response, signed_in.access_token, signed_in.name or principal.subject
    )
    response.delete_cookie("plc_oidc", path="/app/signin")
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """End the session: its row is deleted, so the cookie (and any copy of it) opens nothing any more."""
    response = RedirectResponse("/app/signin", status_code=303)
    await request.app.state.sessions.end(request, response)
    return response
