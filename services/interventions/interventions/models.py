"""Tables of the interventions database. The outbox and inbox come from plc_shared so every service has the same ones."""

from plc_shared.db import make_metadata
from plc_shared.inbox import inbox_table
from plc_shared.outbox import Outbox, outbox_table
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    metadata = make_metadata()


outbox = Outbox(outbox_table(Base.metadata))
inbox = inbox_table(Base.metadata)
