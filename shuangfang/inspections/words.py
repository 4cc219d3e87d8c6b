"""Inspections' words for other apps' pages (loaded at start by ``core.apps``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shuangfang.core import origins

from .choices import ITEM_ORIGIN


def _record_url(item_uuid: str) -> str:
    from .models import RecordItem

    item = RecordItem.objects.select_related("record").filter(uuid=item_uuid).first()
    return reverse("inspections:record", args=[item.record.uuid]) if item else ""


origins.register(ITEM_ORIGIN, _("Inspection record"), _record_url)
origins.register("library", lambda code: _("Library item %(code)s") % {"code": code}, lambda code: "")
