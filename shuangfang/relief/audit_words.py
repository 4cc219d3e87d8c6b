"""The words of the relief casework's audit entries (``core.audit``): the keys its services write
that are not fields of the audited model, and the codes they hold."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

from .choices import SearchKind

audit.register_fields(
    {
        "persons": gettext_lazy("persons"),
        "risk_level": gettext_lazy("risk level"),
        "incident": gettext_lazy("incident on the way"),
        "located": gettext_lazy("location given"),
        "item": gettext_lazy("item"),
        "returned_items": gettext_lazy("items returned"),
        "prohibited": gettext_lazy("prohibited item"),
        "signed": gettext_lazy("signed on the screen"),
        "days": gettext_lazy("days"),
        "reason": gettext_lazy("reason"),
        "period_days": gettext_lazy("assistance period (days)"),
        "search_kind": gettext_lazy("kind of search"),
        "search_done": gettext_lazy("search done"),
        "search_on": gettext_lazy("search date"),
        "external_ref": gettext_lazy("external reference"),
        "repeat": gettext_lazy("repeat wanderer"),
    },
    values={"search_kind": dict(SearchKind.choices)},
)
