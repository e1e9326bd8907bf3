"""Settings of the gateway (env prefix GATEWAY_; auth settings are shared: AUTH_*)."""

from functools import lru_cache

from plc_shared.components import SERVICES
from plc_shared.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_gateway"
    # Where each service listens: {"assessments": "http://127.0.0.1:8001", ...} (JSON in GATEWAY_UPSTREAMS).
    upstreams: dict[str, str] = Field(
        default_factory=lambda: {c.name: f"http://127.0.0.1:{c.port}" for c in SERVICES}
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
