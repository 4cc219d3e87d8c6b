"""Readiness API: my training status, the QR sign-in for a phone app, and the lists of drills,
training sessions and responsibility letters in the caller's scope (the same rows as the pages:
drills and sessions of the institutions where one sees readiness, one's own letters and those of
the institutions where one tracks letters), paged, newest first."""

import datetime as dt
from uuid import UUID

from ninja import Query, Router, Schema

from shuangfang.core.api import paginate_unvalidated
from shuangfang.core.limits import SHORT, code
from shuangfang.core.tenancy import get_for_user

from . import letters, training
from .models import Drill, Letter, Session

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


class _InInstitution(Schema):
    uuid: UUID
    institution: UUID
    institution_name: str

    @staticmethod
    def resolve_institution(obj) -> UUID:
        return obj.organization.uuid

    @staticmethod
    def resolve_institution_name(obj) -> str:
        return obj.organization.name


class DrillOut(_InInstitution):
    title: str
    kind: str
    building: str
    planned_on: dt.date
    status: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    evacuation_seconds: int | None
    participant_count: int


class SessionOut(_InInstitution):
    title: str
    course: str
    delivery: str
    trainer: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    pass_mark: int | None
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_course(obj: Session) -> str:
        return obj.course.name


class LetterOut(_InInstitution):
    year: int
    title: str
    level: str
    holder: UUID
    holder_name: str
    holder_party: str
    status: str
    issued_at: dt.datetime
    signed_at: dt.datetime | None

    @staticmethod
    def resolve_holder(obj: Letter) -> UUID:
        return obj.holder.uuid

    @staticmethod
    def resolve_holder_name(obj: Letter) -> str:
        return obj.holder.name


@router.get("/drills", response=list[DrillOut], summary="Drills of the institutions you see")
@paginate_unvalidated
def drill_list(request, institution: UUID | None = None, status: str | None = Query(None, max_length=SHORT)):
    qs = Drill.objects.for_user(request.auth, "readiness.view").select_related("organization")
    if institution:
        qs = qs.filter(organization__uuid=institution)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-planned_on", "-pk")


@router.get("/sessions", response=list[SessionOut], summary="Training sessions of the institutions you see")
@paginate_unvalidated
def session_list(request, institution: UUID | None = None, open: bool | None = None):
    qs = Session.objects.for_user(request.auth, "readiness.view").select_related("organization", "course")
    if institution:
        qs = qs.filter(organization__uuid=institution)
    if open is not None:
        qs = qs.filter(closed_at__isnull=open)
    return qs.order_by("-starts_at", "-pk")


@router.get(
    "/letters",
    response=list[LetterOut],
    summary="Your responsibility letters, and those of the institutions where you track letters",
)
@paginate_unvalidated
def letter_list(
    request,
    institution: UUID | None = None,
    year: int | None = None,
    status: str | None = Query(None, max_length=SHORT),
):
    qs = (
        letters.visible(request.auth)
        .select_related("organization", "holder")
        .defer("signature_png", "signed_pdf", "risk_lines", "duties")
    )
    if institution:
        qs = qs.filter(organization__uuid=institution)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "-issued_at", "-pk")
