"""Reminder letters (源头治理流浪乞讨人员局限困境提示函, seed; §5.6) to the home government and relief
agency of a repeat wanderer: drafted from the station's editable template, sent, delivered,
answered, followed up. An answer overdue is told to the writer and the head once per due date
(daily sweep, through the outbox). A national template was NOT FOUND: the default text is ours."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity
from shuangfang.core.workflow import Transition, Workflow
from shuangfang.orgs.roles import Role

from . import persons
from .choices import DeliveryMethod, LetterStatus
from .models import Letter, LetterTemplate, Person

L = LetterStatus
audit.register_actions(
    {
        "relief.letter_drafted": gettext_lazy("Drafted a reminder letter"),
        "relief.letter_send": gettext_lazy("Sent the reminder letter"),
        "relief.letter_deliver": gettext_lazy("Recorded the letter's delivery"),
        "relief.letter_answer": gettext_lazy("Recorded the answer"),
        "relief.letter_close": gettext_lazy("Closed the reminder letter"),
        "relief.template_saved": gettext_lazy("Saved the letter template"),
    }
)

PLACEHOLDERS = (
    "name",
    "sex",
    "age",
    "home_area",
    "recipient",
    "difficulty",
    "requests",
    "stays",
    "station",
    "date",
)
DEFAULT_SUBJECT = "关于源头治理流浪乞讨人员局限困境提示函"
DEFAULT_BODY = """$recipient：

$name（$sex，$age），户籍地$home_area，曾$stays次在我站接受救助。经了解，其存在以下困难：
$difficulty

为从源头上解决其流浪乞讨问题，请贵单位协助核实并解决以下事项：
$requests

请于收函后及时将核实处理情况函复我站。

$station
$date"""


def template_for(organization) -> LetterTemplate:
    """The station's template, or an unsaved default one."""
    found = LetterTemplate.objects.filter(organization=organization).first()
    return found or LetterTemplate(organization=organization, subject=DEFAULT_SUBJECT, body=DEFAULT_BODY)


def save_template(*, actor, organization, subject: str, body: str, answer_days: int) -> LetterTemplate:
    require(actor, "relief.approve", organization)
    persons.require_station(organization)
    if not subject.strip() or not body.strip():
        raise ValidationError(_("Write the subject and the body."))
    try:
        string.Template(body).substitute(dict.fromkeys(PLACEHOLDERS, "x"))
    except (KeyError, ValueError) as exc:
        raise ValidationError(
            _("Unknown placeholder %(p)s; use: %(all)s.")
            % {"p": exc, "all": " ".join(f"${k}" for k in PLACEHOLDERS)}
        ) from None
    if not 1 <= answer_days <= 365:
        raise ValidationError(_("Days to answer: between 1 and 365."))
    with transaction.atomic():
        tpl, _created = LetterTemplate.objects.update_or_create(
            organization=organization,
            defaults={"subject": subject.strip()[:120], "body": body.strip(), "answer_days": answer_days},
        )
        audit.record(actor=actor, action="relief.template_saved", obj=tpl, organization=organization)
    return tpl


def draft(*, actor, person: Person, home_area: str, recipient: str, difficulty: str, requests: str) -> Letter:
    """A letter for a repeat wanderer, its text filled from the station's template (editable after)."""
    org = person.organization
    require(actor, "relief.manage", org)
    errors = {
        k: _("This field is required.")
        for k, v in {
            "home_area": home_area,
            "recipient": recipient,
            "difficulty": difficulty,
            "requests": requests,
        }.items()
        if not (v or "").strip()
    }
    if errors:
        raise ValidationError(errors)
    if not person.repeat_wanderer:
        raise ValidationError(_("Reminder letters are written for repeat wanderers."))
    tpl = template_for(org)
    today = timezone.localdate()
    from .identity import age_on

    age = age_on(person.birth_date, today) if person.birth_date else person.age_estimate
    values = {
        "name": person.name,
        "sex": person.get_sex_display(),
        "age": _("%(n)s years old") % {"n": age} if age is not None else _("age unknown"),
        "home_area": home_area.strip(),
        "recipient": recipient.strip(),
        "difficulty": difficulty.strip(),
        "requests": requests.strip(),
        "stays": str(person.cases.count()),
        "station": org.name,
        "date": f"{today:%Y-%m-%d}",
    }
    with transaction.atomic():
        letter = Letter.objects.create(
            organization=org,
            number=persons.next_number(org, "letter", "TS", today.year),
            person=person,
            home_area=values["home_area"][:120],
            recipient=values["recipient"][:200],
            difficulty=values["difficulty"],
            requests=values["requests"],
            subject=tpl.subject,
            body=string.Template(tpl.body).safe_substitute(values),
            created_by=actor,
        )
        audit.record(actor=actor, action="relief.letter_drafted", obj=letter, organization=org)
    return letter


