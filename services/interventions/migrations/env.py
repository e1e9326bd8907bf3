from interventions.models import Base
from plc_shared.migrate import run_env

run_env(Base.metadata, url_env="INTERVENTIONS_DATABASE_URL")
