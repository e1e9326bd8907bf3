"""Who signs in, as the roster knows them: the dev sign-in's list of a district's staff and the person chosen
from it, and the staff record behind an identity provider's subject.

The same person signing in twice is the same subject: a staff member chosen in the dev sign-in is signed in as
their roster sourcedId (so the pages that name champions, deciders and reviewers find them), a typed name as a
subject derived from the district and the name. In production the identity provider's subject is looked up on
the roster (`GET /assessments/roster/me`: the staff record whose sourcedId or identifier it is)."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

import httpx
from plc_shared.auth import Role, mint_dev_token

from web.client import Api
from web.roster import teacher_name

logger = logging.getLogger(__name__)

# The roster's staff roles (OneRoster) → the role a dev sign-in gives them unless another is chosen.
ROSTER_ROLES = {"teacher": Role.TEACHER, "aide": Role.TEACHER, "proctor": Role.TEACHER,
                "administrator": Role.SCHOOL_LEADER}  # fmt: skip


@dataclass(frozen=True)
class Person:
    subject: str
    name: str
    role: Role
    schools: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


def typed_subject(district: str, name: str) -> str:
    """A stable subject for a typed name: the same words (any case or spacing) in the same district, the same
    subject, so a reviewer who signs in again finds their draft."""
    said = re.sub(r"\s+", " ", name).strip().casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", said).strip("-")[:40] or "person"
    return f"dev-{slug}-{hashlib.sha256(f'{district}|{said}'.encode()).hexdigest()[:8]}"


def reader_api(request, district: str) -> Api:
    """The dev sign-in's own short-lived district-admin token, to read the district's staff before anyone is
    signed in (dev only: the dev key signs it, as `plc token` would)."""
    settings = request.app.state.settings
    token = mint_dev_token(settings.auth, role=Role.DISTRICT_ADMIN, district_id=district,
                           subject="dev-web-sign-in", ttl_seconds=60)  # fmt: skip
    return Api(request.app.state.http, token)


async def district_staff(request, district: str) -> list[dict]:
    """The district's staff by name ("Maria Rivera · teacher · Lincoln ES"), for the dev sign-in's list."""
    api = reader_api(request, district)
    try:
        staff = await api.get_or([], "/assessments/roster/staff")
        schools = await api.get_or([], "/assessments/roster/schools")
    except httpx.TransportError as exc:  # no API (yet): a name can still be typed
        logger.warning("the dev sign-in could not read the roster's staff: %r", exc)
        return []
    school_names = {s["sourced_id"]: s["name"] for s in schools}
    return [
        {
            "id": s["sourced_id"],
            "label": " · ".join(
                [
                    teacher_name(s),
                    (s.get("roles") or ["staff"])[0],
                    *(school_names.get(x, x) for x in s["school_ids"]),
                ]
            ),
        }
        for s in staff
    ]


async def chosen_person(request, district: str, staff_id: str, role: str) -> Person | None:
    """The staff member chosen, signed in as themselves: their sourcedId, name, schools and (teachers) the classes
    the roster says they teach; `role` overrides the roster's (e.g. a staff member who reviews)."""
    api = reader_api(request, district)
    staff = await api.get_or(None, f"/assessments/roster/staff/{staff_id}")
    if staff is None:
        return None
    as_role = Role(role) if role else ROSTER_ROLES.get((staff.get("roles") or [""])[0], Role.TEACHER)
    classes: tuple[str, ...] = ()
    if as_role is Role.TEACHER:
        taught = await api.get_or([], "/assessments/roster/classes")
        classes = tuple(c["sourced_id"] for c in taught if staff_id in (c.get("teacher_ids") or []))
    schools = () if as_role in (Role.DISTRICT_ADMIN, Role.ANALYST) else tuple(staff["school_ids"])
    return Person(staff_id, teacher_name(staff), as_role, schools, classes)


async def my_name(api: Api) -> str | None:
    """The signed-in person's name on the roster (their staff record), if the roster has one."""
    try:
        me = await api.get_or(None, "/assessments/roster/me")
    except httpx.TransportError as exc:  # the sign-in goes on with the issuer's name
        logger.warning("the roster could not be asked who signed in: %r", exc)
        return None
    return teacher_name(me) if me else None
