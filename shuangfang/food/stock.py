"""Storage as real stock (贮藏): what is left of each accepted delivery line is its quantity minus
what was used or discarded (``StockMove``), shown by storage class (常温/冷藏/冷冻), first expiring
first, with food near or past its use-by date flagged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import audit
from shuangfang.core.tenancy import require

from . import rules
from .choices import RuleKey, StockMoveKind, StorageClass
from .models import Kitchen, PurchaseLine, StockMove
from .services import check_past, check_texts

MONEY = DecimalField(max_digits=12, decimal_places=2)


def with_left(qs):
    """Annotate delivery lines with ``used`` (used or discarded so far) and ``left``."""
    moved = (
        StockMove.objects.filter(line=OuterRef("pk"))
        .values("line")
        .annotate(s=Sum("quantity"))
        .values("s")[:1]
    )
    return qs.annotate(
        used=Coalesce(Subquery(moved, output_field=MONEY), Value(Decimal(0)), output_field=MONEY)
    ).annotate(left=F("quantity") - F("used"))


def flag(use_by: dt.date | None, today: dt.date, near: int) -> str:
    """ "past" after the use-by date, "near" within ``near`` days of it, else ""."""
    if use_by is None:
        return ""
    if use_by < today:
        return "past"
    return "near" if (use_by - today).days <= near else ""


@dataclass
class Group:
    storage: str
    label: str
    lines: list
    past: int = 0
    near: int = 0


def stock(kitchen: Kitchen, today: dt.date) -> list[Group]:
    """The kitchen's stock by storage class, first expiring first (no use-by date last, then the
    oldest delivery first). Two queries (the rule, the lines)."""
    near = int(rules.value(kitchen.organization, RuleKey.NEAR_USE_BY_DAYS))
    lines = (
        with_left(PurchaseLine.objects.filter(purchase__kitchen=kitchen, accepted=True))
        .filter(left__gt=0)
        .select_related("item", "purchase", "purchase__supplier")
        .order_by(F("use_by").asc(nulls_last=True), "purchase__delivered_at", "pk")
    )
    groups = {c: Group(c, str(label), []) for c, label in StorageClass.choices}
    for ln in lines:
        ln.flag = flag(ln.use_by, today, near)
        g = groups[ln.item.storage]
        g.lines.append(ln)
        g.past += ln.flag == "past"
        g.near += ln.flag == "near"
    return list(groups.values())


def move_stock(
    *,
    actor,
    line: PurchaseLine,
    kind: str,
    quantity: Decimal | None,
    moved_at: dt.datetime | None = None,
    reason: str = "",
) -> StockMove:
    """Take ``quantity`` of an accepted delivery line out of storage: used, or discarded (a reason
    is required). Never more than is left; two cooks at once cannot both take the last of it."""
    require(actor, "food.record", line.organization)
    moved_at = moved_at or timezone.now()
    reason = (reason or "").strip()
    if kind not in StockMoveKind.values:
        raise ValidationError(_("Choose whether the food was used or discarded."))
    if quantity is None or quantity <= 0:
        raise ValidationError(_("The quantity must be more than 0."))
    if kind == StockMoveKind.DISCARDED and not reason:
        raise ValidationError(_("Say why the food was discarded (spoiled, past its use-by date…)."))
    check_past(_("The time"), moved_at)
    check_texts(StockMove, reason=reason)
    with transaction.atomic():
        locked = PurchaseLine.objects.select_for_update().select_related("purchase", "item").get(pk=line.pk)
        if not locked.accepted:
            raise ValidationError(_("Rejected food never went into storage."))
        if moved_at < locked.purchase.delivered_at:
            raise ValidationError(_("Food cannot leave storage before it was delivered."))
        left = with_left(PurchaseLine.objects.filter(pk=line.pk)).values_list("left", flat=True).get()
        if quantity > left:
            raise ValidationError(
                _("Only %(left)s %(unit)s of %(food)s is left.")
                % {"left": f"{left.normalize():f}", "unit": locked.item.unit, "food": locked.item.name}
            )
        move = StockMove.objects.create(
            organization=locked.organization,
            line=locked,
            kind=kind,
            quantity=quantity,
            moved_at=moved_at,
            moved_by=actor,
            reason=reason,
        )
        audit.record(
            actor=actor,
            action="food.stock_move",
            obj=move,
            organization=locked.organization,
            note=f"{locked.item.name} {kind} {quantity}",
        )
    return move
