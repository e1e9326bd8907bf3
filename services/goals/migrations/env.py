from goals.models import Base
from plc_shared.migrate import run_env

run_env(Base.metadata, url_env="GOALS_DATABASE_URL")
