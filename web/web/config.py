"""Settings of the web app (env prefix WEB_; the token settings are shared: AUTH_*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from plc_shared.settings import AuthSettings, DatabaseParts, is_placeholder
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

DEV_SESSION_SECRET = "plc-dev-web-session-secret-not-for-production"  # noqa: S105 - refused in production


class DatabaseSettings(DatabaseParts):
    """The web app's database alone (WEB_DATABASE_URL, or WEB_DB_HOST/... in production): what `plc migrate`
    reads, so the migration step needs none of the app's other secrets. It holds the sessions, nothing else."""

    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_web"


class Settings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    service_name: str = "web"
    log_level: str = "INFO"
    db_pool_size: int = 5
    # Where the web app calls the public API (the gateway), with the signed-in user's token.
    gateway_url: str = "http://127.0.0.1:8000"
    gateway_timeout_s: float = 15.0
    gateway_keepalive_s: float = 2.0
    # Where the browser reaches the app (the gateway's public URL): the OIDC redirect URI is built on it.
    public_url: str = "http://127.0.0.1:8000"

    # Keys the CSRF tokens, the OIDC flow cookie and (with each session's own id) the encryption of the API
    # token stored for a session; the dev default is refused in production.
    session_secret: SecretStr = SecretStr(DEV_SESSION_SECRET)
    session_secret_file: Path | None = None  # a compose/Kubernetes secret: wins over WEB_SESSION_SECRET
    # A session ends at the first of: sign-out, this long after sign-in, the API token's own expiry, or this
    # long without a request (a shared classroom computer left signed in). Ended sessions are pruned.
    session_max_age_s: int = 8 * 3600
    session_idle_s: int = 2 * 3600
    session_prune_interval_s: float = 300.0
    # Secure cookies: None means "outside dev", i.e. whenever AUTH_ENVIRONMENT is production.
    cookie_secure: bool | None = None

    # OIDC (authorization code + PKCE). Without an issuer, dev mode offers a sign-in page with the dev key.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_client_secret_file: Path | None = None
    oidc_scope: str = "openid profile email"
    # Optional: the endpoints, when the issuer publishes no discovery document.
    oidc_authorization_endpoint: str | None = None
    oidc_token_endpoint: str | None = None

    # How often the flags page asks the changes feed for news (seconds).
    poll_interval_s: float = 2.0
    # Open flags per page of the flags page (Next follows the API's cursor); flags per API page the CSV export
    # reads, page after page, to the last.
    flags_page_size: int = Field(200, ge=1, le=1000)
    export_page_size: int = Field(1000, ge=1, le=1000)

    auth: AuthSettings = Field(default_factory=AuthSettings)

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.auth.environment == "production":
            if self.session_secret.get_secret_value() == DEV_SESSION_SECRET:
                raise ValueError("WEB_SESSION_SECRET must be set in production")
            secrets = (self.session_secret, self.oidc_client_secret, make_url(self.database_url).password)
            if any(is_placeholder(secret) for secret in secrets):
                raise ValueError(
                    "WEB_SESSION_SECRET / WEB_OIDC_CLIENT_SECRET / WEB_DB_PASSWORD still hold a placeholder"
                )
            if not self.oidc_issuer:
                raise ValueError("WEB_OIDC_ISSUER must be set in production (dev sign-in is refused there)")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.auth.environment == "production" if self.cookie_secure is None else self.cookie_secure

    @property
    def dev_sign_in(self) -> bool:
        """The dev sign-in page (any role, district and school, signed with the dev key): never in production."""
        return self.auth.environment == "dev" and self.auth.dev_signing_key is not None


@lru_cache
def get_settings() -> Settings:
    return Settings()
