"""Pages of the kitchen's set-up and of its other daily records: the kitchen itself, suppliers
with their licences, the food list, deliveries, staff with certificates and the morning check,
refrigerators with their temperatures, and the rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core.forms import add_service_errors
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization

from . import meals, rules, services, staff, stock
from .choices import FridgeKind, RuleKey
from .forms import (
    CertificateForm,
    FridgeForm,
    ItemForm,
    KitchenForm,
    LicenceForm,
    LineForm,
    MorningCheckForm,
    PurchaseForm,
    RuleForm,
    StaffForm,
    StockMoveForm,
    SupplierForm,
    TemperatureForm,
    now_local,
)
from .models import (
    FoodItem,
    Kitchen,
    KitchenStaff,
    MorningCheck,
    Purchase,
    PurchaseLine,
    Supplier,
    TemperatureLog,
)
from .views import kitchen_for, render_form

LINES = 4  # delivery lines shown on the phone form; empty ones are ignored


@require_perm("food.manage")
def kitchen_setup(request: AuthedRequest, uuid) -> HttpResponse:
    """Set up (or change) the kitchen of an institution."""
    institution = get_for_user(Organization.objects.institutions(), request.user, "food.manage", uuid=uuid)
    existing = Kitchen.objects.filter(organization=institution).first()
    initial = (
        {f: getattr(existing, f) for f in ("name", "breakfast_end", "lunch_end", "dinner_end", "risk_point")}
        if existing
        else {"name": _("Kitchen"), **{f"{k}_end": v for k, v in services.DEFAULT_MEAL_ENDS.items()}}
    )
    form = KitchenForm(request.POST or None, institution=institution, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            k = services.save_kitchen(
                actor=request.user, organization=institution, kitchen=existing, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("food:kitchen", uuid=k.uuid)
    title = _("Kitchen of %(inst)s") % {"inst": institution.name}
    return render_form(request, "food/form.html", {"form": form, "title": title, "k": existing})


# --- suppliers -----------------------------------------------------------------------------------


@require_perm("food.manage")
def supplier_create(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid, "food.manage")
    return _supplier_form(request, k, None)


@require_perm("food.manage")
def supplier_edit(request: AuthedRequest, uuid) -> HttpResponse:
    s = get_for_user(Supplier.objects.select_related("kitchen"), request.user, "food.manage", uuid=uuid)
    return _supplier_form(request, s.kitchen, s)


def _supplier_form(request: AuthedRequest, k: Kitchen, s: Supplier | None) -> HttpResponse:
    initial = {f: getattr(s, f) for f in ("name", "contact", "phone", "address", "is_active")} if s else {}
    form = SupplierForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.save_supplier(actor=request.user, kitchen=k, supplier=s, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("food:supplier_detail", uuid=s.uuid)
    title = _("Supplier %(name)s") % {"name": s.name} if s else _("New supplier")
    return render_form(request, "food/form.html", {"form": form, "title": title, "k": k})


@require_perm("food.view")
def supplier_detail(request: AuthedRequest, uuid) -> HttpResponse:
    s = get_for_user(Supplier.objects.select_related("kitchen"), request.user, "food.view", uuid=uuid)
    today = timezone.localdate()
    return render(
        request,
        "food/supplier.html",
        {
            "s": s,
            "k": s.kitchen,
            "licences": s.licences.all(),
            "state": services.supplier_state(s, today),
            "today": today,
            "form": LicenceForm(),
            "can_manage": can(request.user, "food.manage", s.organization),
            "purchases": s.purchases.select_related("received_by")[:20],
        },
    )


@require_perm("food.manage")
def licence_add(request: AuthedRequest, uuid) -> HttpResponse:
    s = get_for_user(Supplier.objects.select_related("kitchen"), request.user, "food.manage", uuid=uuid)
    form = LicenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
        try:
            services.add_licence(actor=request.user, supplier=s, photo=request.FILES.get("photo"), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("food:supplier_detail", uuid=s.uuid)
    title = _("Certificate of %(name)s") % {"name": s.name}
    return render_form(
        request, "food/form.html", {"form": form, "title": title, "k": s.kitchen, "multipart": True}
    )


# --- the food list -------------------------------------------------------------------------------


@require_perm("food.view")
def items(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid)
    return render(
        request,
        "food/items.html",
        {
            "k": k,
            "items": FoodItem.objects.filter(kitchen=k),
            "can_manage": can(request.user, "food.manage", k.organization),
        },
    )


@require_perm("food.manage")
def item_create(request: AuthedRequest, uuid) -> HttpResponse:
    return _item_form(request, kitchen_for(request, uuid, "food.manage"), None)


@require_perm("food.manage")
def item_edit(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(FoodItem.objects.select_related("kitchen"), request.user, "food.manage", uuid=uuid)
    return _item_form(request, item.kitchen, item)


def _item_form(request: AuthedRequest, k: Kitchen, item: FoodItem | None) -> HttpResponse:
    fields = ("name", "category", "unit", "storage", "shelf_life_days")
    form = ItemForm(request.POST or None, initial={f: getattr(item, f) for f in fields} if item else {})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(actor=request.user, kitchen=k, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("food:items", uuid=k.uuid)
    title = _("Food item %(name)s") % {"name": item.name} if item else _("New food item")
    return render_form(request, "food/form.html", {"form": form, "title": title, "k": k})


# --- deliveries ----------------------------------------------------------------------------------


@require_perm("food.record")
def purchase_create(request: AuthedRequest, uuid) -> HttpResponse:
    """The cook records a delivery on the phone: supplier, ticket photo, and one row per food."""
    k = kitchen_for(request, uuid, "food.record")
    formset_class = formset_factory(LineForm, extra=LINES, max_num=20)
    post = request.POST or None
    form = PurchaseForm(post, request.FILES or None, kitchen=k, initial={"delivered_at": now_local()})
    lines = formset_class(post, prefix="line", form_kwargs={"kitchen": k})
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        rows = [services.LineIn(**d) for d in lines.cleaned_data if d.get("item") is not None]
        try:
            p = services.record_purchase(
                actor=request.user,
                kitchen=k,
                supplier=form.cleaned_data["supplier"],
                lines=rows,
                delivered_at=form.cleaned_data["delivered_at"],
                ticket=request.FILES.get("ticket"),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Delivery recorded."))
            return redirect("food:purchase_detail", uuid=p.uuid)
    usable = Supplier.objects.usable(timezone.localdate()).values("pk")
    blocked = Supplier.objects.filter(kitchen=k, is_active=True).exclude(pk__in=usable)
    more_open = request.method == "POST" and any(f.has_changed() for f in list(lines)[2:])
    ctx = {"form": form, "lines": lines, "k": k, "blocked": blocked, "more_open": more_open}
    return render_form(request, "food/purchase_form.html", ctx)


@require_perm("food.view")
def purchase_detail(request: AuthedRequest, uuid) -> HttpResponse:
    p = get_for_user(
        Purchase.objects.select_related("kitchen", "supplier", "received_by"),
        request.user,
        "food.view",
        uuid=uuid,
    )
    return render(
        request, "food/purchase.html", {"p": p, "k": p.kitchen, "lines": p.lines.select_related("item")}
    )


@require_perm("food.view")
def storage(request: AuthedRequest, uuid) -> HttpResponse:
    """The stock by storage class: what is left of each accepted delivery line (its quantity minus
    what was used or discarded), first expiring first; food near or past its use-by date flagged."""
    k = kitchen_for(request, uuid)
    return render(
        request,
        "food/storage.html",
        {
            "k": k,
            "groups": stock.stock(k, timezone.localdate()),
            "near": int(rules.value(k.organization, RuleKey.NEAR_USE_BY_DAYS)),
            "can_move": can(request.user, "food.record", k.organization),
        },
    )


@require_perm("food.record")
def stock_move(request: AuthedRequest, uuid) -> HttpResponse:
    """Take food out of storage from one delivery line: used, or discarded with a reason."""
    line = get_for_user(
        stock.with_left(PurchaseLine.objects.select_related("item", "purchase", "purchase__kitchen")),
        request.user,
        "food.record",
        uuid=uuid,
    )
    k = line.purchase.kitchen
    form = StockMoveForm(
        request.POST or None, initial={"moved_at": now_local(), "kind": "used", "quantity": line.left}
    )
    if request.method == "POST" and form.is_valid():
        try:
            stock.move_stock(actor=request.user, line=line, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("food:storage", uuid=k.uuid)
    title = _("Out of storage: %(food)s (%(left)s %(unit)s left, use by %(use_by)s)") % {
        "food": line.item.name,
        "left": f"{line.left.normalize():f}",
        "unit": line.item.unit,
        "use_by": line.use_by.isoformat() if line.use_by else "—",
    }
    return render_form(request, "food/form.html", {"form": form, "title": title, "k": k})


# --- staff ---------------------------------------------------------------------------------------


@require_perm("food.view")
def staff_list(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid)
    today = timezone.localdate()
    people = staff.with_certificate_until(KitchenStaff.objects.filter(kitchen=k)).select_related("user")
    checks = {c.staff_id: c for c in MorningCheck.objects.filter(staff__kitchen=k, day=today)}
    return render(
        request,
        "food/staff.html",
        {
            "k": k,
            "people": [(p, checks.get(p.pk)) for p in people],
            "today": today,
            "can_manage": can(request.user, "food.manage", k.organization),
            "can_record": can(request.user, "food.record", k.organization),
        },
    )


@require_perm("food.manage")
def staff_create(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid, "food.manage")
    form = StaffForm(request.POST or None, kitchen=k)
    if request.method == "POST" and form.is_valid():
        try:
            person = staff.save_staff(actor=request.user, kitchen=k, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("food:staff_detail", uuid=person.uuid)
    return render_form(request, "food/form.html", {"form": form, "title": _("New kitchen staff"), "k": k})


@require_perm("food.view")
def staff_detail(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(
        KitchenStaff.objects.select_related("kitchen", "user"), request.user, "food.view", uuid=uuid
    )
    return render(
        request,
        "food/person.html",
        {
            "person": person,
            "k": person.kitchen,
            "today": timezone.localdate(),
            "certificates": person.certificates.all(),
            "checks": person.checks.select_related("checked_by")[:14],
            "can_manage": can(request.user, "food.manage", person.organization),
        },
    )


@require_perm("food.manage")
def certificate_add(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(
        KitchenStaff.objects.select_related("kitchen"), request.user, "food.manage", uuid=uuid
    )
    form = CertificateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
        try:
            staff.add_certificate(actor=request.user, staff=person, photo=request.FILES.get("photo"), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("food:staff_detail", uuid=person.uuid)
    title = _("Health certificate of %(name)s") % {"name": person.name}
    return render_form(
        request, "food/form.html", {"form": form, "title": title, "k": person.kitchen, "multipart": True}
    )


@require_perm("food.record")
def morning_check(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid, "food.record")
    form = MorningCheckForm(request.POST or None, kitchen=k, initial={"staff": request.GET.get("staff")})
    if request.method == "POST" and form.is_valid():
        try:
            check = staff.record_morning_check(
                actor=request.user, day=timezone.localdate(), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if check.fit:
                messages.success(request, _("%(name)s: on duty today.") % {"name": check.staff.name})
            else:
                messages.warning(request, _("%(name)s: not on duty today.") % {"name": check.staff.name})
            return redirect("food:staff_list", uuid=k.uuid)
    return render_form(request, "food/form.html", {"form": form, "title": _("Morning check"), "k": k})


# --- refrigerators -------------------------------------------------------------------------------


@require_perm("food.view")
def fridges(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid)
    values = rules.rules_for(k.organization)
    rows = [
        (f, meals.fridge_range(f, {key: r.value for key, r in values.items()}))
        for f in k.fridges.select_related("device")
    ]
    return render(
        request,
        "food/fridges.html",
        {
            "k": k,
            "rows": rows,
            "FREEZER": FridgeKind.FREEZER,
            "logs": TemperatureLog.objects.filter(fridge__kitchen=k).select_related("fridge", "recorded_by")[
                :30
            ],
            "can_manage": can(request.user, "food.manage", k.organization),
            "can_record": can(request.user, "food.record", k.organization),
        },
    )


@require_perm("food.manage")
def fridge_create(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid, "food.manage")
    form = FridgeForm(request.POST or None, kitchen=k)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_fridge(actor=request.user, kitchen=k, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("food:fridges", uuid=k.uuid)
    return render_form(request, "food/form.html", {"form": form, "title": _("New refrigerator"), "k": k})


@require_perm("food.record")
def temperature_create(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid, "food.record")
    form = TemperatureForm(request.POST or None, kitchen=k, initial={"measured_at": now_local()})
    if request.method == "POST" and form.is_valid():
        try:
            log = meals.record_temperature(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if log.in_range:
                messages.success(request, _("Saved."))
            else:
                messages.warning(
                    request, _("Out of range: check the refrigerator and move the food if needed.")
                )
            return redirect("food:fridges", uuid=k.uuid)
    return render_form(
        request, "food/form.html", {"form": form, "title": _("Refrigerator temperature"), "k": k}
    )


# --- rules ---------------------------------------------------------------------------------------


@require_perm("food.view")
def rule_list(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid)
    return render(
        request,
        "food/rules.html",
        {
            "k": k,
            "rules": sorted(
                rules.rules_for(k.organization).values(), key=lambda r: list(rules.DEFAULTS).index(r.key)
            ),
            "can_set": can(request.user, "food.rules", k.organization),
        },
    )


@require_perm("food.rules")
def rule_set(request: AuthedRequest, uuid) -> HttpResponse:
    k = kitchen_for(request, uuid, "food.rules")
    key = request.GET.get("key", "")
    current = rules.rules_for(k.organization).get(key)
    if current is None:
        raise Http404
    form = RuleForm(request.POST or None, initial={"value": current.value})
    if request.method == "POST" and form.is_valid():
        try:
            rules.set_site_rule(
                actor=request.user, organization=k.organization, key=key, new_value=form.cleaned_data["value"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("food:rules", uuid=k.uuid)
    title = _("Stricter rule: %(rule)s") % {"rule": current.get_key_display()}
    return render_form(request, "food/form.html", {"form": form, "title": title, "k": k, "rule": current})
