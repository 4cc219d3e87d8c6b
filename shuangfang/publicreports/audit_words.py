"""The words of this app's audit actions (``core.audit``): what the audit trail shows."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

audit.register_actions(
    {
        "publicreport.submit": gettext_lazy("Public report received"),
        "publicreport.confirm": gettext_lazy("Public report confirmed as a hazard"),
        "publicreport.merge": gettext_lazy("Public report merged as a duplicate"),
        "publicreport.reject": gettext_lazy("Public report rejected"),
        "publicreport.poster_made": gettext_lazy("QR poster made"),
        "publicreport.poster_on": gettext_lazy("QR poster switched on"),
        "publicreport.poster_off": gettext_lazy("QR poster switched off"),
    }
)
# A received report's audit row counts its photos (not a field of the report).
audit.register_fields({"photos": gettext_lazy("Photos")})
