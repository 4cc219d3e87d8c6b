"""Seed data: channels per device type and the default alarm rules, each with its provenance
(domain-reference §7.2). Loaded by a data migration; institutions add stricter ``site_setting`` rows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# kind -> [(channel key, label, unit)]
CHANNELS: dict[str, list[tuple[str, Any, str]]] = {
    "electricity": [
        ("residual_current_ma", _("Residual current"), "mA"),
        ("temp_c.L1", _("Cable temperature L1"), "°C"),
        ("temp_c.L2", _("Cable temperature L2"), "°C"),
        ("temp_c.L3", _("Cable temperature L3"), "°C"),
        ("temp_c.N", _("Cable temperature N"), "°C"),
        ("voltage_v.L1", _("Voltage L1"), "V"),
        ("current_a.L1", _("Current L1"), "A"),
        ("arc_count_1s", _("Arc half-cycles per second"), ""),
    ],
    "smoke": [("smoke_obscuration", _("Smoke obscuration"), "%/m"), ("battery_pct", _("Battery"), "%")],
    "heat": [("temp_c", _("Temperature"), "°C"), ("battery_pct", _("Battery"), "%")],
    "gas": [("gas_lel_pct", _("Combustible gas"), "%LEL")],
    "water_pressure": [("pressure_mpa", _("Water pressure"), "MPa"), ("battery_pct", _("Battery"), "%")],
    "gateway": [],
    "fridge_temp": [("temp_c", _("Temperature"), "°C"), ("battery_pct", _("Battery"), "%")],
    "freezer_temp": [("temp_c", _("Temperature"), "°C"), ("battery_pct", _("Battery"), "%")],
}

_CHANNEL_LABELS: dict[str, Any] = {key: label for rows in CHANNELS.values() for key, label, _u in rows}
_CHANNEL_FAMILIES: dict[str, Any] = {
    "temp_c": _("Cable temperature"),
    "voltage_v": _("Voltage"),
    "current_a": _("Current"),
}


def channel_label(key: str, stored: str = "") -> str:
    """A channel in words in the active language: ``residual_current_ma`` → "Residual current";
    a rule's pattern ``temp_c.*`` → "Cable temperature (every line)"; else what the device's row
    says, else the key (a channel that a device sent without registering it)."""
    if key in _CHANNEL_LABELS:
        return str(_CHANNEL_LABELS[key])
    family, _dot, rest = key.partition(".")
    if family in _CHANNEL_FAMILIES and rest == "*":
        return str(_("%(channel)s (every line)") % {"channel": _CHANNEL_FAMILIES[family]})
    if family in _CHANNEL_FAMILIES and rest:
        return f"{_CHANNEL_FAMILIES[family]} {rest}"
    return stored or key


# Alarm types and their labels (the Chinese titles of events and pages come from here).
ALARM_TYPES: dict[str, Any] = {
    "residual_current": _("Residual current too high"),
    "cable_temp_warning": _("Cable temperature warning"),
    "cable_temp": _("Cable temperature alarm"),
    "overvoltage": _("Overvoltage"),
    "undervoltage": _("Undervoltage"),
    "arc_fault": _("Arc fault"),
    "smoke": _("Smoke alarm"),
    "heat": _("Heat alarm"),
    "gas": _("Combustible gas alarm"),
    "low_water_pressure": _("Hydrant water pressure low"),
    "low_battery": _("Low battery"),
    "tamper": _("Tamper"),
    "device_fault": _("Device fault"),
    "device_offline": _("Device offline"),
    "fridge_too_warm": _("Refrigerator too warm"),
    "fridge_too_cold": _("Refrigerator below 0 °C"),
    "freezer_too_warm": _("Freezer too warm"),
}

STD = "standard"
VENDOR = "vendor_default"
ALL_KINDS = [
    "electricity",
    "smoke",
    "heat",
    "gas",
    "water_pressure",
    "gateway",
    "fridge_temp",
    "freezer_temp",
]
# The kitchen's cold chain (domain-reference §4.5; issue 17): the limits of 《餐饮服务食品安全操作规范》
# (2018) as the issue states them, not re-verified in this project's sources. A rule fires at its
# threshold (8 °C is already "too warm"); three readings in a row so that an opened door is not an
# alarm, and a degree of hysteresis: both product choices, not the rule's.
COLD_CHAIN_REF = (
    "《餐饮服务食品安全操作规范》（2018）冷藏0～8℃、冷冻低于-12℃（未复核，issue 17）；"
    "连续3次、回差1℃为产品设定"
)

# device_kind, channel, alarm_type, category, severity, op, threshold, recovery, samples, for_seconds,
# recovery_samples, open_hazard, source, reference, confidence
_R = tuple[str, str, str, str, str, str, float | None, float | None, int, int, int, bool, str, str, str]
RULES: list[_R] = [
    (
        "electricity",
        "residual_current_ma",
        "residual_current",
        "alarm",
        "critical",
        "above",
        300,
        250,
        3,
        0,
        3,
        True,
        STD,
        "GB 50116-2013 §9.2.3: setting 300–500 mA; GB 14287.2",
        "verified",
    ),
    (
        "electricity",
        "temp_c.*",
        "cable_temp_warning",
        "alarm",
        "warning",
        "above",
        70,
        65,
        3,
        0,
        3,
        False,
        VENDOR,
        "vendor practice 60–80 °C; GB 14287.3 range 55–140 °C, no national value",
        "uncertain",
    ),
    (
        "electricity",
        "temp_c.*",
        "cable_temp",
        "alarm",
        "critical",
        "above",
        80,
        75,
        3,
        0,
        3,
        True,
        VENDOR,
        "vendor practice 60–80 °C; GB 14287.3 range 55–140 °C, no national value",
        "uncertain",
    ),
    (
        "electricity",
        "voltage_v.*",
        "overvoltage",
        "alarm",
        "warning",
        "above",
        235,
        233,
        5,
        0,
        5,
        False,
        STD,
        "GB/T 12325-2008: 220 V supply +7 %",
        "likely",
    ),
    (
        "electricity",
        "voltage_v.*",
        "undervoltage",
        "alarm",
        "warning",
        "below",
        198,
        200,
        5,
        0,
        5,
        False,
        STD,
        "GB/T 12325-2008: 220 V supply −10 %",
        "likely",
    ),
    (
        "electricity",
        "arc_count_1s",
        "arc_fault",
        "alarm",
        "critical",
        "above",
        14,
        None,
        1,
        0,
        3,
        True,
        STD,
        "GB 50166-2019 §4.8.6, GB 31252 §4.3.4: ≥ 14 half-cycles in 1 s",
        "verified",
    ),
    (
        "electricity",
        "*",
        "residual_current",
        "alarm",
        "critical",
        "event",
        None,
        None,
        1,
        0,
        1,
        True,
        STD,
        "device-reported (GB 14287.2 detector)",
        "verified",
    ),
    (
        "electricity",
        "*",
        "arc_fault",
        "alarm",
        "critical",
        "event",
        None,
        None,
        1,
        0,
        1,
        True,
        STD,
        "device-reported (GB 14287.4 detector)",
        "verified",
    ),
    (
        "smoke",
        "*",
        "smoke",
        "alarm",
        "critical",
        "event",
        None,
        None,
        1,
        0,
        1,
        True,
        STD,
        "device-reported (GB 20517 / GB 4715 detector)",
        "likely",
    ),
    (
        "heat",
        "*",
        "heat",
        "alarm",
        "critical",
        "event",
        None,
        None,
        1,
        0,
        1,
        True,
        STD,
        "device-reported (GB 4716 detector)",
        "likely",
    ),
    (
        "gas",
        "*",
        "gas",
        "alarm",
        "critical",
        "event",
        None,
        None,
        1,
        0,
        1,
        True,
        STD,
        "device-reported (GB 15322 detector)",
        "likely",
    ),
    (
        "gas",
        "gas_lel_pct",
        "gas",
        "alarm",
        "critical",
        "above",
        25,
        20,
        2,
        0,
        3,
        True,
        STD,
        "GB 15322: alarm setting 1–25 %LEL",
        "likely",
    ),
    (
        "water_pressure",
        "pressure_mpa",
        "low_water_pressure",
        "alarm",
        "warning",
        "below",
        0.1,
        0.12,
        3,
        60,
        3,
        True,
        VENDOR,
        "GB 50974-2014 hydrant pressure; site value to be checked",
        "uncertain",
    ),
]
RULES += [
    ("fridge_temp", "temp_c", "fridge_too_warm", "alarm", "warning", "above", 8, 7, 3, 0, 3, True, STD,
     COLD_CHAIN_REF, "uncertain"),
    ("fridge_temp", "temp_c", "fridge_too_cold", "alarm", "warning", "below", 0, 1, 3, 0, 3, False, STD,
     COLD_CHAIN_REF, "uncertain"),
    ("freezer_temp", "temp_c", "freezer_too_warm", "alarm", "warning", "above", -12, -13, 3, 0, 3, True, STD,
     COLD_CHAIN_REF, "uncertain"),
]  # fmt: skip
for _kind in ALL_KINDS:
    RULES += [
        (
            _kind,
            "battery_pct",
            "low_battery",
            "fault",
            "warning",
            "below",
            20,
            25,
            2,
            0,
            2,
            False,
            VENDOR,
            "vendor practice",
            "uncertain",
        ),
        (
            _kind,
            "*",
            "low_battery",
            "fault",
            "warning",
            "event",
            None,
            None,
            1,
            0,
            1,
            False,
            VENDOR,
            "device-reported",
            "likely",
        ),
        (
            _kind,
            "*",
            "tamper",
            "fault",
            "warning",
            "event",
            None,
            None,
            1,
            0,
            1,
            False,
            VENDOR,
            "device-reported",
            "likely",
        ),
        (
            _kind,
            "*",
            "device_fault",
            "fault",
            "warning",
            "event",
            None,
            None,
            1,
            0,
            1,
            False,
            VENDOR,
            "device-reported",
            "likely",
        ),
        (
            _kind,
            "*",
            "device_offline",
            "offline",
            "warning",
            "event",
            None,
            None,
            1,
            0,
            1,
            True,
            VENDOR,
            "no standard found (domain-reference §7.4): 3 × heartbeat interval",
            "uncertain",
        ),
    ]

# A fault alarm opened while the device already had this many fault alarms in the window becomes a
# hazard ("repeatedly faulty device").
REPEATED_FAULTS = 2
REPEATED_FAULT_DAYS = 30
# Flapping: this many alarms of one type on one device within the window keep the alarm open (no
# automatic clear) and mark it flapping.
FLAP_LIMIT = 3
FLAP_WINDOW_MINUTES = 60


# Alarm types whose threshold is the edge of a permitted band: the edge itself is allowed, only a
# value beyond it breaches (GB/T 12325-2008: 220 V supply +7 % / −10 %, 198–235 V permitted;
# domain-reference §7.2). Every other threshold is an alarm setting that breaches when reached.
BAND_EDGE_TYPES = frozenset({"overvoltage", "undervoltage"})


def seed_rules(AlarmRule) -> None:  # noqa: N803 - a historical model from a migration
    fields = [
        "device_kind",
        "channel",
        "alarm_type",
        "category",
        "severity",
        "op",
        "threshold",
        "recovery_threshold",
        "samples",
        "for_seconds",
        "recovery_samples",
        "open_hazard",
        "source",
        "reference",
        "confidence",
    ]
    has_edges = any(f.name == "threshold_breaches" for f in AlarmRule._meta.fields)
    for row in RULES:
        values = dict(zip(fields, row, strict=True))
        key = {k: values.pop(k) for k in ("device_kind", "channel", "alarm_type")}
        if has_edges:
            values["threshold_breaches"] = key["alarm_type"] not in BAND_EDGE_TYPES
        AlarmRule.objects.update_or_create(organization=None, **key, defaults=values)


# The rules' references are seed text in English: the Chinese pages show them through the catalogue
# (:func:`reference_text`); these lines put them in it.
REFERENCES = [
    gettext_noop("GB 15322: alarm setting 1–25 %LEL"),
    gettext_noop("GB 50116-2013 §9.2.3: setting 300–500 mA; GB 14287.2"),
    gettext_noop("GB 50166-2019 §4.8.6, GB 31252 §4.3.4: ≥ 14 half-cycles in 1 s"),
    gettext_noop("GB 50974-2014 hydrant pressure; site value to be checked"),
    gettext_noop("GB/T 12325-2008: 220 V supply +7 %"),
    gettext_noop("GB/T 12325-2008: 220 V supply −10 %"),
    gettext_noop("device-reported"),
    gettext_noop("device-reported (GB 14287.2 detector)"),
    gettext_noop("device-reported (GB 14287.4 detector)"),
    gettext_noop("device-reported (GB 15322 detector)"),
    gettext_noop("device-reported (GB 20517 / GB 4715 detector)"),
    gettext_noop("device-reported (GB 4716 detector)"),
    gettext_noop("no standard found (domain-reference §7.4): 3 × heartbeat interval"),
    gettext_noop("vendor practice"),
    gettext_noop("vendor practice 60–80 °C; GB 14287.3 range 55–140 °C, no national value"),
]


def reference_text(reference: str) -> str:
    """A rule's reference in the reader's language (a seeded one; one typed by a site is its own)."""
    from django.utils.translation import gettext

    return gettext(reference) if reference else ""
