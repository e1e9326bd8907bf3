"""The audit trail of student-level reads, one record shape for every service.

FERPA asks who saw which student's data: each read that returns student-level data logs one record on the
`plc.audit` logger (level INFO, whatever the service's log level) with who read (subject, role, district),
what (`action`, a few ids) and which students — ids only, never the data it protects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from plc_shared.auth import Principal

audit_log = logging.getLogger("plc.audit")
audit_log.setLevel(logging.INFO)


def audit_read(principal: Principal, action: str, student_ids: Iterable[str], **ids: Any) -> None:
    """Record that `principal` read data of `student_ids` through `action`; nothing when no student was read."""
    students = sorted(set(student_ids))
    if not students:
        return
    record = {
        "subject": principal.subject,
        "role": str(principal.role),
        "district_id": principal.district_id,
        "action": action,
        "student_ids": students,
        **ids,
    }
    audit_log.info(action, extra={"audit": record})
