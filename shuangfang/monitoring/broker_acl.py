"""Per-device MQTT credentials and topic ACLs for Mosquitto (docs/security.md, docs/operations.md).

Each device logs in to the broker as its ``code`` with a password derived from a server secret
(``HMAC-SHA256(MQTT_CREDENTIALS_KEY or SECRET_KEY, "mqtt-device:" + code)``): the product can write
the broker's files again at any time without keeping a plaintext, and shows an administrator the
password to provision into the device. The ACL lets a device write only its own topic
(``<root>/<institution uuid>/<code>/up``) and read nothing; the listener's user reads the whole root.
:func:`broker_files` gives the Mosquitto ``password_file`` (PBKDF2-SHA512, the ``$7$`` format of
Mosquitto 2.x) and ``acl_file``; ``manage.py mqtt_broker_files`` writes them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable

from django.conf import settings

from .models import Device
from .mqtt import DEFAULT_ROOT, topic_for

ITERATIONS = 101  # Mosquitto 2.0's mosquitto_passwd default for $7$
SALT_BYTES = 12


def _key() -> bytes:
    return (getattr(settings, "MQTT_CREDENTIALS_KEY", "") or settings.SECRET_KEY).encode()


def device_password(device: Device) -> str:
    digest = hmac.new(_key(), f"mqtt-device:{device.code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def mosquitto_hash(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512(password, salt)>``, as mosquitto_passwd."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def _safe(name: str) -> str:
    """A user name or topic part may not break the files' line format."""
    if not name or any(c in name for c in ":\n\r#+ ") or name.startswith("$"):
        raise ValueError(f"not usable in the broker's files: {name!r}")
    return name


def broker_files(
    devices: Iterable[Device], *, listener_user: str, listener_password: str, root: str = DEFAULT_ROOT
) -> tuple[str, str]:
    """(password file, ACL file) for the active ``devices`` and the listener."""
    passwd = [f"{_safe(listener_user)}:{mosquitto_hash(listener_password)}"]
    acl = [
        "# Written by manage.py mqtt_broker_files: each device may publish only to its own topic.",
        f"user {listener_user}",
        f"topic read {root}/#",
        "topic read $SYS/broker/publish/messages/dropped",
        "",
    ]
    for d in devices:
        code = _safe(d.code)
        passwd.append(f"{code}:{mosquitto_hash(device_password(d))}")
        acl += [f"user {code}", f"topic write {topic_for(d, root)}", ""]
    return "\n".join(passwd) + "\n", "\n".join(acl)
