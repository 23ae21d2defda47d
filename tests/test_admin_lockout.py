"""The admin lockout and server-side sessions (issue 12): exponential back-off per address and
service-wide, shared by the UI and the API and by every process; sessions that logout revokes.

The schedules are checked on the real SQLite stores with a settable clock (no waiting minutes);
everything else through the real app.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from service import create_app
from service.store.logins import Attempt, Backoff, LoginAttempts
from service.store.sessions import AdminSessions
from service.web.admin import base as admin_base

from .test_admin_ui import token_of

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "lås upp häst"


class Clock:
    """A clock the test sets (unix seconds)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def attempts(tmp_path, clock):
    return LoginAttempts(tmp_path / "logins.sqlite3", clock=clock)


def fail(attempts: LoginAttempts, key: str) -> None:
    attempt = attempts.admit(key)
    assert attempt.wait_s == 0, f"{key} had to wait {attempt.wait_s} s"
    attempts.failed(attempt)


# -- the schedule, on the store ----------------------------------------------------------------


def test_an_address_waits_twice_as_long_after_each_failure_beyond_ten(attempts, clock):
    for _ in range(10):
        fail(attempts, "192.0.2.1")
    waits = []
    for _ in range(7):
        attempt = attempts.admit("192.0.2.1")
        waits.append(attempt.wait_s)
        clock.now += attempt.wait_s - 1
        assert attempts.admit("192.0.2.1").wait_s == pytest.approx(1)  # still waiting, and not longer
        clock.now += 1
        fail(attempts, "192.0.2.1")
    assert waits == [60, 120, 240, 480, 900, 900, 900]  # 1 min doubling, at most 15 min
    assert attempts.admit("192.0.2.2").wait_s == 0  # another address is not held back
    assert not attempts.under_attack()


def test_the_right_password_or_an_hour_without_failures_forgets_them(attempts, clock):
    for _ in range(11):
        clock.now += 3599  # guessing slowly is still failing in a row
        fail(attempts, "192.0.2.1")
    assert attempts.admit("192.0.2.1").wait_s == 120
    clock.now += 120
    attempts.succeeded(attempts.admit("192.0.2.1"))  # the right password
    for _ in range(10):
        fail(attempts, "192.0.2.1")
    assert attempts.admit("192.0.2.1").wait_s == 60
    clock.now += 3601  # an hour without a try
    for _ in range(10):
        fail(attempts, "192.0.2.1")
    assert attempts.admit("192.0.2.1").wait_s == 60


def test_many_addresses_failing_together_hold_every_failing_address_back(attempts, clock):
    for i in range(29):
        fail(attempts, f"198.51.100.{i}")
    assert not attempts.under_attack()
    fail(attempts, "198.51.100.200")  # the 30th failure within 5 minutes
    assert attempts.under_attack()
    # Every address that has failed waits 2^n s after its n-th failure, also the ones that failed
    # before the attack was seen; a new address waits for 2 s without any failure in the service;
    # an address that logged in before is not held back by the attack.
    assert attempts.admit("198.51.100.200").wait_s == 2
    assert attempts.admit("198.51.100.0").wait_s == 2
    assert attempts.admit("203.0.113.1").wait_s == 2
    clock.now += 2
    fail(attempts, "198.51.100.200")
    assert attempts.admit("198.51.100.200").wait_s == 4
    clock.now += 4
    fail(attempts, "198.51.100.200")
    assert attempts.admit("198.51.100.200").wait_s == 8
    clock.now += 301  # five quiet minutes: no longer under attack, the address's own count remains
    assert not attempts.under_attack()
    assert attempts.admit("198.51.100.200").wait_s == 0


def test_during_an_attack_new_addresses_wait_for_a_quiet_moment_and_the_admin_does_not(attempts, clock):
    attempts.succeeded(attempts.admit("192.0.2.7"))  # the admin's own address, before the attack
    for i in range(30):
        fail(attempts, f"198.51.100.{i}")
    assert attempts.admit("203.0.113.1").wait_s == 2  # a new address: the whole service slows down
    assert attempts.admit("192.0.2.7").wait_s == 0  # the admin's own address: not held back
    clock.now += 2
    assert attempts.admit("203.0.113.1").wait_s == 0  # a quiet moment: one new guess may come
    for i in range(30, 60):  # thirty more failures: the quiet moment needed doubles every ten
        attempts.failed(Attempt(f"198.51.100.{i}", 0.0, False))
    assert attempts.admit("203.0.113.2").wait_s == 16
    for i in range(60, 200):
        attempts.failed(Attempt(f"198.51.100.{i}", 0.0, False))
    assert attempts.admit("203.0.113.3").wait_s == 60  # never longer than a minute
    clock.now += 301  # five quiet minutes
    assert attempts.admit("203.0.113.4").wait_s == 0


def test_parallel_attempts_cannot_slip_past_a_wait(attempts):
    for _ in range(9):
        fail(attempts, "192.0.2.7")
    admitted = []
    barrier = threading.Barrier(12)

    def attempt():
        barrier.wait()
        if attempts.admit("192.0.2.7").wait_s == 0:
            admitted.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(admitted) == 1  # the 10th try; the others wait the minute it starts


def test_the_schedule_never_overflows():
    assert Backoff().wait_s(100_000, True) == 900


# -- through the app -----------------------------------------------------------------------------


@pytest.fixture
def app_config(app_config):
    return {**app_config, "ADMIN_PASSWORD": PASSWORD}


def bearer(password: str) -> dict:
    return {"Authorization": f"Bearer {password}"}


def ui_login(client, password: str, address: str = "127.0.0.1"):
    env = {"REMOTE_ADDR": address}
    page = client.get("/admin/login", environ_base=env)
    return client.post("/admin/login", data={"password": password, "csrf_token": token_of(page.text)},
                       environ_base=env)


