"""Risks' words for other apps' pages (loaded at start by ``core.apps``)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core import origins


def _measure(uuid: str):
    from .models import ControlMeasure

    return ControlMeasure.objects.select_related("factor__risk_point").filter(uuid=uuid).first()


def _measure_label(uuid: str) -> str:
    measure = _measure(uuid)
    if measure is None:
        return str(gettext_lazy("A control measure (removed)"))
    return _("Control measure of %(point)s") % {"point": measure.factor.risk_point.name}


def _measure_url(uuid: str) -> str:
    measure = _measure(uuid)
    return reverse("risks:point", args=[measure.factor.risk_point.uuid]) if measure else ""


origins.register("control_measure", _measure_label, _measure_url)
