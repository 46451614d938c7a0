"""Finding 7: console sign-in cannot be used to lock agents out or to exhaust a worker.

Attempts are throttled per client address and globally (429 + Retry-After, no password check);
wrong passwords make only the (account, address) pair wait, doubling each time, so the agent signs
in from their own address as usual; at most ``NSO_LOGIN_HASH_CONCURRENCY`` argon2 checks (64 MiB
each) run at once, and an attempt beyond that is refused at once with 503.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from argon2 import PasswordHasher

from conversation import agents
from tests.security.factories import LOGIN_TOKEN, LiveApp, post_login

pytestmark = pytest.mark.integration

ATTACKER, AGENT_OFFICE = "203.0.113.66", "198.51.100.7"


class CountingHasher:
    """The real argon2 hasher, slowed down and counting the password checks running at once."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.real = PasswordHasher()
        self.seconds = seconds
        self.calls = self.running = self.peak = 0
        self._lock = threading.Lock()

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.seconds)
            return self.real.verify(password_hash, password)
        finally:
            with self._lock:
                self.running -= 1

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def check_needs_rehash(self, password_hash: str) -> bool:
        return self.real.check_needs_rehash(password_hash)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], CountingHasher]]:
    """Install a counting hasher (optionally slow) in place of the real one."""

    def install(seconds: float = 0.0) -> CountingHasher:
        counting = CountingHasher(seconds)
        monkeypatch.setattr(agents, "_hasher", lambda: counting)
        return counting

    yield install


def test_login_flood_from_one_address_is_throttled_while_the_agent_signs_in_from_another(
    serve: Callable[..., LiveApp], hasher: Callable[[float], CountingHasher]
) -> None:
    app = serve()
    app.add_agent("els@example.org")
    counting = hasher(0.0)
    with app.client(ATTACKER) as attacker:
        statuses = [post_login(attacker, "els@example.org", f"guess-{i}").status_code for i in range(40)]
        refused = post_login(attacker, "els@example.org")  # even the right password, from there
    assert set(statuses) == {401, 429} and statuses[:3] == [401, 401, 401]
    assert statuses.count(401) <= 10 and counting.calls <= 10  # throttled attempts cost no hash
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    with app.client(AGENT_OFFICE) as agent:
        response = post_login(agent, "els@example.org")
    assert response.status_code == 303 and response.headers["location"] == "/console/queue"


def test_wrong_passwords_make_only_that_address_wait_progressively(serve: Callable[..., LiveApp]) -> None:
    app = serve(login_attempts_per_minute="1000")  # the address throttle out of the way
    app.add_agent("els@example.org")
    with app.client(ATTACKER) as attacker:
        for _ in range(agents.MAX_FAILED_LOGINS):
            assert post_login(attacker, "els@example.org", "guess").status_code == 401
        waiting = post_login(attacker, "els@example.org")
        assert waiting.status_code == 429
        first_wait = int(waiting.headers["Retry-After"])
    assert 0 < first_wait <= agents.FIRST_DELAY.total_seconds()
    with app.client(AGENT_OFFICE) as agent:
        assert post_login(agent, "els@example.org").status_code == 303
    assert agents.delay_after(agents.MAX_FAILED_LOGINS + 1) == 2 * agents.FIRST_DELAY
    assert agents.delay_after(100) == agents.LOCKOUT


def test_sign_in_attempts_from_many_addresses_hit_the_global_throttle(serve: Callable[..., LiveApp]) -> None:
    app = serve(login_attempts_global_per_minute="8")  # a burst of 2, then 8 a minute
    statuses = []
    for i in range(6):
        with app.client(f"192.0.2.{i + 1}") as client:
            statuses.append(post_login(client, "nobody@example.org", "guess").status_code)
    assert statuses[:2] == [401, 401] and statuses[-1] == 429


def test_concurrent_password_checks_are_bounded_and_the_rest_refused_fast(
    serve: Callable[..., LiveApp], hasher: Callable[[float], CountingHasher]
) -> None:
    app = serve(login_hash_concurrency="2")
    app.add_agent("els@example.org")  # the database exists before the burst
    counting = hasher(0.5)
    clients = [app.client(f"192.0.2.{i + 1}") for i in range(10)]
    tokens = [LOGIN_TOKEN.search(c.get("/console/login").text) for c in clients]
    start = threading.Barrier(len(clients))

    def attempt(pair: tuple[httpx.Client, str]) -> tuple[int, str | None, float]:
        client, token = pair
        start.wait()
        began = time.monotonic()
        response = client.post(
            "/console/login",
            data={"email": "nobody@example.org", "password": "guess", "csrf_token": token},
            follow_redirects=False,
        )
        return response.status_code, response.headers.get("Retry-After"), time.monotonic() - began

    with ThreadPoolExecutor(len(clients)) as pool:
        results = list(
            pool.map(attempt, [(c, t.group(1)) for c, t in zip(clients, tokens, strict=True) if t])
        )
    for client in clients:
        client.close()
    assert counting.peak <= 2
    busy = [r for r in results if r[0] == 503]
    assert busy and all(retry == "1" and took < 0.5 for _, retry, took in busy)
    assert {status for status, _, _ in results} == {401, 503}
