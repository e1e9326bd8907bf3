from plc_shared.migrate import run_env
from web.models import Base

run_env(Base.metadata, url_env="WEB_DATABASE_URL")
