"""Readiness API: my training status, and the QR sign-in for a phone app."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Router, Schema

from shuangfang.core.limits import code
from shuangfang.core.tenancy import get_for_user

from . import training
from .models import Session

router = Router(tags=["readiness"])


class LineOut(Schema):
    course: str
    state: str
    due_on: dt.date | None
    done_on: dt.date | None


class SignInIn(Schema):
    key: str = code()


class SignInOut(Schema):
    session: UUID
    signed_at: dt.datetime
    new: bool


@router.get("/training/mine", response=list[LineOut], summary="My required courses and their state")
def my_training(request):
    user = request.auth
    out = []
    insts = {
        m.organization.institution
        for m in user.active_memberships().select_related("organization__institution")
    }
    for inst in sorted((i for i in insts if i is not None), key=lambda i: i.pk):
        out += [
            LineOut(course=x.course.name, state=x.state, due_on=x.due_on, done_on=x.done_on)
            for x in training.status_lines(inst, people=[user])
        ]
    return out


@router.post("/sessions/{uuid}/sign-in", response=SignInOut, summary="Sign in to a training session")
def sign_in(request, uuid: UUID, body: SignInIn):
    session = get_for_user(Session, request.auth, "readiness.view", uuid=uuid)
    attendance, new = training.sign_in(actor=request.auth, session=session, key=body.key[:40])
    return SignInOut(session=session.uuid, signed_at=attendance.signed_at, new=new)
