"""Generating reports: on demand (:func:`generate`, replaces the report of the same period) and at
period end (:func:`generate_due`, only what is missing; safe when two workers run it at once)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import audit, messages
from shuangfang.core.events import publish
from shuangfang.core.periods import Period
from shuangfang.core.tenancy import require
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.models import Membership, Organization, OrgKind
from shuangfang.orgs.roles import Role

from . import content, render
from .choices import Kind
from .models import Report
from .periods import last_ended, of

log = logging.getLogger(__name__)

REPORT_KINDS = (OrgKind.INSTITUTION, OrgKind.BUREAU, OrgKind.DISTRICT_BUREAU)
# Who is told that a report is ready: the principal (主要负责人) of the organisation.
PRINCIPAL: dict[str, str] = {OrgKind.INSTITUTION: Role.INSTITUTION_HEAD}
BUREAU_PRINCIPAL: str = Role.BUREAU_SUPERVISOR

messages.register({"report.generated": gettext_lazy("%(org)s · %(period)s · %(kind)s")})
messages.register_label("report_kind", lambda code: Kind(code).label)
audit.register_actions(
    {
        "report.generate": gettext_lazy("Safety report generated"),
        "report.regenerate": gettext_lazy("Safety report generated again"),
    }
)


def check_period(org: Organization, kind: str, period_start: dt.date, today: dt.date) -> Period:
    """The period of ``kind`` starting on ``period_start``, for ``org``; a ``ValidationError`` the
    user can read for anything else."""
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of report."))
    period = of(kind, period_start)
    if period.start != period_start:
        raise ValidationError(_("A report period starts on the first day of a month or quarter."))
    if not period.has_ended(today):
        raise ValidationError(
            _("The period %(period)s has not ended yet: a report covers a whole month or quarter.")
            % {"period": period.key}
        )
    if org.kind not in REPORT_KINDS or not org.is_active:
        raise ValidationError(_("Reports are made for active institutions and bureaus only."))
    return period


def generate(
    org: Organization,
    kind: str,
    period_start: dt.date,
    *,
    actor=None,
    replace: bool = True,
    now: dt.datetime | None = None,
) -> Report:
    """Compute ``org``'s report for the period and store it with its PDF and workbook.
    ``actor`` None: the automatic run. ``replace``: a report of the same period is replaced (on
    demand); otherwise it is kept and returned as it is (the automatic run)."""
    now = now or timezone.now()
    period = check_period(org, kind, period_start, timezone.localdate(now))
    if actor is not None:
        require(actor, "report.generate", org)
    key = {"organization": org, "kind": kind, "period_start": period.start}
    if not replace:
        existing = Report.objects.light().filter(**key).first()
        if existing is not None:
            return existing
    # The slow part (reading, drawing, typesetting) runs before the transaction takes any lock.
    figures = content.build(org, period, now=now)
    files = {"figures": figures, "pdf": render.pdf(figures), "xlsx": render.xlsx(figures)}
    by = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        report = Report.objects.select_for_update().light().filter(**key).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        **key, period_end=period.end, generated_at=now, generated_by=by, **files
                    )
            except IntegrityError:  # another worker stored it since we looked
                report = Report.objects.select_for_update().light().get(**key)
            else:
                audit.record(
                    actor=by,
                    action="report.generate",
                    obj=report,
                    organization=org,
                    after={"period": period.key, "kind": kind},
                )
                _announce(report, org, by)
                return report
        if not replace:
            return report
        before = {
            "generated_at": report.generated_at.isoformat(),
            "generated_by": str(report.generated_by or ""),
        }
        Report.objects.filter(pk=report.pk).update(generated_at=now, generated_by=by, **files)
        report.refresh_from_db()
        audit.record(
            actor=by,
            action="report.regenerate",
            obj=report,
            organization=org,
            before=before,
            after={"generated_at": now.isoformat(), "generated_by": str(by or "")},
        )
        _announce(report, org, by)
    return report


def _announce(report: Report, org: Organization, actor) -> None:
    """Tell the principal (after commit, through the notifications app's inbox)."""
    role = PRINCIPAL.get(org.kind, BUREAU_PRINCIPAL)
    ids = [
        pk
        for pk in Membership.objects.active()
        .filter(organization=org, role=role)
        .values_list("user_id", flat=True)
        if pk != getattr(actor, "pk", None)
    ]
    if not ids:
        return
    publish(
        "report.generated",
        organization_id=org.pk,
        object_uuid=str(report.uuid),
        generated_at=report.generated_at.isoformat(),
        recipient_ids=ids,
        **messages.title_fields(
            "report.generated",
            org=report.figures["organization"]["name"],
            period=report.figures["period"]["label"],
            kind=messages.label("report_kind", report.figures["kind"]),
        ),
        url=reverse("reports:detail", kwargs={"uuid": report.uuid}),
        severity=Severity.INFO,
    )


def generate_due(today: dt.date | None = None) -> int:
    """The reports of the month and the quarter that ended last, for every active institution and
    bureau that existed then, where they are missing. Run daily; returns how many were made."""
    today = today or timezone.localdate()
    now = timezone.now()
    made = 0
    orgs = list(Organization.objects.filter(kind__in=REPORT_KINDS, is_active=True).order_by("depth", "path"))
    for kind in (Kind.MONTHLY, Kind.QUARTERLY):
        period = last_ended(kind, today)
        end = dt.datetime.combine(period.end, dt.time.min, tzinfo=timezone.get_current_timezone())
        have = set(
            Report.objects.filter(kind=kind, period_start=period.start).values_list(
                "organization_id", flat=True
            )
        )
        for org in orgs:
            if org.pk in have or org.created_at >= end:
                continue
            try:
                report = generate(org, kind, period.start, actor=None, replace=False, now=now)
            except Exception:  # one organisation's failure must not stop the others
                log.exception("report %s %s of %s failed", kind, period.key, org.pk)
            else:
                made += report.generated_at == now
    return made
