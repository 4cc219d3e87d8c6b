"""Public reports' words for other apps' pages (loaded at start by ``core.apps``): a hazard confirmed
from a public report shows "Public report" with a link to it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from shuangfang.core import origins

origins.register(
    "public-report",
    gettext_lazy("Public report (QR poster)"),
    lambda uuid: reverse("publicreports:detail", args=[uuid]),
)
