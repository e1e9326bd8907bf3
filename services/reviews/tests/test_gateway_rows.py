"""Every reviews route has its own gateway row (not a catch-all), and the row's roles are those the service
itself admits (the gateway is the coarse check; the service checks again)."""

from reviews.config import Settings
from reviews.main import create_app

from gateway import routes


def test_every_reviews_route_has_its_own_row():
    app = create_app(Settings(database_url="postgresql+asyncpg://unused@127.0.0.1/unused"))
    missing = []
    for path, item in app.openapi()["paths"].items():
        if not path.startswith("/reviews/"):
            continue  # /healthz, /readyz, /metrics: operational, not routed by the gateway
        concrete = path.replace("{school_year}", "2026")
        concrete = concrete.replace("{", "").replace("}", "")
        for method in item:
            found = routes.match(method.upper(), concrete)
            if found is None or not found[0].pattern.startswith(routes.RV):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
