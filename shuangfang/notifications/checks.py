"""System checks: the keys for provider secrets and the outbound allow-list."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from . import outbound, sealing


@register(Tags.security)
def outbound_allow_check(app_configs=None, **kwargs) -> list[Error]:
    try:
        outbound._allow()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="notifications.E002")]
    return []


@register(Tags.security)
def field_keys_malformed_check(app_configs=None, **kwargs) -> list[Error]:
    try:
        sealing.fernet()
    except sealing.KeysMissing:
        return []  # a box without provider secrets needs no key; `check --deploy` says it
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="notifications.E003")]
    return []


@register(Tags.security, deploy=True)
def field_keys_missing_check(app_configs=None, **kwargs) -> list[Error]:
    try:
        sealing.fernet()
    except sealing.KeysMissing as exc:
        return [
            Error(
                str(exc),
                hint="Generate one with `manage.py rotate_field_keys --new-key`.",
                id="notifications.E001",
            )
        ]
    except ImproperlyConfigured:
        return []  # reported by notifications.E003
    return []
