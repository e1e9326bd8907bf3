"""Settings of the gateway (env prefix GATEWAY_; auth settings are shared: AUTH_*)."""

from functools import lru_cache
from pathlib import Path

from limits import parse
from plc_shared.components import SERVICES, WEB
from plc_shared.settings import ServiceSettings
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_gateway"
    # Where each service (and the web app) listens: {"assessments": "http://127.0.0.1:8001", ...} (JSON in
    # GATEWAY_UPSTREAMS).
    upstreams: dict[str, str] = Field(
        default_factory=lambda: {c.name: f"http://127.0.0.1:{c.port}" for c in (*SERVICES, WEB)}
    )
    # Front-end origins allowed by CORS (JSON list in GATEWAY_CORS_ORIGINS); empty: no CORS headers at all.
    cors_origins: list[str] = Field(default_factory=list)

    # Upstream calls: a refused connection fails at once (503); a slow one is cut by these timeouts (504).
    # The address clients reach the gateway at (scheme, host, path prefix), when a proxy in front of it changes it;
    # unset: the scheme and Host the caller used. Services build public hrefs on it (X-Forwarded-*).
    public_base_url: str | None = None
    upstream_connect_timeout_s: float = 2.0
    upstream_read_timeout_s: float = 30.0
    upstream_pool_size: int = 256
    # Below the services' keep-alive timeout (uvicorn: 5 s), so the gateway drops idle connections first.
    upstream_keepalive_s: float = 4.0
    # Reading the caller's body must finish within this (408); header timeouts belong to the ASGI server.
    body_read_timeout_s: float = 30.0
    max_body_bytes: int = 1_048_576
    bulk_max_body_bytes: int = 50 * 1_048_576
    bulk_max_rows: int = 50_000

    # Token buckets, per replica (see limits.py): sustained requests/s and burst, per caller and per district.
    rate_per_principal: float = 50.0
    burst_per_principal: int = 200
    rate_per_tenant: float = 500.0
    burst_per_tenant: int = 2_000
    # Failed authentications (a token or key presented and refused; an expired genuine token does not count)
    # per source address, in the `limits` notation; past it the source gets 429 + Retry-After, except for
    # credentials verified moments ago. Behind a load balancer set FORWARDED_ALLOW_IPS to its address, so the
    # source is the client's (X-Forwarded-For), not the balancer's.
    auth_failures_per_source: str = "30/minute"
    # Requests of one district in flight to the services at once, per replica; up to `district_queue` more
    # wait (at most `district_wait_s`), the rest get 429. Keep it times the gateway replicas below a service's
    # database connections (pool + overflow, 20 by default), so another district always finds one.
    district_concurrency: int = 8
    district_queue: int = 64
    district_wait_s: float = 10.0

    # API keys are looked up at most this often per key (a revoke on another replica takes up to this long).
    api_key_cache_seconds: float = 5.0
    # Identity the gateway mints for API-key calls: a short-lived token the services verify themselves.
    internal_token_ttl_seconds: int = 120
    # Production: an RSA private key (PEM) to sign internal tokens RS256; served as a JWKS at /gateway/jwks.json.
    internal_signing_key: SecretStr | None = None
    # ...or the file holding it (a compose/Kubernetes secret): GATEWAY_INTERNAL_SIGNING_KEY_FILE.
    internal_signing_key_file: Path | None = None
    internal_key_id: str = "plc-gateway-1"

    # Audit rows are written in batches from an in-process queue.
    audit_flush_interval_s: float = 0.2
    audit_batch_size: int = 500

    openapi_cache_seconds: float = 30.0

    @field_validator("auth_failures_per_source")
    @classmethod
    def _a_limits_rule(cls, rule: str) -> str:
        parse(rule)  # "30/minute", "100 per hour": refused at start when `limits` cannot read it
        return rule


@lru_cache
def get_settings() -> Settings:
    return Settings()
