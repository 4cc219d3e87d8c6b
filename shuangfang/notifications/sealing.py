"""Provider secrets encrypted at rest with the ``cryptography`` package's Fernet (AES-128-CBC and an
HMAC-SHA256 tag: authenticated), through a MultiFernet over ``settings.FIELD_ENCRYPTION_KEYS``.

The keys are Fernet keys (32 url-safe base64 bytes, ``manage.py rotate_field_keys --new-key`` prints
one), newest first: the first encrypts, every one of them decrypts. They are independent of
``SECRET_KEY``, so changing that key leaves stored secrets readable. To rotate: put a new key in
front, run ``manage.py rotate_field_keys`` (every stored secret re-encrypted with the newest key),
then drop the old key. A stored value is the Fernet token as text (``gAAAAA…``); values sealed by the
former home-made scheme (``v1.…``) are re-encrypted by migration ``0005_fernet_secrets``.

Errors: :class:`KeysMissing` when no key is configured (an operator's mistake, told plainly), and
:class:`SecretUnreadable` when no configured key opens a stored value (a key was dropped before
rotating, or the value was altered). Neither carries the secret.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class KeysMissing(ImproperlyConfigured):
    pass


class SecretUnreadable(ValueError):
    pass


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise KeysMissing(
            "FIELD_ENCRYPTION_KEYS is not set: provider secrets cannot be encrypted or read "
            "(set FIELD_ENCRYPTION_KEYS or FIELD_ENCRYPTION_KEYS_FILE; `make run` keeps one in var/)"
        )
    fernets = []
    for position, key in enumerate(keys, 1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64-encoded "
                "bytes; `manage.py rotate_field_keys --new-key` prints one)"
            ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ())))


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def unseal(sealed: str) -> str:
    f = fernet()
    try:
        return f.decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "the stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS "
            "(a key removed before `rotate_field_keys` ran, or the value was altered): re-enter it"
        ) from exc


def reseal(sealed: str) -> str:
    """The same secret encrypted with the newest key (``MultiFernet.rotate``)."""
    try:
        return fernet().rotate(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("the stored secret cannot be decrypted with any configured key") from exc


def readable(sealed: str) -> bool:
    """Whether the configured keys open ``sealed`` (False too when no key or a malformed one is
    configured): for a status on a page, never an error page."""
    try:
        unseal(sealed)
    except (SecretUnreadable, ImproperlyConfigured):
        return False
    return True
