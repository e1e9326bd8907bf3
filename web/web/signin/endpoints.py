"""Sign-in and sign-out: OIDC (code + PKCE) when an issuer is configured, else the dev sign-in page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from plc_shared.auth import Role, mint_dev_token
from plc_shared.errors import BadRequest, NotFound, Unauthorized

from web.auth import MaybeUser
from web.client import Api
from web.forms import form_problem
from web.pages import render
from web.signin.people import chosen_person, district_staff, my_name, typed_subject

router = APIRouter(tags=["sign-in"])
STAFF_ROLES = (Role.TEACHER, Role.SCHOOL_LEADER, Role.DISTRICT_ADMIN, Role.REVIEWER, Role.ANALYST)
LABELS = {"person": "Who you are", "name": "Or your name", "role": "Role", "district": "District id"}


def _safe_next(next_path: str | None) -> str:
    """Only a path of this app: never an absolute URL (an open redirect)."""
    if next_path and next_path.startswith("/app/") and not next_path.startswith("//"):
        return next_path
    return "/app/"


def _dev(request: Request) -> bool:
    settings = request.app.state.settings
    return settings.dev_sign_in and not settings.oidc_issuer


@router.get("/signin")
async def signin_page(
    request: Request,
    user: MaybeUser,
    next: str | None = None,
    district: Annotated[str, Query(max_length=100)] = "d1",
) -> Response:
    """The sign-in page: a button to the district's identity provider, or the dev form (the district's staff to
    pick from, or a name to type)."""
    return await _page(request, user, next=next, typed={"district": district})


async def _page(request: Request, user, *, next: str | None, typed: dict, problem=None) -> Response:
    dev = _dev(request)
    district = (typed.get("district") or "").strip()
    staff = await district_staff(request, district) if dev and district else []
    return render(
        request, "signin.html", user, status_code=problem.status if problem else 200, next=_safe_next(next),
        dev=dev, oidc=bool(request.app.state.settings.oidc_issuer), roles=STAFF_ROLES, staff=staff,
        typed=typed, fp=problem,
    )  # fmt: skip


@router.post("/signin")
async def dev_signin(
    request: Request,
    district: Annotated[str, Form(max_length=100)] = "",
    person: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=30)] = "",
    school: Annotated[str, Form(max_length=100)] = "",
    classes: Annotated[str, Form(max_length=1000)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form()] = "/app/",
) -> Response:
    """Dev mode: a token signed with the dev key (as `plc token`) for a person of the roster's staff (as their
    sourcedId, with their schools and classes) or a typed name (a subject derived from it): either way the same
    person signing in twice is the same subject."""
    if not _dev(request):
        raise NotFound("Dev sign-in is off here; sign in with your district's identity provider.")
    typed = {"district": district, "person": person, "role": role, "school": school, "classes": classes,
             "name": name}  # fmt: skip
    district, errors = district.strip(), []
    if not district:
        errors.append({"location": ["body", "district"], "message": "is required"})
    if role and role not in {r.value for r in Role}:
        errors.append({"location": ["body", "role"], "message": "choose one of the roles"})
    if not person and not name.strip():
        errors.append(
            {"location": ["body", "person"], "message": "choose who you are, or type your name below"}
        )
    found = await chosen_person(request, district, person, role) if person and not errors else None
    if person and not errors and found is None:
        errors.append({"location": ["body", "person"], "message": "not on this district's roster"})
    if errors:
        problem = form_problem({"status": 422, "title": "Not signed in", "errors": errors}, LABELS)
        return await _page(request, None, next=next, typed=typed, problem=problem)
    ids = lambda text: [x.strip() for x in text.split(",") if x.strip()]  # noqa: E731
    as_role = found.role if found else Role(role or Role.TEACHER)
    token = mint_dev_token(
        request.app.state.settings.auth,
        role=as_role,
        district_id=district,
        school_ids=ids(school) or (list(found.schools) if found else []),
        class_ids=ids(classes) or (list(found.classes) if found else []),
        subject=found.subject if found else typed_subject(district, name),
        ttl_seconds=request.app.state.settings.session_max_age_s,
        name=found.name if found else name.strip(),
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    # The session starts only for a token the gateway will accept (verified there, as on every request).
    await request.app.state.sessions.start(request, response, token, found.name if found else name.strip())
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
    # The person as the roster names them (their staff record, by the subject), else as the issuer does.
    roster_name = await my_name(Api(request.app.state.http, signed_in.access_token))
    await request.app.state.sessions.start(
        request, response, signed_in.access_token, roster_name or signed_in.name or principal.subject
    )
    response.delete_cookie("plc_oidc", path="/app/signin")
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """End the session: its row is deleted, so the cookie (and any copy of it) opens nothing any more."""
    response = RedirectResponse("/app/signin", status_code=303)
    await request.app.state.sessions.end(request, response)
    return response
