from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.vocabulary import CheckCategory
from shuangfang.hazards.forms import PhotosField

from .choices import RejectReason, Status
from .models import PublicReport
from .services import TEXT_MAX


class PublicReportForm(forms.Form):
    """The visitor's form: a photo and/or a line, an optional phone number."""

    photos = PhotosField(label=_("Photo"), required=False)
    text = forms.CharField(
        label=_("What did you see, and where?"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional, only if you want us to call back)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class ConfirmForm(forms.Form):
    description = forms.CharField(
        label=_("Hazard description"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty: the visitor's words."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *CheckCategory.choices], required=False
    )
    existing = forms.CharField(
        label=_("Or: the number of a hazard already known"),
        max_length=20,
        required=False,
        help_text=_("e.g. YH-2026-0042: no new hazard is filed; the visitor follows that one."),
    )
    note = forms.CharField(label=_("Note (not shown to the visitor)"), max_length=500, required=False)


class ReportChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} · {obj.get_status_display()} · {(obj.text or '')[:30]}"


class MergeForm(forms.Form):
    into = ReportChoiceField(
        label=_("The report this one repeats"), queryset=PublicReport.objects.none(), to_field_name="uuid"
    )
    note = forms.CharField(label=_("Note (not shown to the visitor)"), max_length=500, required=False)

    def __init__(self, *args, report: PublicReport, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        assert isinstance(field, ReportChoiceField)
        field.queryset = (
            PublicReport.objects.filter(
                organization=report.organization, status__in=[Status.RECEIVED, Status.CONFIRMED]
            )
            .exclude(pk=report.pk)
            .select_related("poster__risk_point", "organization")
            .order_by("-received_at")
        )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=pgettext_lazy("public report", "Why"), choices=RejectReason.choices)
    note = forms.CharField(label=_("Note (not shown to the visitor)"), max_length=500, required=False)
