"""docker compose cannot run here, so the compose file is checked statically against the code."""

from pathlib import Path

import yaml
from plc_shared.components import ALL, SERVICES, WEB
from plc_shared.settings import AuthSettings, KafkaSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def known_env_names(component) -> set[str]:
    module = __import__(f"{component.name}.config", fromlist=["Settings"])
    names = {f"{component.env_prefix}{field}".upper() for field in module.Settings.model_fields}
    names |= {f"KAFKA_{field}".upper() for field in KafkaSettings.model_fields}
    names |= {f"AUTH_{field}".upper() for field in AuthSettings.model_fields}
    return names | {"COMPONENT", "PLC_POSTGRES_ADMIN_URL"}


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
        assert component.database_url_env in env


def test_migrate_step_has_every_database_and_only_the_gateway_is_published():
    env = COMPOSE["services"]["migrate"]["environment"]
    assert {c.database_url_env for c in ALL} <= set(env)
    published = [name for name, spec in COMPOSE["services"].items() if spec.get("ports")]
    assert published == ["gateway"]
    upstreams = COMPOSE["services"]["gateway"]["environment"]["GATEWAY_UPSTREAMS"]
    assert all(f'"{c.name}"' in upstreams for c in SERVICES)


def test_no_default_secrets_and_production_auth():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text  # compose refuses to start without it
    for component in ALL:
        env = COMPOSE["services"][component.name]["environment"]
        assert env["AUTH_ENVIRONMENT"] == "production"
        assert env["AUTH_DEV_SIGNING_KEY"] == ""
        assert env["KAFKA_ENABLE_IDEMPOTENCE"] == "true"


def test_the_web_app_runs_behind_the_gateway_with_production_sign_in_and_no_default_secret():
    web = COMPOSE["services"]["web"]
    env = web["environment"]
    assert env["COMPONENT"] == WEB.name and web["restart"] == "unless-stopped"
    assert "readyz" in " ".join(web["healthcheck"]["test"])
    assert set(env) <= known_env_names(WEB) - {"PLC_POSTGRES_ADMIN_URL"}
    assert env["AUTH_ENVIRONMENT"] == "production" and env["AUTH_DEV_SIGNING_KEY"] == ""
    assert env["WEB_SESSION_SECRET"].startswith("${WEB_SESSION_SECRET:?")
    assert env["WEB_OIDC_ISSUER"] and env["WEB_GATEWAY_URL"] == "http://gateway:8000"
    assert '"web": "http://web:8000"' in COMPOSE["services"]["gateway"]["environment"]["GATEWAY_UPSTREAMS"]
    assert "COPY web ./web" in (ROOT / "deploy" / "Dockerfile").read_text()
