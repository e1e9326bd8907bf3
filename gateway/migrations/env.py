from gateway.models import Base
from plc_shared.migrate import run_env

run_env(Base.metadata, url_env="GATEWAY_DATABASE_URL")
