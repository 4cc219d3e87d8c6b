"""Emergency plans (应急预案: comprehensive, special, on-site; versioned, owner, review date, roles and
phone tree, linked to risk points) and emergency supplies (stock by kind and place, minimum level,
expiry; issue and restock, never below zero). The daily sweep reminds plan reviews, low stock and
expiring supplies through the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.events import publish
from shuangfang.core.tenancy import require
from shuangfang.orgs.models import Organization, User
from shuangfang.orgs.roles import Role

from .choices import DrillKind, PlanKind, SupplyKind
from .models import EmergencyPlan, Supply, SupplyMove
from .training import check_member, institution_of

PLAN_REVIEW_REMIND_DAYS = 30  # product choice, no standard
SUPPLY_EXPIRY_REMIND_DAYS = 30  # product choice, no standard
PLAN_FIELDS = ("kind", "topic", "title", "owner", "content", "phone_tree", "review_on")


def _check_plan(institution: Organization, fields: dict[str, Any], risk_points) -> None:
    if (
        fields.get("kind") not in PlanKind.values
        or fields.get("topic", DrillKind.FIRE) not in DrillKind.values
    ):
        raise ValidationError(_("Choose the kind and topic of the plan."))
    if not (fields.get("title") or "").strip() or not (fields.get("content") or "").strip():
        raise ValidationError(_("A plan needs a title and its content."))
    check_member(institution, fields["owner"])
    if any(p.organization_id != institution.pk for p in risk_points):
        raise ValidationError(_("Link risk points of this institution only."))


def create_plan(*, actor: User, institution: Organization, risk_points=(), **fields) -> EmergencyPlan:
    institution = institution_of(institution)
    require(actor, "readiness.manage", institution)
    _check_plan(institution, fields, risk_points)
    with transaction.atomic():
        plan = EmergencyPlan.objects.create(organization=institution, created_by=actor, **fields)
        plan.risk_points.set(risk_points)
        audit.record(actor=actor, action="readiness.plan_create", obj=plan, organization=institution)
    return plan


def revise_plan(*, actor: User, plan: EmergencyPlan, risk_points=None, **changes) -> EmergencyPlan:
    """A new version: the old row is kept (not current any more), the new one gets the next number."""
    require(actor, "readiness.manage", plan.organization)
    fields = {f: getattr(plan, f) for f in PLAN_FIELDS} | changes
    points = list(plan.risk_points.all()) if risk_points is None else list(risk_points)
    _check_plan(plan.organization, fields, points)
    with transaction.atomic():
        if not EmergencyPlan.objects.filter(pk=plan.pk, is_current=True).update(is_current=False):
            raise ValidationError(_("This is not the current version of the plan; open the current one."))
        new = EmergencyPlan.objects.create(
            organization=plan.organization,
            created_by=actor,
            version=plan.version + 1,
            previous=plan,
            **fields,
        )
        new.risk_points.set(points)
        audit.record(actor=actor, action="readiness.plan_revise", obj=new, organization=plan.organization)
    return new


def create_supply(*, actor: User, institution: Organization, **fields) -> Supply:
    institution = institution_of(institution)
    require(actor, "readiness.manage", institution)
    if fields.get("kind") not in SupplyKind.values:
        raise ValidationError(_("Choose the kind of supply."))
    if not (fields.get("name") or "").strip() or not (fields.get("place") or "").strip():
        raise ValidationError(_("Name the item and where it is kept."))
    if Supply.objects.filter(organization=institution, name=fields["name"], place=fields["place"]).exists():
        raise ValidationError(_("This item is already listed at this place."))
    quantity = fields.pop("quantity", 0) or 0
    if quantity < 0 or (fields.get("minimum") or 0) < 0:
        raise ValidationError(_("Quantities cannot be negative."))
    with transaction.atomic():
        supply = Supply.objects.create(organization=institution, quantity=0, **fields)
        if quantity:
            move_stock(actor=actor, supply=supply, change=quantity, reason=_("Initial stock"))
        audit.record(actor=actor, action="readiness.supply_create", obj=supply, organization=institution)
    return supply


def move_stock(*, actor: User, supply: Supply, change: int, reason: str = "") -> SupplyMove:
    """Issue (``change`` < 0) or restock (> 0). Stock never goes below zero: an issue of more than
    is there is refused and nothing is recorded."""
    require(actor, "readiness.manage", supply.organization)
    if change == 0:
        raise ValidationError(_("Give a quantity other than zero."))
    with transaction.atomic():
        updated = Supply.objects.filter(pk=supply.pk, quantity__gte=-change).update(
            quantity=F("quantity") + change
        )
        if not updated:
            supply.refresh_from_db(fields=["quantity"])
            raise ValidationError(
                _("Only %(n)s %(unit)s of %(item)s in stock: cannot issue %(want)s.")
                % {"n": supply.quantity, "unit": supply.unit, "item": supply.name, "want": -change}
            )
        supply.refresh_from_db(fields=["quantity"])
        move = SupplyMove.objects.create(
            organization=supply.organization,
            supply=supply,
            change=change,
            balance=supply.quantity,
            reason=(reason or "")[:200],
            by=actor,
            at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="readiness.supply_move",
            obj=supply,
            organization=supply.organization,
            note=f"{change:+d}",
        )
    return move


def send_reminders(on: dt.date | None = None) -> int:
    """Plans to review within 30 days (the owner), supplies below their minimum or expiring within
    30 days (the safety officer). Each fact once: its origin names the plan and review date, the
    supply and its stock level or expiry."""
    on = on or timezone.localdate()
    count = 0
    with transaction.atomic():
        soon = on + dt.timedelta(days=PLAN_REVIEW_REMIND_DAYS)
        for plan in EmergencyPlan.objects.filter(is_current=True, review_on__lte=soon):
            publish(
                "readiness.plan_review_due",
                organization_id=plan.organization_id,
                object_uuid=str(plan.uuid),
                title=_("Review the emergency plan %(title)s by %(day)s")
                % {"title": plan.title, "day": plan.review_on.isoformat()},
                url=reverse("readiness:plan", kwargs={"uuid": plan.uuid}),
                recipient_ids=[plan.owner_id],
                key=f"{plan.uuid}:{plan.review_on}",
            )
            count += 1
        url = reverse("readiness:supplies")
        for supply in Supply.objects.filter(quantity__lt=F("minimum")):
            publish(
                "readiness.supply_low",
                organization_id=supply.organization_id,
                object_uuid=str(supply.uuid),
                title=_("%(item)s at %(place)s: %(n)s left, minimum %(min)s")
                % {"item": supply.name, "place": supply.place, "n": supply.quantity, "min": supply.minimum},
                url=url,
                roles=[Role.SAFETY_OFFICER],
                key=f"{supply.uuid}:low:{supply.quantity}",
            )
            count += 1
        expiry = on + dt.timedelta(days=SUPPLY_EXPIRY_REMIND_DAYS)
        for supply in Supply.objects.filter(expires_on__lte=expiry, quantity__gt=0):
            publish(
                "readiness.supply_expiring",
                organization_id=supply.organization_id,
                object_uuid=str(supply.uuid),
                title=_("%(item)s at %(place)s expires on %(day)s")
                % {"item": supply.name, "place": supply.place, "day": supply.expires_on.isoformat()},
                url=url,
                roles=[Role.SAFETY_OFFICER],
                key=f"{supply.uuid}:expires:{supply.expires_on}",
            )
            count += 1
    return count