def _guard_send(letter: Letter, actor, ctx: dict[str, Any]) -> None:
    if ctx.get("method") not in DeliveryMethod.values:
        raise ValidationError(_("Choose how the letter is sent."))


def _stamp_send(letter: Letter, actor, ctx: dict[str, Any]) -> None:
    letter.delivery_method = ctx["method"]
    letter.sent_at = timezone.now()
    days = template_for(letter.organization).answer_days
    letter.answer_due = ctx.get("answer_due") or timezone.localdate() + dt.timedelta(days=days)
    if ctx.get("body"):
        letter.body = ctx["body"]


def _guard_deliver(letter: Letter, actor, ctx: dict[str, Any]) -> None:
    on = ctx.get("delivered_on")
    if on is None:
        raise ValidationError(_("Write the delivery date."))
    if on > timezone.localdate() or (letter.sent_at and on < timezone.localdate(letter.sent_at)):
        raise ValidationError(_("The delivery date is between the sending date and today."))


def _stamp_deliver(letter: Letter, actor, ctx: dict[str, Any]) -> None:
    letter.delivered_on = ctx["delivered_on"]
    letter.delivery_receipt = (ctx.get("receipt") or "").strip()[:120]


def _guard_answer(letter: Letter, actor, ctx: dict[str, Any]) -> None:
    on = ctx.get("answered_on")
    if on is None or not (ctx.get("answer") or "").strip():
        raise ValidationError(_("Write the date and the content of the answer."))
    if on > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    follow = ctx.get("follow_up_on")
    if follow is not None and follow < on:
        raise ValidationError(_("The follow-up date comes after the answer."))


def _stamp_answer(letter: Letter, actor, ctx: dict[str, Any]) -> None:
    letter.answered_on, letter.answer = ctx["answered_on"], ctx["answer"].strip()
    letter.follow_up_on = ctx.get("follow_up_on")


FLOW: Workflow[Letter] = Workflow(
    model=Letter,
    audit_prefix="relief.letter_",
    lock=True,
    audited=("delivery_method", "answer_due", "answered_on"),
    transitions=[
        Transition(L.DRAFT, "send", L.SENT, who="relief.manage", guard=_guard_send, effects=[_stamp_send]),
        Transition(
            L.SENT,
            "deliver",
            L.DELIVERED,
            who="relief.manage",
            guard=_guard_deliver,
            effects=[_stamp_deliver],
        ),
        Transition(
            [L.SENT, L.DELIVERED],
            "answer",
            L.ANSWERED,
            who="relief.manage",
            guard=_guard_answer,
            effects=[_stamp_answer],
        ),
        Transition([L.ANSWERED], "close", L.CLOSED, who="relief.manage"),
    ],
)


def move(letter: Letter, action: str, *, actor, **context) -> Letter:
    return FLOW.move(letter, action, actor=actor, **context)


def remind_overdue(today: dt.date | None = None) -> int:
    """Tell the writer and the head about each letter whose answer is overdue, once per due date
    (``reminded_on`` marks it; the outbox origin names the due date). Returns how many."""
    today = today or timezone.localdate()
    told = 0
    due = Letter.objects.filter(
        status__in=[L.SENT, L.DELIVERED], answer_due__lt=today, reminded_on__isnull=True
    )
    for letter in due.select_related("organization"):
        with transaction.atomic():
            claimed = Letter.objects.filter(pk=letter.pk, reminded_on__isnull=True).update(reminded_on=today)
            if not claimed:
                continue
            publish(
                "relief.letter_overdue",
                organization_id=letter.organization_id,
                object_uuid=str(letter.uuid),
                due=letter.answer_due.isoformat(),
                title=_("Reminder letter %(n)s: no answer since %(d)s")
                % {"n": letter.number, "d": f"{letter.answer_due:%Y-%m-%d}"},
                url=reverse("relief:letter", kwargs={"uuid": letter.uuid}),
                severity=Severity.WARNING,
                recipient_ids=[letter.created_by_id],
                roles=[Role.INSTITUTION_HEAD],
            )
            told += 1
    return told
