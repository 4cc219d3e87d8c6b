"""Forms of the kitchen's pages: they parse; the services check (so a page and the API refuse the
same input with the same words)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.widgets import IsoDateInput, IsoDateTimeInput, IsoTimeInput
from shuangfang.orgs.models import Membership, User

from .choices import (
    DisinfectionMethod,
    FoodCategory,
    FridgeKind,
    LicenceKind,
    MealKind,
    StockMoveKind,
    StorageClass,
)
from .models import FoodItem, Fridge, Kitchen, KitchenStaff, Supplier

DATE = IsoDateInput()
TIME = IsoTimeInput()
WHEN = IsoDateTimeInput()
NUM = forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"})


def now_local():
    return timezone.localtime().replace(second=0, microsecond=0)


def _decimal(label, required=False, **kw):
    return forms.DecimalField(
        label=label, required=required, decimal_places=1, max_digits=7, widget=NUM, **kw
    )


class KitchenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, initial=_("Kitchen"))
    breakfast_end = forms.TimeField(label=_("Breakfast window ends"), required=False, widget=TIME)
    lunch_end = forms.TimeField(label=_("Lunch window ends"), required=False, widget=TIME)
    dinner_end = forms.TimeField(label=_("Dinner window ends"), required=False, widget=TIME)
    risk_point: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Risk point"),
        queryset=None,
        required=False,
        help_text=_("Hazards opened by the kitchen's timers are filed at this risk point."),
    )

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        from shuangfang.risks.models import RiskPoint

        self.fields["risk_point"].queryset = RiskPoint.objects.filter(organization=institution)  # type: ignore[attr-defined]


class FridgeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Type"), choices=FridgeKind.choices)
    device: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Temperature sensor"),
        queryset=None,
        required=False,
        help_text=_(
            "A refrigerator or freezer sensor registered in monitoring; "
            "without one, enter the temperature twice a day."
        ),
    )

    def __init__(self, *args, kitchen: Kitchen, **kwargs):
        super().__init__(*args, **kwargs)
        from shuangfang.monitoring.models import Device

        self.fields["device"].queryset = Device.objects.filter(  # type: ignore[attr-defined]
            organization=kitchen.organization, kind__in=("fridge_temp", "freezer_temp")
        )


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    contact = forms.CharField(label=_("Contact person"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LicenceForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("licence", "Certificate"), choices=LicenceKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=DATE, help_text=_("Leave empty if it does not expire.")
    )
    photo = forms.FileField(
        label=_("The certificate: a PDF or a photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=FoodCategory.choices)
    unit = forms.CharField(label=_("Unit"), max_length=10, initial="kg")
    storage = forms.ChoiceField(label=_("Storage"), choices=StorageClass.choices)
    shelf_life_days = forms.IntegerField(label=_("Shelf life (days)"), required=False)


class PurchaseForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.none(),
        help_text=_("Suppliers with an expired licence cannot be chosen."),
    )
    delivered_at = forms.DateTimeField(label=_("Delivered at"), widget=WHEN)
    ticket = forms.FileField(
        label=_("Photo of the delivery ticket"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, kitchen: Kitchen, **kwargs):
        super().__init__(*args, **kwargs)
        # Every active supplier is listed (the service refuses an expired one with its reason).
        self.fields["supplier"].queryset = Supplier.objects.filter(kitchen=kitchen, is_active=True)  # type: ignore[attr-defined]


class LineForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Food"), queryset=FoodItem.objects.none(), required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, decimal_places=2, max_digits=10, widget=NUM
    )
    batch = forms.CharField(label=_("Batch"), max_length=40, required=False)
    production_date = forms.DateField(label=_("Production date"), required=False, widget=DATE)
    temperature_c = _decimal(_("Temperature (°C), chilled or frozen"))
    sensory_ok = forms.BooleanField(label=_("Looks, smells and feels right"), required=False, initial=True)
    accepted = forms.TypedChoiceField(
        label=pgettext_lazy("acceptance", "Decision"),
        choices=[("1", _("Accept")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    reject_reason = forms.CharField(label=_("Reason for rejection"), max_length=200, required=False)

    def __init__(self, *args, kitchen: Kitchen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = FoodItem.objects.filter(kitchen=kitchen, is_active=True)  # type: ignore[attr-defined]


class MealForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Meal"), choices=MealKind.choices, initial=MealKind.EXTRA)
    ends_at = forms.TimeField(label=_("Window ends"), widget=TIME)
    diners = forms.IntegerField(label=_("Diners"), required=False)


class MenuForm(forms.Form):
    dishes = forms.CharField(
        label=_("Dishes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One dish per line."),
    )
    high_risk = forms.CharField(
        label=_("High-risk dishes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line (cold dishes, meat, eggs…): their core temperature is checked."),
    )
    diners = forms.IntegerField(label=_("Diners"), required=False)

    def dishes_list(self) -> list[tuple[str, bool]]:
        lines = lambda key: [n.strip() for n in self.cleaned_data.get(key, "").splitlines() if n.strip()]  # noqa: E731
        return [(n, False) for n in lines("dishes")] + [(n, True) for n in lines("high_risk")]


class SampleForm(forms.Form):
    weight_g = _decimal(_("Weight (g)"), required=True)
    fridge = forms.ModelChoiceField(label=_("Refrigerator"), queryset=Fridge.objects.none(), required=False)
    taken_at = forms.DateTimeField(label=_("Put in at"), widget=WHEN)
    label = forms.CharField(
        label=_("Container label"), max_length=40, required=False, help_text=_("Empty: date, meal and dish.")
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, kitchen: Kitchen, **kwargs):
        super().__init__(*args, **kwargs)
        fridges = Fridge.objects.filter(kitchen=kitchen, is_active=True).order_by("-kind")
        self.fields["fridge"].queryset = fridges  # type: ignore[attr-defined]


class DisposeForm(forms.Form):
    disposed_at = forms.DateTimeField(label=_("Disposed of at"), widget=WHEN)


class CoreTempForm(forms.Form):
    temperature_c = _decimal(_("Core temperature (°C)"), required=True)


class DisinfectionForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=DisinfectionMethod.choices)
    items = forms.CharField(
        label=_("Tableware"), max_length=120, initial=_("bowls, plates, chopsticks, spoons")
    )
    minutes = forms.IntegerField(label=_("Minutes"))
    temperature_c = _decimal(_("Temperature (°C)"))
    done_at = forms.DateTimeField(label=_("Done at"), widget=WHEN)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class StaffForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    job = forms.CharField(label=_("Job"), max_length=40, required=False)
    user = forms.ModelChoiceField(label=_("Account"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, kitchen: Kitchen, **kwargs):
        super().__init__(*args, **kwargs)
        ids = Membership.objects.active().filter(organization__path__startswith=kitchen.organization.path)
        self.fields["user"].queryset = User.objects.filter(pk__in=ids.values("user_id"), is_active=True)  # type: ignore[attr-defined]


class CertificateForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    photo = forms.FileField(
        label=_("Photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )


class MorningCheckForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Person"), queryset=KitchenStaff.objects.none())
    temperature_c = _decimal(_("Body temperature (°C)"))
    fever = forms.BooleanField(label=_("Fever"), required=False)
    diarrhoea = forms.BooleanField(label=_("Diarrhoea or vomiting"), required=False)
    hand_wound = forms.BooleanField(label=_("Wound or infection on the hands"), required=False)
    other = forms.CharField(label=_("Other symptoms"), max_length=120, required=False)

    def __init__(self, *args, kitchen: Kitchen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = KitchenStaff.objects.filter(kitchen=kitchen, is_active=True)  # type: ignore[attr-defined]


class TemperatureForm(forms.Form):
    fridge = forms.ModelChoiceField(label=_("Refrigerator"), queryset=Fridge.objects.none())
    temperature_c = _decimal(_("Temperature (°C)"), required=True)
    measured_at = forms.DateTimeField(label=_("Measured at"), widget=WHEN)

    def __init__(self, *args, kitchen: Kitchen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fridge"].queryset = Fridge.objects.filter(kitchen=kitchen, is_active=True)  # type: ignore[attr-defined]


class RuleForm(forms.Form):
    value = _decimal(_("Value"), required=True)


class StockMoveForm(forms.Form):
    """Food taken out of storage from one delivery line: used or discarded (with a reason)."""

    kind = forms.ChoiceField(
        label=_("What happened"), choices=StockMoveKind.choices, widget=forms.RadioSelect
    )
    quantity = _decimal(_("Quantity"), required=True)
    moved_at = forms.DateTimeField(label=_("When"), widget=WHEN)
    reason = forms.CharField(label=_("Reason (required when discarded)"), max_length=200, required=False)
