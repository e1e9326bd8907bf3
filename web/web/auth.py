"""Who is signed in: a signed session cookie holding the user's API token (HttpOnly, SameSite=Lax, Secure
outside dev). The token is verified with the suite's own verifier when the session starts; the gateway and the
services verify it again on every call, so the cookie gives no right the token does not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from plc_shared.auth import Principal
from plc_shared.errors import ProblemError

from web.config import Settings

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
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._signer = URLSafeTimedSerializer(
            settings.session_secret.get_secret_value(), salt="plc-web-session"
        )

    def start(self, response: Response, token: str, name: str) -> None:
        value = self._signer.dumps({"token": token, "name": name})
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=self.settings.session_max_age_s,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )

    def end(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE,
            path=COOKIE_PATH,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )

    async def user(self, request: Request) -> User | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._signer.loads(raw, max_age=self.settings.session_max_age_s)
            principal = await request.app.state.token_verifier.verify(data["token"])
        except (BadSignature, ProblemError, KeyError, TypeError):
            return None  # tampered, expired or a token that no longer verifies: sign in again
        return User(data["token"], principal, data.get("name") or principal.subject)


async def optional_user(request: Request) -> User | None:
    return await request.app.state.sessions.user(request)


async def current_user(request: Request) -> User:
    user = await optional_user(request)
    if user is None:
        raise SignInRequired("Sign in to see this page.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]
