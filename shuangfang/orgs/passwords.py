"""Password validation that knows this project's people: their login name, full name, phone, email.

Django's ``UserAttributeSimilarityValidator`` compares the whole password to each attribute with a
similarity ratio, so a name repeated ("张伟张伟张伟张伟", "wangfangwangfang") is far enough from the
name to pass. This validator also refuses a password that is little more than the attribute (or a
part of it, e.g. the part of an email before @) repeated or decorated: what remains after removing
every occurrence must have at least ``min_remainder`` characters.
"""

from __future__ import annotations

import re

from django.contrib.auth import password_validation
from django.core.exceptions import FieldDoesNotExist, ValidationError

USER_ATTRIBUTES = ("username", "name", "phone", "email")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def __init__(self, user_attributes=USER_ATTRIBUTES, max_similarity: float = 0.7, min_remainder: int = 4):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)
        self.min_remainder = min_remainder

    def validate(self, password, user=None):
        super().validate(password, user)
        if not user:
            return
        lowered = password.lower()
        for attribute in self.user_attributes:
            value = getattr(user, attribute, None)
            if not value or not isinstance(value, str):
                continue
            for part in {value.lower(), *re.split(r"\W+", value.lower())}:
                # A part of one character (or two Latin letters) would match too much by chance.
                if len(part) < 2 or (part.isascii() and len(part) < 3):
                    continue
                if part in lowered and len(lowered.replace(part, "")) < self.min_remainder:
                    raise ValidationError(
                        self.get_error_message(),
                        code="password_too_similar",
                        params={"verbose_name": _verbose_name(user, attribute)},
                    )


def _verbose_name(user, attribute: str) -> str:
    try:
        return str(user._meta.get_field(attribute).verbose_name)
    except FieldDoesNotExist:
        return attribute
