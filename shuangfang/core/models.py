from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import TenantQuerySet


class AuditQuerySet(TenantQuerySet["AuditEntry"]):
    def for_object(self, obj: models.Model) -> "AuditQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after. Written by services only."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict)
    note = models.TextField(_("note"), blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
            models.Index(fields=["organization", "-created_at"], name="audit_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) with the model's verbose field names."""
        model = self.content_type.model_class()
        rows = []
        for key, (before, after) in self.changes.items():
            label = key
            if model is not None:
                try:
                    label = str(getattr(model._meta.get_field(key), "verbose_name", key))
                except Exception:  # a field that no longer exists keeps its code name
                    label = key
            rows.append((label, before, after))
        return rows

    @property
    def action_label(self) -> str:
        from .audit import action_label

        return action_label(self.action)
