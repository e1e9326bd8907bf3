"""Who is signed in: a session cookie holding an opaque id (HttpOnly, SameSite=Lax, Secure outside dev) whose
row in the web app's database holds the user's API token, sealed (web.sessions). The token is verified with
the suite's own verifier on every request; the gateway and the services verify it again on every call, so a
session gives no right the token does not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import jwt
from fastapi import Depends, Request, Response
from plc_shared.auth import Principal
from plc_shared.errors import ProblemError

from web.config import Settings
from web.sessions import SessionStore

SESSION_COOKIE = "plc_session"
COOKIE_PATH = "/app"


class SignInRequired(ProblemError):
    status, title = 401, "Sign-in required"


@dataclass(frozen=True)
class User:
    token: str
    principal: Principal
    name: str

    @property
    def schools(self) -> list[str]:
        return sorted(self.principal.school_ids)


class Sessions:
    def __init__(self, settings: Settings, store: SessionStore) -> None:
        self.settings, self.store = settings, store

    async def start(self, request: Request, response: Response, token: str, name: str) -> None:
        """A new session (a fresh id: whatever session the browser had ends), its id in the cookie."""
        principal = await request.app.state.token_verifier.verify(token)
        exp = jwt.decode(token, options={"verify_signature": False})["exp"]  # verified just above
        await self.store.end(request.cookies.get(SESSION_COOKIE))
        session_id = await self.store.start(
            token=token, name=name, subject=principal.subject, token_exp=datetime.fromtimestamp(exp, UTC)
        )
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            max_age=self.settings.session_max_age_s,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )

    async def end(self, request: Request, response: Response) -> None:
        await self.store.end(request.cookies.get(SESSION_COOKIE))
        response.delete_cookie(
            SESSION_COOKIE,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )

    async def user(self, request: Request) -> User | None:
        """The signed-in user, looked up once per request (an error page asks again)."""
        if "plc_user" not in request.scope.setdefault("state", {}):
            request.scope["state"]["plc_user"] = await self._user(request)
        return request.scope["state"]["plc_user"]

    async def _user(self, request: Request) -> User | None:
        opened = await self.store.open(request.cookies.get(SESSION_COOKIE) or "")
        if opened is None:
            return None  # signed out, expired, idle too long, or a cookie that is not ours
        try:
            principal = await request.app.state.token_verifier.verify(opened.token)
        except ProblemError:
            return None  # a token that no longer verifies (its key was rotated out): sign in again
        return User(opened.token, principal, opened.name or principal.subject)


async def optional_user(request: Request) -> User | None:
    return await request.app.state.sessions.user(request)


async def current_user(request: Request) -> User:
    user = await optional_user(request)
    if user is None:
        raise SignInRequired("Sign in to see this page.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]
