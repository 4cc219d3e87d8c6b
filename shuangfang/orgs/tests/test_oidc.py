"""Single sign-on with OpenID Connect against a local provider that speaks the protocol (authorization
code, an RS256-signed ID token checked against the provider's JWKS, userinfo with groups): a person
is created on first login with the roles their groups map to, the roles follow the groups at each
login, someone without a mapped role is refused and not created, a token signed with another key
is refused, and the whole thing is off (404) unless configured."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from shuangfang.core.models import AuditEntry
from shuangfang.orgs.models import User

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "shuangfang", "s3cret-of-the-client"


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Provider:
    """The identity provider: who logs in next is set by the test (``person``)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key  # a test may sign with another key
        self.person: dict = {}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/authorize":
                    assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": q["nonce"], "redirect_uri": q["redirect_uri"]}
                    back = (
                        f"{q['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': q['state']})}"
                    )
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                elif url.path == "/jwks":
                    pub = provider.key.public_key().public_numbers()
                    key = {
                        "kty": "RSA",
                        "kid": "k1",
                        "use": "sig",
                        "alg": "RS256",
                        "n": _b64(pub.n),
                        "e": _b64(pub.e),
                    }
                    self._json(200, {"keys": [key]})
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = provider.tokens.get(token)
                    self._json(200, claims) if claims else self._json(401, {"error": "invalid_token"})
                else:
                    self._json(404, {})

            def do_POST(self):
                body = dict(
                    urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode())
                )
                grant = provider.codes.pop(body.get("code", ""), None)
                if (
                    grant is None
                    or body.get("client_id") != CLIENT_ID
                    or body.get("client_secret") != CLIENT_SECRET
                    or body.get("redirect_uri") != grant["redirect_uri"]
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                now = int(time.time())
                claims = {
                    "iss": provider.url,
                    "sub": provider.person["preferred_username"],
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": grant["nonce"],
                }
                id_token = jwt.encode(claims, provider.signing_key, algorithm="RS256", headers={"kid": "k1"})
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = dict(provider.person)
                self._json(200, {"access_token": access, "id_token": id_token, "token_type": "Bearer"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider(settings, world):
    p = Provider()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{p.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{p.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{p.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{p.url}/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "shuangfang.orgs.oidc.Backend"]
    settings.OIDC_ROLE_MAP = (
        f"safety-officers=safety_officer@{world.inst_a.uuid}; kitchen=staff@{world.inst_a.name}"
    )
    yield p
    p.server.shutdown()


def _sso(client: Client, provider: Provider, status: int = 302) -> str:
    """The browser's round trip: our start URL → the provider → our callback. Where it ends."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith(provider.url + "/authorize?")
    req = urllib.request.Request(start["Location"])
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(req)
        raise AssertionError("the provider should redirect")
    except urllib.error.HTTPError as back:
        location = back.headers["Location"]
    parts = urllib.parse.urlsplit(location)
    done = client.get(f"{parts.path}?{parts.query}")
    assert done.status_code == status
    return done.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_first_login_creates_the_person_with_the_roles_their_groups_map_to(provider, world):
    provider.person = {
        "preferred_username": "li.hua",
        "name": "李华",
        "email": "li.hua@example.gov.cn",
        "phone_number": "13800138000",
        "groups": ["safety-officers", "other-app-admins"],
    }
    client = Client()
    assert "/oidc/authenticate/" in client.get("/login/").content.decode()
    assert _sso(client, provider) == "/"
    user = User.objects.get(username="li.hua")
    assert (user.name, user.email, user.phone) == ("李华", "li.hua@example.gov.cn", "13800138000")
    assert not user.has_usable_password()
    assert [(m.organization, m.role) for m in user.memberships.all()] == [(world.inst_a, "safety_officer")]
    assert client.get("/").status_code == 200  # logged in
    entry = AuditEntry.objects.filter(action="membership.add", actor=None).get()
    assert "identity provider" in entry.note

    # Moved to the kitchen at the provider: the mapped role follows at the next login.
    provider.person = {**provider.person, "groups": ["kitchen"]}
    assert _sso(Client(), provider) == "/"
    assert [m.role for m in user.memberships.all()] == ["staff"]

    # All mapped groups withdrawn: the role ends and the login is refused.
    provider.person = {**provider.person, "groups": []}
    assert _sso(Client(), provider) == "/login/?sso=failed"
    assert not user.memberships.exists()


def test_an_account_without_a_mapped_role_is_refused_and_not_created(provider):
    provider.person = {"preferred_username": "visitor", "name": "访客", "groups": ["other-app-users"]}
    client = Client()
    assert _sso(client, provider) == "/login/?sso=failed"
    assert not User.objects.filter(username="visitor").exists()
    assert "单点登录未成功" in client.get("/login/?sso=failed").content.decode()


def test_roles_given_by_hand_are_kept_and_an_id_token_signed_by_another_key_is_refused(provider, world):
    provider.person = {"preferred_username": "wang.wu", "name": "王五", "groups": ["kitchen"]}
    assert _sso(Client(), provider) == "/"
    user = User.objects.get(username="wang.wu")
    from shuangfang.orgs.models import Membership

    Membership.objects.create(user=user, organization=world.dept_a, role="department_head")
    assert _sso(Client(), provider) == "/"
    assert sorted(m.role for m in user.memberships.all()) == ["department_head", "staff"]

    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = Client()
    _sso(client, provider, status=400)  # the signature does not verify: refused outright
    assert client.get("/").status_code == 302  # not logged in


def test_single_sign_on_is_off_unless_configured(client, settings):
    settings.OIDC_ENABLED = False
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "/oidc/authenticate/" not in client.get("/login/").content.decode()
