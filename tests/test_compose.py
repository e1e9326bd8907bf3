"""docker compose cannot run here, so the compose file is checked statically against the code."""

from pathlib import Path

import yaml
from plc_shared.components import ALL, PROCESSES, SERVICES, WEB
from plc_shared.settings import AdminDatabaseSettings, AuthSettings, EventSettings, KafkaSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
# Read by the image's command (deploy/Dockerfile), not by a settings class.
IMAGE_ENV = {"COMPONENT"}


def settings_class(component):
    return __import__(f"{component.name}.config", fromlist=["Settings"]).Settings


def env_names(prefix: str, cls) -> set[str]:
    return {f"{prefix}{field}".upper() for field in cls.model_fields}


def known_env_names(component) -> set[str]:
    names = env_names(component.env_prefix, settings_class(component))
    names |= env_names("KAFKA_", KafkaSettings) | env_names("AUTH_", AuthSettings)
    names |= env_names("EVENTS_", EventSettings)
    return names | IMAGE_ENV


def test_every_component_runs_with_health_checks_and_restarts():
    services = COMPOSE["services"]
    for component in ALL:
        spec = services[component.name]
        assert spec["environment"]["COMPONENT"] == component.name
        assert spec["restart"] == "unless-stopped"
        assert "readyz" in " ".join(spec["healthcheck"]["test"])
        assert spec["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert {"postgres", "kafka", "migrate"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka")


def test_environment_names_match_the_settings_classes():
    for component in ALL:
        env = COMPOSE["services"][component.name]["environment"]
        unknown = set(env) - known_env_names(component)
        assert not unknown, f"{component.name}: {unknown} are read by no settings class"
        prefix = component.env_prefix
        assert {
            f"{prefix}DB_HOST",
            f"{prefix}DB_USER",
            f"{prefix}DB_NAME",
            f"{prefix}DB_PASSWORD_FILE",
        } <= set(env)
        assert component.database_url_env not in env  # never a URL with a password pasted in


def test_migrate_step_has_every_database_and_only_the_gateway_is_published():
    env = COMPOSE["services"]["migrate"]["environment"]
    known = set().union(*(known_env_names(c) for c in PROCESSES)) | env_names(
        "PLC_POSTGRES_ADMIN_", AdminDatabaseSettings
    )
    assert not set(env) - known, f"migrate: {set(env) - known} are read by no settings class"
    for component in PROCESSES:  # the web app's database (its sessions) too
        service_env = COMPOSE["services"][component.name]["environment"]
        for part in ("DB_HOST", "DB_USER", "DB_NAME", "DB_PASSWORD_FILE"):
            name = f"{component.env_prefix}{part}"
            assert env[name] == service_env[name], f"migrate provisions {name} as the service uses it"
    published = [
        name for name, spec in COMPOSE["services"].items() if spec.get("ports") and not spec.get("profiles")
    ]
    assert published == ["gateway"]
    for name, spec in COMPOSE["services"].items():
        if spec.get("profiles") and spec.get("ports"):  # optional tools answer on the host only
            assert all(str(port).startswith("127.0.0.1:") for port in spec["ports"]), name
    upstreams = COMPOSE["services"]["gateway"]["environment"]["GATEWAY_UPSTREAMS"]
    assert all(f'"{c.name}"' in upstreams for c in SERVICES)


def test_no_default_secrets_and_production_auth():
    for component in ALL:
        env = COMPOSE["services"][component.name]["environment"]
        assert env["AUTH_ENVIRONMENT"] == "production"
        assert env["AUTH_DEV_SIGNING_KEY"] == ""
        assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    # Every secret comes from the operator's environment (.env): none has a value in the compose file.
    for name, secret in COMPOSE["secrets"].items():
        assert set(secret) == {"environment"}, f"secret {name} must be read from the environment"


def test_the_web_app_runs_behind_the_gateway_with_production_sign_in_and_no_default_secret():
    web = COMPOSE["services"]["web"]
    env = web["environment"]
    assert env["COMPONENT"] == WEB.name and web["restart"] == "unless-stopped"
    assert "readyz" in " ".join(web["healthcheck"]["test"])
    assert set(env) <= known_env_names(WEB) - {"PLC_POSTGRES_ADMIN_URL"}
    assert env["AUTH_ENVIRONMENT"] == "production" and env["AUTH_DEV_SIGNING_KEY"] == ""
    assert (
        "WEB_SESSION_SECRET" not in env
        and env["WEB_SESSION_SECRET_FILE"] == "/run/secrets/web_session_secret"
    )
    # Its own database (sessions) as its own role, after the migration step; no broker.
    assert set(web["secrets"]) == {"web_db_password", "web_session_secret", "web_oidc_client_secret"}
    assert env["WEB_DB_USER"] == env["WEB_DB_NAME"] == WEB.database and "WEB_DATABASE_URL" not in env
    assert env["WEB_DB_PASSWORD_FILE"] == "/run/secrets/web_db_password"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert not any(name.startswith("KAFKA_") for name in env)
    assert env["WEB_OIDC_ISSUER"] and env["WEB_GATEWAY_URL"] == "http://gateway:8000"
    assert '"web": "http://web:8000"' in COMPOSE["services"]["gateway"]["environment"]["GATEWAY_UPSTREAMS"]
