from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.widgets import IsoDateInput, IsoDateTimeInput

from .choices import (
    DeliveryMethod,
    DepartureMode,
    EscortUnit,
    ExtensionReason,
    Health,
    IdType,
    MedicalSign,
    RefusalReason,
    Region,
    SearchKind,
    SecurityMethod,
    SecurityResult,
    Sex,
    Support,
)

DATE = IsoDateInput()


def show_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's errors beside the fields they name, the others above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _blank(choices) -> list:
    return [("", "—"), *choices]


class RegisterForm(forms.Form):
    """求助登记表 (§5.8): the person, then how they came."""

    name = forms.CharField(label=pgettext_lazy("relief", "Name"), max_length=60)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    age_estimate = forms.IntegerField(label=_("Estimated age (when no date)"), required=False, min_value=0)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    id_type = forms.ChoiceField(label=_("Identity document"), choices=IdType.choices)
    id_number = forms.CharField(label=_("Document number"), max_length=30, required=False)
    accept_id_warning = forms.BooleanField(
        label=_("The number is written so on the document (check digit warning)"), required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    hukou_place = forms.CharField(label=_("Household registration place"), max_length=120, required=False)
    residence = forms.CharField(label=_("Residence"), max_length=120, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices, initial=Region.UNKNOWN)
    support = forms.ChoiceField(
        label=_("Subsistence status"), choices=Support.choices, initial=Support.UNKNOWN
    )
    relatives = forms.CharField(
        label=_("Relatives (names, addresses, phones)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )
    escort_unit = forms.ChoiceField(label=_("Brought by"), choices=EscortUnit.choices)
    escort_detail = forms.CharField(label=_("Escorting unit and officer"), max_length=120, required=False)
    police_case = forms.BooleanField(label=_("Police case"), required=False)
    reason = forms.CharField(
        label=_("Cause, time and course of wandering"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    health = forms.ChoiceField(label=_("Health at entry"), choices=_blank(Health.choices), required=False)
    health_note = forms.CharField(label=_("Health and mental state"), max_length=200, required=False)
    protective = forms.BooleanField(
        label=_("Protective assistance (minor or limited capacity)"), required=False
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "user"}),
    )

    PERSON = ("name", "sex", "birth_date", "age_estimate", "ethnicity", "id_type", "id_number", "phone",
              "hukou_place", "residence", "region", "support", "relatives")  # fmt: skip
    CASE = ("escort_unit", "escort_detail", "police_case", "reason", "health", "health_note", "protective")

    def person_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.PERSON}

    def case_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.CASE}


class CheckForm(forms.Form):
    method = forms.ChoiceField(label=_("Check method"), choices=SecurityMethod.choices)
    result = forms.ChoiceField(label=_("Check result"), choices=SecurityResult.choices)
    items = forms.CharField(
        label=_("Items found"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False
    )


class ScreenForm(forms.Form):
    health = forms.ChoiceField(label=_("Health at entry"), choices=Health.choices, initial=Health.HEALTHY)
    signs = forms.MultipleChoiceField(
        label=_("Medical signs (any one: hospital first)"),
        choices=MedicalSign.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    hospital = forms.CharField(label=_("Hospital"), max_length=120, required=False)
    note = forms.CharField(label=_("Notes"), max_length=200, required=False)


class AdmitForm(forms.Form):
    zone = forms.CharField(label=_("Zone"), max_length=40)
    bed = forms.CharField(label=_("Bed"), max_length=20, required=False)


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(label=pgettext_lazy("relief", "Reason"), choices=RefusalReason.choices)
    note = forms.CharField(label=_("Notes"), max_length=200, required=False)


class DepartForm(forms.Form):
    mode = forms.ChoiceField(label=_("Departure mode"), choices=_blank(DepartureMode.choices))
    cross_province = forms.BooleanField(label=_("Across provinces"), required=False)
    voucher = forms.CharField(label=_("Voucher (route, ticket number)"), max_length=120, required=False)
    receiving_party = forms.CharField(label=_("Receiving party"), max_length=120, required=False)
    note = forms.CharField(label=_("Notes"), max_length=200, required=False)


class ItemForm(forms.Form):
    description = forms.CharField(label=_("Item"), max_length=120)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, initial=1)
    prohibited = forms.BooleanField(label=_("Prohibited item (handed to police)"), required=False)
    police_receipt = forms.CharField(label=_("Police receipt number"), max_length=60, required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=90)
    reason = forms.ChoiceField(label=pgettext_lazy("relief", "Reason"), choices=ExtensionReason.choices)
    note = forms.CharField(label=_("Notes"), max_length=200, required=False)


class SearchForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("relief", "Action"), choices=SearchKind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    done = forms.BooleanField(label=pgettext_lazy("relief", "Done"), required=False, initial=True)
    external_ref = forms.CharField(label=_("External reference number"), max_length=60, required=False)
    note = forms.CharField(label=_("Notes"), max_length=200, required=False)


class StayForm(forms.Form):
    zone = forms.CharField(label=_("Zone"), max_length=40)
    bed = forms.CharField(label=_("Bed"), max_length=20, required=False)
    services_note = forms.CharField(
        label=_("Daily services (meals, medical)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


MOVE_FORMS: dict[str, type[forms.Form]] = {
    "check": CheckForm,
    "screen": ScreenForm,
    "divert": ScreenForm,
    "discharge": forms.Form,
    "admit": AdmitForm,
    "refuse": RefuseForm,
    "depart": DepartForm,
}
RECORD_FORMS: dict[str, type[forms.Form]] = {
    "item": ItemForm,
    "extend": ExtendForm,
    "search": SearchForm,
    "stay": StayForm,
}


LIKELIHOOD = [(i, str(i)) for i in range(1, 6)]


class TripForm(forms.Form):
    """Preparing an escorted trip (§5.8 escort record)."""

    cases: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Persons"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    staff: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Escorting staff (at least two)"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    destination = forms.CharField(label=_("Destination agency or family"), max_length=120)
    route = forms.CharField(label=_("Route"), max_length=200)
    vehicle = forms.CharField(label=_("Vehicle"), max_length=60)
    planned_at = forms.DateTimeField(label=_("Planned departure"), widget=IsoDateTimeInput())
    likelihood = forms.TypedChoiceField(
        label=_("Likelihood of harm on the trip (L, 1–5)"), choices=LIKELIHOOD, coerce=int, initial=2
    )
    severity = forms.TypedChoiceField(
        label=_("Severity of harm (S, 1–5)"), choices=LIKELIHOOD, coerce=int, initial=2
    )
    risk_note = forms.CharField(
        label=_("Risks and measures"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    supplies = forms.CharField(label=_("Medicines and food"), max_length=200, required=False)

    def __init__(self, *args, station, **kwargs):
        from shuangfang.orgs.models import User

        from .models import Case

        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = (  # type: ignore[attr-defined]
            Case.objects.filter(organization=station, status="in_station").select_related("person")
        )
        self.fields["cases"].label_from_instance = lambda c: f"{c.number} {c.person.name}"  # type: ignore[attr-defined]
        self.fields["staff"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(memberships__organization__institution=station, is_active=True)
            .distinct()
            .order_by("name")
        )


class HandOverForm(forms.Form):
    receiving_party = forms.CharField(label=_("Receiving party (unit, name)"), max_length=120)
    cross_province = forms.BooleanField(label=_("Across provinces"), required=False)
    receipt = forms.ImageField(
        label=_("Photo of the signed receipt"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class DebriefForm(forms.Form):
    notes = forms.CharField(
        label=_("Debrief notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    problem = forms.CharField(
        label=_("Problem found (becomes a hazard)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class CheckInForm(forms.Form):
    note = forms.CharField(label=_("Notes"), max_length=200, required=False)
    incident = forms.BooleanField(label=_("Something happened (incident)"), required=False)
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)


TRIP_FORMS: dict[str, type[forms.Form]] = {
    "approve": forms.Form,
    "depart": forms.Form,
    "hand_over": HandOverForm,
    "debrief": DebriefForm,
    "close": forms.Form,
    "cancel": forms.Form,
}


class LetterForm(forms.Form):
    home_area = forms.CharField(label=_("Home area"), max_length=120)
    recipient = forms.CharField(label=_("Recipient government and agency"), max_length=200)
    difficulty = forms.CharField(
        label=_("The person's difficulty"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    requests = forms.CharField(
        label=_("What the home area is asked to check and solve"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class SendForm(forms.Form):
    method = forms.ChoiceField(label=_("Delivery method"), choices=DeliveryMethod.choices)
    answer_due = forms.DateField(
        label=_("Answer due (empty: the template's days)"), required=False, widget=DATE
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000)


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)
    receipt = forms.CharField(
        label=_("Delivery receipt (tracking number, signer)"), max_length=120, required=False
    )


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("Answered on"), widget=DATE)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    follow_up_on = forms.DateField(label=_("Follow-up date"), required=False, widget=DATE)


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=120)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 14}), max_length=20000)
    answer_days = forms.IntegerField(label=_("Days to answer"), min_value=1, max_value=365)


LETTER_FORMS: dict[str, type[forms.Form]] = {
    "send": SendForm,
    "deliver": DeliverForm,
    "answer": AnswerForm,
    "close": forms.Form,
}
