"""The processes of PLC Suite: one table that `plc`, the tests and the compose checks all read."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Component:
    name: str  # python package and service name
    port: int  # default local port
    database: str  # default database name
    env_prefix: str  # settings prefix, e.g. ASSESSMENTS_

    @property
    def app(self) -> str:
        """The app factory (importing a service module has no side effects): what plc_shared.serving runs."""
        return f"{self.name}.main:create_app"

    def serve_command(self, host: str, port: int) -> list[str]:
        """The process as `plc up` and the image run it: uvicorn with the request-head bounds
        (plc_shared.serving), the factory `<name>.main:create_app`."""
        return [sys.executable, "-m", "plc_shared.serving", self.name, "--host", host, "--port", str(port)]

    @property
    def database_url_env(self) -> str:
        return f"{self.env_prefix}DATABASE_URL"

    @property
    def package_dir(self) -> Path:
        spec = importlib.util.find_spec(self.name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"package {self.name!r} is not installed")
        return Path(spec.origin).resolve().parent

    @property
    def project_dir(self) -> Path:
        return self.package_dir.parent

    @property
    def migrations_dir(self) -> Path:
        """The source tree's `services/<name>/migrations`; in the image (a non-editable install) the
        Dockerfile ships them beside the installed package, `site-packages/<name>/migrations`."""
        shipped = self.package_dir / "migrations"
        return shipped if shipped.is_dir() else self.project_dir / "migrations"


SERVICES: tuple[Component, ...] = (
    Component("assessments", 8001, "plc_assessments", "ASSESSMENTS_"),
    Component("goals", 8002, "plc_goals", "GOALS_"),
    Component("interventions", 8003, "plc_interventions", "INTERVENTIONS_"),
    Component("reviews", 8004, "plc_reviews", "REVIEWS_"),
)
GATEWAY = Component("gateway", 8000, "plc_gateway", "GATEWAY_")
ALL: tuple[Component, ...] = (*SERVICES, GATEWAY)  # the API processes: a database and the broker each
# The web app calls the public API through the gateway with the signed-in user's token; its own database holds
# the sessions only (no broker).
WEB = Component("web", 8005, "plc_web", "WEB_")
PROCESSES: tuple[Component, ...] = (*ALL, WEB)  # what `plc up` starts; each has a database `plc` migrates


def by_name(name: str) -> Component:
    for component in PROCESSES:
        if component.name == name:
            return component
    raise KeyError(name)
