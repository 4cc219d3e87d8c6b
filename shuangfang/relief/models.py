"""Relief casework: the people a station takes in (``Person``), each stay (``Case``) from
registration to departure, items in custody, escorted return trips and reminder letters.

Personal data here is sensitive (PIPL: health, minors, ID numbers). Every model is tenant-owned by
the relief station; every view of a person's record writes an audit row (``privacy.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.tenancy import TenantModel, TenantQuerySet

from .choices import (
    OPEN_STATUSES,
    CaseStatus,
    DeliveryMethod,
    DepartureMode,
    EscortUnit,
    ExtensionReason,
    Health,
    IdType,
    LetterStatus,
    RefusalReason,
    Region,
    SearchKind,
    SecurityMethod,
    SecurityResult,
    Sex,
    Support,
    TripStatus,
)

USER = settings.AUTH_USER_MODEL


class Person(TenantModel):
    """A help-seeker as registered at one station (求助登记表, §5.8)."""

    name = models.CharField(pgettext_lazy("relief", "name"), max_length=60)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    age_estimate = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    id_type = models.CharField(_("identity document"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("document number"), max_length=30, blank=True, db_index=True)
    id_warning = models.BooleanField(_("check digit did not match"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hukou_place = models.CharField(_("household registration place"), max_length=120, blank=True)
    residence = models.CharField(_("residence"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, default=Region.UNKNOWN)
    support = models.CharField(
        _("subsistence status"), max_length=10, choices=Support.choices, default=Support.UNKNOWN
    )
    relatives = models.TextField(_("relatives (names, addresses, phones)"), blank=True)
    photo = models.CharField(max_length=200, blank=True, editable=False)
    photo_thumb = models.CharField(max_length=200, blank=True, editable=False)
    external_ref = models.CharField(_("national system record number"), max_length=60, blank=True)
    repeat_wanderer = models.BooleanField(_("repeat wanderer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["name"]
        verbose_name = _("help-seeker")

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(TenantQuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Case(TenantModel):
    """One stay of a person at the station. ``status`` moves only through ``cases.FLOW``."""

    number = models.CharField(_("case number"), max_length=20, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED, db_index=True
    )
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    escort_unit = models.CharField(
        _("brought by"), max_length=20, choices=EscortUnit.choices, default=EscortUnit.SELF
    )
    escort_detail = models.CharField(_("escorting unit and officer"), max_length=120, blank=True)
    police_case = models.BooleanField(_("police case"), default=False)
    reason = models.TextField(_("cause, time and course of wandering"), blank=True)
    health = models.CharField(_("health at entry"), max_length=20, choices=Health.choices, blank=True)
    health_note = models.CharField(_("health and mental state"), max_length=200, blank=True)
    repeat = models.BooleanField(_("repeat admission"), default=False)
    protective = models.BooleanField(_("protective assistance"), default=False)
    # Security check
    security_method = models.CharField(
        _("check method"), max_length=10, choices=SecurityMethod.choices, blank=True
    )
    security_result = models.CharField(
        _("check result"), max_length=12, choices=SecurityResult.choices, blank=True
    )
    security_items = models.TextField(_("items found"), blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Screening and hospital
    medical_signs = models.JSONField(_("medical signs"), default=list, blank=True)
    screening_note = models.CharField(_("screening notes"), max_length=200, blank=True)
    hospital = models.CharField(_("hospital"), max_length=120, blank=True)
    discharged_at = models.DateTimeField(_("discharged at"), null=True, blank=True)
    # Decision
    refusal_reason = models.CharField(
        _("refusal reason"), max_length=20, choices=RefusalReason.choices, blank=True
    )
    decision_note = models.CharField(_("decision notes"), max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # In station
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    zone = models.CharField(_("zone"), max_length=40, blank=True)
    bed = models.CharField(_("bed"), max_length=20, blank=True)
    period_days = models.PositiveSmallIntegerField(_("assistance period (days)"), default=0)
    services_note = models.TextField(_("daily services"), blank=True)
    period_alerted_for = models.DateField(null=True, blank=True, editable=False)  # end date told
    assistance_types = models.JSONField(_("assistance types"), default=list, blank=True)
    special_groups = models.JSONField(_("special groups"), default=list, blank=True)
    # Departure
    departure_mode = models.CharField(
        _("departure mode"), max_length=20, choices=DepartureMode.choices, blank=True
    )
    cross_province = models.BooleanField(_("across provinces"), default=False)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    voucher = models.CharField(_("voucher (route, ticket number)"), max_length=120, blank=True)
    receiving_party = models.CharField(_("receiving party"), max_length=120, blank=True)
    departure_note = models.CharField(_("departure notes"), max_length=200, blank=True)

    objects = CaseQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("relief case")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="relief_case_number"),
            # Duplicate admission: one open case per person.
            models.UniqueConstraint(
                fields=["person"], condition=Q(status__in=OPEN_STATUSES), name="relief_one_open_case"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Counter(models.Model):
    """Last number used per station, kind (case, trip, letter) and year; locked when incremented."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "year"], name="relief_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class CustodyItem(models.Model):
    """A carried item taken into custody (物品代管单); prohibited items go to the police."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(_("item"), max_length=120)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    prohibited = models.BooleanField(_("prohibited item"), default=False)
    police_receipt = models.CharField(_("police receipt number"), max_length=60, blank=True)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    # The owner's signature drawn on the screen when the items were returned (a stored PNG).
    return_signature = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class Extension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("days"))
    reason = models.CharField(
        pgettext_lazy("relief", "reason"), max_length=20, choices=ExtensionReason.choices
    )
    note = models.CharField(_("notes"), max_length=200, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"+{self.days} {self.reason}"


class SearchAction(models.Model):
    """A family-search action; the national systems keep the data, we keep their reference."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="searches")
    kind = models.CharField(pgettext_lazy("relief", "action"), max_length=20, choices=SearchKind.choices)
    done = models.BooleanField(pgettext_lazy("relief", "done"), default=True)
    on = models.DateField(_("date"))
    external_ref = models.CharField(_("external reference number"), max_length=60, blank=True)
    note = models.CharField(_("notes"), max_length=200, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"


class Trip(TenantModel):
    """An escorted return trip (护送返乡): prepared, approved, en route, handed over, debriefed."""

    number = models.CharField(_("trip number"), max_length=20, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=TripStatus.choices, default=TripStatus.PREPARING
    )
    cases = models.ManyToManyField(Case, related_name="trips", verbose_name=_("persons"))
    staff: models.ManyToManyField = models.ManyToManyField(
        USER, related_name="+", verbose_name=_("escorting staff")
    )
    destination = models.CharField(_("destination agency or family"), max_length=120)
    route = models.CharField(_("route"), max_length=200)
    vehicle = models.CharField(_("vehicle"), max_length=60)
    planned_at = models.DateTimeField(_("planned departure"))
    risk_level = models.CharField(_("trip risk level"), max_length=10, blank=True)
    risk_note = models.TextField(_("risk assessment"), blank=True)
    supplies = models.CharField(_("medicines and food"), max_length=200, blank=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    receiving_party = models.CharField(_("receiving party"), max_length=120, blank=True)
    receipt_photo = models.CharField(max_length=200, blank=True, editable=False)
    debrief_notes = models.TextField(_("debrief notes"), blank=True)
    problem = models.TextField(_("problem found"), blank=True)
    hazard_uuid = models.UUIDField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-planned_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="relief_trip_number")]

    def __str__(self) -> str:
        return self.number


