"""Authentication primitives: JWT verification (dev HS256 key or an issuer's JWKS), the Principal, FastAPI deps.

Every process verifies the caller's token itself; no plain identity header is ever trusted.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from plc_shared.errors import Forbidden, Unauthorized
from plc_shared.settings import AuthSettings


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    SCHOOL_LEADER = "school_leader"
    TEACHER = "teacher"
    REVIEWER = "reviewer"
    SIS_INTEGRATION = "sis_integration"
    ANALYST = "analyst"
    OPERATOR = "operator"


# Roles that see every school of their district (the others see only the schools in their token). The one
# definition: the gateway's policy and every service's scope checks use this set.
DISTRICT_WIDE = frozenset({Role.DISTRICT_ADMIN, Role.SIS_INTEGRATION, Role.ANALYST, Role.OPERATOR})


class Permission(StrEnum):
    """What an API key may be allowed to do (`<area>:read` / `<area>:write`). The gateway lets a key call only
    the route-table rows naming a permission it holds; the services hold a token that carries a `permissions`
    claim (the gateway's token for an API key) to the same rule (`permission_area`)."""

    ROSTERS_READ = "rosters:read"
    ROSTERS_WRITE = "rosters:write"
    RESULTS_READ = "results:read"
    RESULTS_WRITE = "results:write"
    ASSESSMENTS_READ = "assessments:read"
    ASSESSMENTS_WRITE = "assessments:write"
    FLAGS_READ = "flags:read"


class Principal(BaseModel):
    """Who is calling and what they may see: a role scoped to one district and, below it, schools/classes."""

    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    district_id: str | None = None
    school_ids: frozenset[str] = Field(default_factory=frozenset)
    class_ids: frozenset[str] = Field(default_factory=frozenset)
    permissions: frozenset[str] = Field(default_factory=frozenset)
    # True when the token carries a `permissions` claim (the gateway's token for an API key): the caller may
    # then do only what those permissions allow. A token without the claim is limited by its role alone.
    permission_bound: bool = False
    # The person's display name (the OpenID Connect standard claim `name`), when the token carries one: what a
    # service may show to people who cannot read the roster (an external reviewer sees the other reviewers).
    # Never an event's field, never logged.
    name: str | None = None

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        name = claims.get("name")
        return cls(
            name=(name.strip()[:200] or None) if isinstance(name, str) else None,
            subject=claims["sub"],
            role=claims["role"],
            district_id=claims.get("district_id"),
            school_ids=frozenset(claims.get("school_ids") or ()),
            class_ids=frozenset(claims.get("class_ids") or ()),
            permissions=frozenset(claims.get("permissions") or ()),
            permission_bound="permissions" in claims,
        )

    @property
    def tenant(self) -> str:
        """The district every key of this caller's requests belongs to (ids are unique within a district
        only); a token without one can do nothing that touches district data."""
        if not self.district_id:
            raise Forbidden("The token names no district.")
        return self.district_id

    @property
    def district_wide(self) -> bool:
        return self.role in DISTRICT_WIDE

    def can_see_district(self, district_id: str) -> bool:
        return self.district_id is not None and self.district_id == district_id

    def can_see_school(self, district_id: str, school_id: str) -> bool:
        """District-wide roles see every school of their district; the others only their own schools."""
        if not self.can_see_district(district_id):
            return False
        return self.district_wide or school_id in self.school_ids

    def visible_schools(self) -> frozenset[str] | None:
        """The schools of its district whose data the caller sees: None means every one (district-wide roles)."""
        return None if self.district_wide else self.school_ids

    def visible_classes(self) -> frozenset[str] | None:
        """Teachers see the students of their own classes only; None means no class filter."""
        return self.class_ids if self.role is Role.TEACHER else None

    def holds(self, permission: str) -> bool:
        """Whether an API key's permissions allow this; a caller not bound by permissions is judged by role."""
        return not self.permission_bound or permission in self.permissions


class TokenOutOfDate(Unauthorized):
    """A token whose signature verifies but which has expired or is not valid yet: an honest client's stale
    token, not a guess (the gateway does not count it against the caller's address)."""


class TokenVerifier:
    """Verifies signature, issuer, audience, expiry (with leeway) and the claims a Principal needs."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._jwks = (
            jwt.PyJWKClient(
                settings.jwks_url,
                cache_keys=True,
                lifespan=settings.jwks_cache_seconds,
                cooldown_duration=settings.jwks_refresh_cooldown_seconds,
                timeout=settings.jwks_timeout_seconds,
            )
            if settings.jwks_url
            else None
        )
        self._dev_key = settings.dev_signing_key.get_secret_value() if settings.dev_signing_key else None

    async def verify(self, token: str) -> Principal:
        try:
            key, algorithms = await self._key_for(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            return Principal.from_claims(claims)
        except jwt.ExpiredSignatureError as exc:  # PyJWT checks the signature before the claims
            raise TokenOutOfDate("The token has expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized("The token is for another audience.") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("The token is from an unknown issuer.") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthorized("The token's signature does not verify.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenOutOfDate("The token is not valid yet.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"The token lacks the '{exc.claim}' claim.") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise Unauthorized("The token is signed with an algorithm this service does not accept.") from exc
        except jwt.DecodeError as exc:
            raise Unauthorized("The token cannot be read (not a JWT).") from exc
        except (KeyError, ValueError) as exc:  # the claims are not what Principal.from_claims needs
            raise Unauthorized(
                "The token's claims are not those PLC Suite expects (role, district)."
            ) from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is not valid.") from exc

    async def _key_for(self, token: str) -> tuple[Any, list[str]]:
        alg = jwt.get_unverified_header(token).get("alg")
        if alg == "HS256":
            if self._dev_key is None or self._settings.environment != "dev":
                raise jwt.InvalidAlgorithmError("HS256 tokens are accepted only in development")
            return self._dev_key, ["HS256"]
        if self._jwks is None:
            raise jwt.InvalidAlgorithmError(f"no JWKS configured for {alg} tokens")
        # PyJWKClient caches keys and refetches the set when it meets an unknown kid (key rotation);
        # its fetch is blocking I/O, so it runs in a thread.
        signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
        return signing_key.key, self._settings.algorithms


def mint_dev_token(
    settings: AuthSettings,
    *,
    role: Role | str,
    district_id: str | None,
    school_ids: list[str] | tuple[str, ...] = (),
    class_ids: list[str] | tuple[str, ...] = (),
    subject: str | None = None,
    ttl_seconds: int = 3600,
    audience: str | None = None,
    permissions: list[str] | tuple[str, ...] | None = None,
    name: str | None = None,
) -> str:
    """A development token signed with the dev HS256 key (what `plc token` prints). `permissions` (tests) makes
    it a token bound by them, as the gateway's token for an API key is; `name` is the person's display name."""
    if settings.dev_signing_key is None or settings.environment != "dev":
        raise RuntimeError("dev tokens can only be minted with a dev signing key in dev")
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": audience or settings.audience,
        "sub": subject or f"dev-{Role(role).value}-{uuid.uuid4().hex[:8]}",
        "iat": now,
        "exp": now + ttl_seconds,
        "role": Role(role).value,
        "district_id": district_id,
        "school_ids": list(school_ids),
        "class_ids": list(class_ids),
    }
    if permissions is not None:
        claims["permissions"] = sorted(permissions)
    if name:
        claims["name"] = name  # the OpenID Connect standard claim (Core 1.0 §5.1): the display name
    return jwt.encode(claims, settings.dev_signing_key.get_secret_value(), algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="A JWT from the configured issuer (or `plc token`).")


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(credentials.credentials)
    request.state.subject = principal.subject  # for the access log line
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def permission_area(area: str | Callable[[Request], str]):
    """A router-wide dependency: a caller bound by permissions (an API key) needs `<area>:read` for GET/HEAD and
    `<area>:write` for the other methods, as the gateway's route table asks of it (403 otherwise). `area` may
    be a function of the request, for a router whose paths belong to several areas."""

    async def dependency(request: Request, principal: CurrentPrincipal) -> None:
        name = area(request) if callable(area) else area
        wanted = f"{name}:{'read' if request.method in ('GET', 'HEAD') else 'write'}"
        if not principal.holds(wanted):
            raise Forbidden(f"This API key lacks the permission '{wanted}'.")

    return dependency


def require_roles(*roles: Role):
    """A dependency that admits only the given roles: `Depends(require_roles(Role.TEACHER, ...))`."""
    allowed = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(f"The role '{principal.role}' may not do this.")
        return principal

    return dependency
