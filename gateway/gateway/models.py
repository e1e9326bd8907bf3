"""Tables of the gateway database (API keys and the audit log arrive with the gateway issue)."""

from plc_shared.db import make_metadata
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    metadata = make_metadata()