class CheckIn(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="checkins")
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("notes"), max_length=200, blank=True)
    incident = models.BooleanField(pgettext_lazy("relief", "incident"), default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class LetterTemplate(TenantModel):
    """The station's reminder-letter template (one per station; editable). A national template was
    NOT FOUND (§5.6): the default text is ours."""

    subject = models.CharField(pgettext_lazy("relief", "subject"), max_length=120)
    body = models.TextField(_("body"))
    answer_days = models.PositiveSmallIntegerField(_("days to answer"), default=30)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="relief_one_template")]


class Letter(TenantModel):
    """A reminder letter (提示函) to a repeat wanderer's home government and relief agency."""

    number = models.CharField(_("letter number"), max_length=20, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="letters")
    home_area = models.CharField(_("home area"), max_length=120)
    recipient = models.CharField(_("recipient government and agency"), max_length=200)
    difficulty = models.TextField(_("the person's difficulty"))
    requests = models.TextField(_("what the home area is asked to check and solve"))
    subject = models.CharField(pgettext_lazy("relief", "subject"), max_length=120)
    body = models.TextField(_("body"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivery_method = models.CharField(
        _("delivery method"), max_length=10, choices=DeliveryMethod.choices, blank=True
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    delivery_receipt = models.CharField(_("delivery receipt"), max_length=120, blank=True)
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="relief_letter_number")
        ]

    def __str__(self) -> str:
        return self.number
