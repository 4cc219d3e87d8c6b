from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema

from shuangfang.core.tenancy import get_for_user
from shuangfang.orgs.models import Organization

from . import services

router = Router(tags=["duty"])


class TurnOut(Schema):
    shift: str
    start: datetime
    end: datetime
    person: str | None
    person_uuid: UUID | None
    phone: str


class BoardOut(Schema):
    now: list[TurnOut]
    next: list[TurnOut]


def _turn(t: services.Turn) -> TurnOut:
    return TurnOut(
        shift=t.shift.name,
        start=t.start,
        end=t.end,
        person=str(t.user) if t.user else None,
        person_uuid=t.user.uuid if t.user else None,
        phone=t.user.phone if t.user else "",
    )


@router.get("/institutions/{uuid}/on-duty", response=BoardOut, summary="Who is on duty now and next")
def on_duty(request, uuid: UUID):
    institution = get_for_user(Organization.objects.institutions(), request.auth, "duty.view", uuid=uuid)
    now, nxt = services.now_and_next(institution)
    return BoardOut(now=[_turn(t) for t in now], next=[_turn(t) for t in nxt])
