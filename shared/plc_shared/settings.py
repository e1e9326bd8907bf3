"""Settings shared by every process. Each service adds one class with its own env prefix.

Infrastructure settings that several processes share (Kafka, auth) have their own prefix so one
`KAFKA_BOOTSTRAP_SERVERS` points every service at the same broker.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SIGNING_KEY = "plc-dev-signing-key-not-for-production-use!"


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    # Prefix for every topic name: lets several stacks (or test runs) share one broker.
    topic_prefix: str = ""
    # Apache Kafka: true. The local Tansu broker rejects InitProducerId, so `plc up` and tests turn it off.
    enable_idempotence: bool = True
    request_timeout_ms: int = 15_000
    # Topic creation: 1 for the local broker; 3 on a production Apache Kafka cluster.
    replication_factor: int = 1
    # How long a consumer's fetch may wait at the broker for data. Apache Kafka answers as soon as a record
    # arrives, whatever this is; the local Tansu broker answers only when the wait is over, so with
    # aiokafka's default (500 ms) every event waited about a tenth of a second more (measured: p50 115 ms
    # at 500, 18 ms at 100, 4 ms at 20). Idle consumers send one small fetch per wait.
    consumer_fetch_max_wait_ms: int = 50

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"


class AuthSettings(BaseSettings):
    """How a process verifies bearer JWTs: a dev HS256 key, or RS256/ES256 through an issuer's JWKS."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    environment: Literal["dev", "test", "production"] = "dev"
    issuer: str = "plc-dev"
    audience: str = "plc-suite"
    jwks_url: str | None = None
    # Keys are cached; an unknown kid (key rotation) refetches the set at most once per cooldown.
    jwks_cache_seconds: float = 300
    jwks_refresh_cooldown_seconds: float = 10
    jwks_timeout_seconds: float = 5
    # HS256 shared key for local development and `plc token`; never accepted outside dev/test.
    dev_signing_key: SecretStr | None = SecretStr(DEV_SIGNING_KEY)
    leeway_seconds: int = 30
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> AuthSettings:
        if self.environment == "production":
            key = self.dev_signing_key.get_secret_value() if self.dev_signing_key else None
            if key == DEV_SIGNING_KEY:
                raise ValueError(
                    "AUTH_DEV_SIGNING_KEY still holds the development key; unset it in production"
                )
            if not self.jwks_url and not key:
                raise ValueError("production needs AUTH_JWKS_URL (or an explicit AUTH_DEV_SIGNING_KEY)")
        return self


class ServiceSettings(BaseSettings):
    """Base for one service's settings; subclasses set `env_prefix` (ASSESSMENTS_, GOALS_, ...)."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str
    database_url: str
    # Set false on processes that only serve HTTP (for example a dedicated relay/consumer split).
    run_relay: bool = True
    run_consumers: bool = True
    # Periodic jobs (plc_shared.periodic), e.g. goals settling goals past their deadline.
    run_periodic: bool = True
    relay_batch_size: int = 2_000
    relay_poll_interval_s: float = 0.05
    consumer_max_attempts: int = 3
    # Events handled per transaction at most (one fetch, all partitions).
    consumer_batch_size: int = 1_000
    db_pool_size: int = 10
    log_level: str = "INFO"
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
