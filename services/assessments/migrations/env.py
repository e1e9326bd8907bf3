from assessments.models import Base
from plc_shared.migrate import run_env

run_env(Base.metadata, url_env="ASSESSMENTS_DATABASE_URL")
