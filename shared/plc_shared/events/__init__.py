"""Event contract: CloudEvents 1.0 envelope, versioned event models registered by type, JSON Schema export.

One module per producing service (`events/assessments.py`, ...) declares its `Event` subclasses.
"""

from plc_shared.events.envelope import (
    CloudEvent,
    Event,
    event_model,
    export_json_schemas,
    parse_event,
    registered_types,
)

__all__ = ["CloudEvent", "Event", "event_model", "export_json_schemas", "parse_event", "registered_types"]
