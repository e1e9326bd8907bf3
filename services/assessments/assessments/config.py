"""Settings of the assessments service (env prefix ASSESSMENTS_; Kafka and auth settings are shared: KAFKA_*, AUTH_*)."""

from functools import lru_cache

from plc_shared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENTS_", extra="ignore")

    service_name: str = "assessments"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/plc_assessments"
    # Limits of one request (the gateway may enforce lower ones per tenant).
    bulk_max_rows: int = 50_000
    bulk_max_bytes: int = 64 * 1024 * 1024
    import_max_bytes: int = 256 * 1024 * 1024
    # How often the standings of students whose results changed are computed (analysis.service); a read of the
    # district-wide analysis computes those still stale itself.
    standings_interval_s: float = 5.0


@lru_cache
def get_settings() -> Settings:
    return Settings()
