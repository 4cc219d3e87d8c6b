"""The login throttle resists spraying, cannot be used to lock others out, and believes
X-Forwarded-For only from a trusted proxy (issue 13)."""

import datetime as dt

import time_machine
from django.contrib.auth.signals import user_logged_in
from django.test import Client, RequestFactory, override_settings

from shuangfang.core.throttle import client_ip
from shuangfang.orgs.tests.factories import PASSWORD, make_person

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"


def attempt(username: str, password: str, address: str, client: Client | None = None):
    client = client or Client()
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(response) -> bool:
    return response.status_code == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=20)
def test_one_password_sprayed_over_twenty_names_is_then_refused_from_that_address(world):
    names = [f"person{i:02d}" for i in range(20)]
    for name in names:
        make_person(world.users["institution_head"], name, world.inst_a, "staff")
    for name in names:
        assert not logged_in(attempt(name, "Spring2026!", ATTACKER))
    # The 21st name, even with the right password, is refused from that address...
    response = attempt("officer_a", PASSWORD, ATTACKER)
    assert not logged_in(response)
    assert "失败次数过多" in response.content.decode()
    # ...while everyone else logs in as usual.
    assert logged_in(attempt("officer_a", PASSWORD, VICTIM))


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_MAX_DELAY_SECONDS=120)
def test_hammering_an_account_from_elsewhere_does_not_lock_its_owner_out(world):
    owner = Client()
    assert logged_in(attempt("cook_a", PASSWORD, VICTIM, owner))  # the owner's browser is known
    owner.post("/logout/")
    with time_machine.travel(NOW, tick=False) as clock:
        for i in range(60):  # from many addresses, as fast as allowed
            attempt("cook_a", "guess", f"203.0.113.{i}")
            clock.shift(1)
        # One address is locked out of the account after its few tries...
        for _ in range(6):
            attempt("cook_a", "guess", ATTACKER)
            clock.shift(121)  # past the account delay, within the lockout window
        assert "失败次数过多" in attempt("cook_a", PASSWORD, ATTACKER).content.decode()
        # ...and any new address is slowed down.
        attempt("cook_a", "guess", "192.0.2.98")
        assert "秒" in attempt("cook_a", PASSWORD, "192.0.2.99").content.decode()
        # The owner, in their own browser, logs in at once.
        assert logged_in(attempt("cook_a", PASSWORD, VICTIM, owner))


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_MAX_DELAY_SECONDS=120)
def test_the_owner_in_a_new_browser_is_only_delayed(world):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(8):
            attempt("cook_a", "guess", ATTACKER)
        response = attempt("cook_a", PASSWORD, VICTIM)
        assert not logged_in(response)
        assert "请等待" in response.content.decode()
        clock.shift(121)
        assert logged_in(attempt("cook_a", PASSWORD, VICTIM))


@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_the_delay_grows_with_the_accounts_failures_but_a_refused_try_does_not_count(world):
    seen = []
    user_logged_in.connect(lambda **kw: seen.append(kw["user"].username), weak=False, dispatch_uid="t")
    try:
        with time_machine.travel(NOW, tick=False) as clock:
            for i in range(7):
                attempt("cook_a", "guess", f"192.0.2.{i}")
                clock.shift(60)
            # 8 failures, 5 free: wait 2**4 = 16 s after the last one; a refused try changes nothing.
            attempt("cook_a", "guess", "192.0.2.50")
            assert "16 秒" in attempt("cook_a", PASSWORD, "192.0.2.51").content.decode()
            clock.shift(15)
            assert "1 秒" in attempt("cook_a", PASSWORD, "192.0.2.51").content.decode()
            clock.shift(1)
            assert logged_in(attempt("cook_a", PASSWORD, "192.0.2.52"))
    finally:
        user_logged_in.disconnect(dispatch_uid="t")
    assert seen == ["cook_a"]


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    rf = RequestFactory()
    direct = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(direct) == "198.51.100.7"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.9")
    assert client_ip(proxied) == "198.51.100.7"  # the client's own "1.2.3.4" is ignored
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="nonsense")
    assert client_ip(garbage) == "10.0.0.2"


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_an_untrusted_peer_cannot_dodge_the_lockout_with_a_forged_header(world):
    client = Client()
    for i in range(3):
        client.post(
            "/login/",
            {"username": "cook_a", "password": "nope"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
    response = client.post(
        "/login/",
        {"username": "cook_a", "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert "失败次数过多" in response.content.decode()


@override_settings(LOGIN_FAILURE_LIMIT=3, TRUSTED_PROXIES=["10.0.0.1/32"])
@time_machine.travel(NOW, tick=False)
def test_behind_a_trusted_proxy_one_client_cannot_lock_out_another(world):
    for _ in range(3):
        Client().post(
            "/login/",
            {"username": "cook_a", "password": "nope"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    with time_machine.travel(NOW + dt.timedelta(seconds=3), tick=False):  # past the account's delay
        response = Client().post(
            "/login/",
            {"username": "cook_a", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=VICTIM,
        )
    assert logged_in(response)
