from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    ELECTRICITY = "electricity", _("Smart electricity monitor")
    SMOKE = "smoke", _("Smoke detector")
    HEAT = "heat", _("Heat detector")
    GAS = "gas", _("Combustible-gas detector")
    WATER_PRESSURE = "water_pressure", _("Hydrant water-pressure sensor")
    GATEWAY = "gateway", _("Gateway")
    # The kitchen's cold chain (food app): a sensor in a refrigerator or in a freezer.
    FRIDGE_TEMP = "fridge_temp", _("Refrigerator temperature sensor")
    FREEZER_TEMP = "freezer_temp", _("Freezer temperature sensor")


class Op(models.TextChoices):
    ABOVE = "above", _("above")
    BELOW = "below", _("below")
    EVENT = "event", _("device-reported event")


class Adapter(models.TextChoices):
    """The payload format a device (or its vendor's cloud) sends: :mod:`.adapters`."""

    CANONICAL = "canonical", _("Canonical payload")
    GBT26875_JSON = "gbt26875_json", _("GB/T 26875.3 fields as JSON (gateway)")
    CLOUD_PUSH = "cloud_push", _("Smart-electricity cloud push")


class Category(models.TextChoices):
    ALARM = "alarm", _("Alarm")
    FAULT = "fault", _("Fault")
    OFFLINE = "offline", _("Offline")


class Source(models.TextChoices):
    STANDARD = "standard", _("National standard")
    VENDOR = "vendor_default", _("Vendor default")
    SITE = "site_setting", _("Site setting")


class Confidence(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    LIKELY = "likely", _("Likely")
    UNCERTAIN = "uncertain", _("Uncertain")


class AlarmStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")


ACTIVE_STATUSES = (AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED)


class ClearReason(models.TextChoices):
    RECOVERED = "recovered", _("Back to normal")
    FALSE_ALARM = "false_alarm", _("False alarm")
    MAINTENANCE = "maintenance", _("Maintenance or test")
    FIXED = "fixed", _("Cause removed")


class DeviceStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")
    ALARMING = "alarming", _("Alarming")
    NEW = "new", _("Never seen")
