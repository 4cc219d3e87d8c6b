"""Guarded outbound HTTP: a webhook or provider URL may not reach this machine, the private network
or the cloud's metadata service (SSRF).

Refused, for IPv4 and IPv6: loopback, private (RFC 1918, ``fc00::/7``), shared (``100.64/10``),
link-local, multicast, reserved, unspecified, documentation and every other non-global range, plus
the cloud metadata addresses (``169.254.169.254``, Alibaba's ``100.100.100.200``, AWS's
``fd00:ec2::254``, Azure's ``168.63.129.16``), which no setting opens. Addresses hidden inside IPv6
(IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) are judged by the IPv4
address they carry. A host name is judged by every address it resolves to, and numeric tricks
(``2130706433``, ``0x7f.1``, ``017700000001``) by what the resolver makes of them, the same as a
connection would.

Two checks:

* :func:`check_url` when a provider is saved: a clear, translated ``ValidationError``.
* :func:`open_url` when sending: the name is resolved once, every address checked, and the socket
  connects to a checked address itself (so a DNS answer that changes between the check and the
  connection, DNS rebinding, cannot slip through). TLS still verifies the certificate for the host
  name. Redirects are never followed; environment proxy variables are ignored (a proxy would be the
  address checked).

``settings.OUTBOUND_ALLOW`` lists CIDRs or exact host names that may be reached anyway (an internal
duty system; the tests' local receivers on 127.0.0.1).
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import logging
import re
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "fd00:ec2::254")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,62}[a-z0-9_])?)*\.?$"
)


class Refused(Exception):
    """An outbound request that may not be made: ``kind`` is ``scheme``, ``port``, ``unresolved``
    or why the address is forbidden (:func:`forbidden`). The message names the host, never the
    address it resolved to (that goes to the server log only)."""

    def __init__(self, kind: str, host: str = ""):
        self.kind, self.host = kind, host
        super().__init__(
            f"{host or 'the URL'}: {kind}"
            if kind in {"scheme", "port", "unresolved"}
            else f"{host} resolves to a {kind} address"
        )


@functools.lru_cache(maxsize=8)
def _parse_allow(entries: tuple[str, ...]) -> tuple[tuple[IPNetwork, ...], frozenset[str]]:
    networks: list[IPNetwork] = []
    hosts: set[str] = set()
    for raw in entries:
        entry = raw.strip().lower()
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        if not _HOST_NAME.match(entry) or entry.replace(".", "").isdigit():
            raise ImproperlyConfigured(f"OUTBOUND_ALLOW: {raw!r} is neither a CIDR nor a host name")
        hosts.add(entry.rstrip("."))
    return tuple(networks), frozenset(hosts)


def _allow() -> tuple[tuple[IPNetwork, ...], frozenset[str]]:
    return _parse_allow(tuple(getattr(settings, "OUTBOUND_ALLOW", ())))


def _embedded(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), else the address itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def forbidden(ip: IPAddress) -> str:
    """Why ``ip`` may not be reached ("" when it may)."""
    inner = _embedded(ip)
    if ip in METADATA or inner in METADATA:
        return "cloud metadata"
    networks, _hosts = _allow()
    if any(ip in n or inner in n for n in networks):
        return ""
    for candidate in {ip, inner}:
        if candidate.is_loopback:
            return "loopback"
        if candidate.is_link_local:
            return "link-local"
        if candidate.is_multicast:
            return "multicast"
        if candidate.is_unspecified:
            return "unspecified"
        if candidate.is_private:
            return "private"
        if candidate.is_reserved or not candidate.is_global:
            return "reserved"
    return ""


def resolve(host: str, port: int) -> list[tuple[socket.AddressFamily, IPAddress, Any]]:
    """Every address of ``host`` (``getaddrinfo``, as a connection would resolve it); ``Refused``
    when the name does not resolve or any of its addresses is forbidden."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused("unresolved", host) from exc
    out: list[tuple[socket.AddressFamily, IPAddress, Any]] = []
    _networks, hosts = _allow()
    trusted = host.lower().rstrip(".") in hosts
    for family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        reason = forbidden(ip)
        if reason == "cloud metadata" or (reason and not trusted):
            log.warning("outbound: refused %s (%s, a %s address)", host, ip, reason)
            raise Refused(reason, host)
        out.append((family, ip, sockaddr))
    if not out:
        raise Refused("unresolved", host)
    return out


def _split(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Refused("scheme")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Refused("port", parts.hostname) from exc
    return parts.scheme, parts.hostname, port


def _why(exc: Refused) -> str:
    if exc.kind == "scheme":
        return _("Only http:// and https:// addresses with a host name can be used.")
    if exc.kind == "port":
        return _("The port of this address is not valid.")
    if exc.kind == "unresolved":
        return _("The host name %(host)s does not resolve.") % {"host": exc.host}
    kinds = {
        "loopback": _("a loopback (this machine's own) address"),
        "private": _("a private network address"),
        "link-local": _("a link-local address"),
        "multicast": _("a multicast address"),
        "unspecified": _("an unspecified address"),
        "reserved": _("a reserved or non-public address"),
        "cloud metadata": _("the cloud metadata service"),
    }
    return _(
        "%(host)s leads to %(kind)s. Webhooks and providers must be on the public internet; the "
        "operator can allow internal addresses (OUTBOUND_ALLOW)."
    ) % {"host": exc.host, "kind": kinds.get(exc.kind, exc.kind)}


def check_url(url: str) -> None:
    """At save time: ``ValidationError`` (translated) for a URL that may not be reached."""
    try:
        _scheme, host, port = _split(url)
        resolve(host, port)
    except Refused as exc:
        raise ValidationError(_why(exc)) from exc


def _connect(host: str, port: int, timeout, source_address=None) -> socket.socket:
    """A socket connected to a checked address of ``host`` (never resolved again)."""
    last: OSError | None = None
    for family, _ip, sockaddr in resolve(host, port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            last = exc
            sock.close()
    raise last or OSError(f"{host}: no address to connect to")


def _guarded_create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):  # type: ignore[attr-defined]
    host, port = address
    return _connect(host, port, timeout, source_address)


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_create_connection


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_create_connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx answer is returned as it is (an error for the caller)


_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.UnknownHandler(),
    _HTTPHandler(),
    _HTTPSHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    _NoRedirect(),
    urllib.request.HTTPErrorProcessor(),
):
    _OPENER.add_handler(_handler)


def open_url(req: urllib.request.Request, *, timeout: float):
    """``urlopen`` through the guard: ``Refused`` for a forbidden URL or address; no proxy, no
    redirect (a 3xx raises ``HTTPError`` like any non-2xx answer)."""
    _split(req.full_url)
    try:
        return _OPENER.open(req, timeout=timeout)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, Refused):
            raise exc.reason from exc
        raise
