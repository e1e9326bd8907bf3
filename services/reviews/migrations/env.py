from plc_shared.migrate import run_env
from reviews.models import Base

run_env(Base.metadata, url_env="REVIEWS_DATABASE_URL")