def test_forty_addresses_guessing_once_each_slow_the_whole_service_and_the_admin_still_gets_in(client):
    """A guesser spreading over many addresses: after 30 failures a new address must wait for a
    quiet moment too, and an address that failed waits 2^n s; the admin's own address (it logged
    in before) still gets in at once."""
    assert ui_login(client, PASSWORD, "10.0.1.1").headers["Location"] == "/admin/"
    for i in range(30):
        r = client.get("/api/v1/admin/cache", headers=bearer("gissning"), environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
        assert r.status_code == 401
    fresh = client.get("/api/v1/admin/cache", headers=bearer("gissning"), environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert fresh.status_code == 429 and 1 <= int(fresh.headers["Retry-After"]) <= 2
    again = client.get("/api/v1/admin/cache", headers=bearer("gissning igen"),
                       environ_base={"REMOTE_ADDR": "10.0.0.29"})
    assert again.status_code == 429 and again.get_json()["error"] == "locked_out"
    assert 1 <= int(again.headers["Retry-After"]) <= 2
    message = again.get_json()["message"]
    assert "försök igen om" in message and "try again in" in message
    # The right password from the admin's own address gets in at once, in the UI and the API.
    browser = client.application.test_client()
    assert ui_login(browser, PASSWORD, "10.0.1.1").headers["Location"] == "/admin/"
    assert browser.get("/admin/", environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 200
    ok = client.get("/api/v1/admin/cache", headers=bearer(PASSWORD), environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert ok.status_code == 200


def test_the_lockout_is_shared_by_the_ui_and_the_api(client):
    for _ in range(10):
        assert ui_login(client, "gissning").status_code == 401
    r = client.get("/api/v1/admin/cache", headers=bearer(PASSWORD))
    assert r.status_code == 429 and 50 <= int(r.headers["Retry-After"]) <= 60
    r = ui_login(client, PASSWORD)
    assert r.status_code == 429 and "försök igen om" in r.text and "För många försök" in r.text
    assert 50 <= int(r.headers["Retry-After"]) <= 60


def test_an_ipv6_address_is_counted_with_its_64(client):
    for i in range(10):
        r = client.get("/api/v1/admin/cache", headers=bearer("gissning"),
                       environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{i + 1:x}"})
        assert r.status_code == 401
    same = client.get("/api/v1/admin/cache", headers=bearer(PASSWORD),
                      environ_base={"REMOTE_ADDR": "2001:db8:1:2:ffff::1"})
    assert same.status_code == 429  # a new address in the same /64 is the same subscriber
    other = client.get("/api/v1/admin/cache", headers=bearer(PASSWORD),
                       environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert other.status_code == 200


_FAIL_TEN_TIMES = """
import sys
from service import create_app
app = create_app({"TESTING": True, "SITES": [], "CACHE_DIR": sys.argv[1], "ADMIN_PASSWORD": sys.argv[2]})
client = app.test_client()
codes = {client.get("/api/v1/admin/cache", headers={"Authorization": "Bearer gissning"}).status_code
         for _ in range(10)}
assert codes == {401}, codes
"""


def test_the_lockout_holds_in_every_process_and_after_a_restart(app_config, client):
    done = subprocess.run([sys.executable, "-c", _FAIL_TEN_TIMES, app_config["CACHE_DIR"], PASSWORD],
                          env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert client.get("/api/v1/admin/cache", headers=bearer(PASSWORD)).status_code == 429
    restarted = create_app(app_config).test_client()
    assert restarted.get("/api/v1/admin/cache", headers=bearer(PASSWORD)).status_code == 429


# -- sessions ------------------------------------------------------------------------------------


def test_logout_revokes_the_session_wherever_its_cookie_was_copied(app):
    client = app.test_client()
    ui_login(client, PASSWORD)
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session", path="/admin").value, path="/admin")
    assert stolen.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": token_of(client.get("/admin/").text)})
    assert stolen.get("/admin/").status_code == 302
    assert stolen.post("/admin/cache/purge", data={"csrf_token": "x", "confirm": "yes"}).status_code == 401


def test_a_signed_cookie_the_server_did_not_open_a_session_for_is_refused(app):
    with app.test_request_context("/admin/"):
        tag = admin_base.password_tag()
    forged = app.session_interface.get_signing_serializer(app).dumps(
        {"admin": True, "tag": tag, "since": time.time(), "csrf": "x"})  # all a cookie used to need
    client = app.test_client()
    client.set_cookie("session", forged, path="/admin")
    assert client.get("/admin/").status_code == 302


def test_a_password_change_revokes_sessions_on_the_server(app_config):
    client = create_app(app_config).test_client()
    ui_login(client, PASSWORD)
    cookie = client.get_cookie("session", path="/admin").value
    create_app({**app_config, "ADMIN_PASSWORD": "ett nytt lösenord"})  # restarted with a new password
    back = create_app(app_config).test_client()  # and with the old one again
    back.set_cookie("session", cookie, path="/admin")
    assert back.get("/admin/").status_code == 302  # the old session did not come back


def test_sessions_expire_on_the_server(tmp_path, clock):
    sessions = AdminSessions(tmp_path / "sessions.sqlite3", clock=clock)
    first = sessions.open("tag", 3600)
    assert sessions.valid(first, "tag")
    clock.now += 3601
    assert not sessions.valid(first, "tag")
    second = sessions.open("tag", 3600)
    assert not sessions.valid(second, "another password's tag")
    assert not sessions.valid(second, "tag")  # seen under another password: revoked for good
    assert not sessions.valid("an id never opened", "tag")
