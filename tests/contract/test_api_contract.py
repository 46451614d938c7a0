"""The HTTP API keeps its OpenAPI promises: schemathesis, every check, against the real app.

The API is served by uvicorn on loopback (``bench.stack``, the real retriever and database; Rasa
is not started, so chat turns take the assistant-unavailable path). The console API is fuzzed
as a signed-in admin: the session cookie and CSRF token come from the real sign-in form.
Examples per operation and the seed are fixed (``schemathesis.toml``), so the run is repeatable
and stays under two minutes.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.backing import Backing
from bench.stack import ROOT, Stack, stack_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
ADMIN = "contract@example.org"
RUN_SECONDS = 300  # the run takes well under two minutes; this only stops a hung one


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, backing: Backing) -> Iterator[Stack]:
    """The API alone, with a rate limit the fuzzer's burst stays under (set, not switched off)."""
    workdir: Path = tmp_path_factory.mktemp("contract")
    env = {**stack_env(backing.env(workdir)), "NSO_RATE_LIMIT_PER_MINUTE": "100000"}
    running = Stack(workdir, env)
    try:
        running.start_api()
        yield running
    finally:
        running.stop_all()


def _sign_in(api: Stack) -> tuple[str, str]:
    """Create an admin with the CLI, sign in through the form; the session cookie and CSRF token."""
    password = secrets.token_urlsafe(16)
    subprocess.run(
        [sys.executable, "-m", "bot", "users", "add", ADMIN, "--name", "Contract", "--role", "admin"],
        cwd=ROOT,
        env={**api.env, "NSO_NEW_USER_PASSWORD": password},
        check=True,
        capture_output=True,
        timeout=120,
    )
    with httpx.Client(base_url=api.api, timeout=30) as client:
        form = client.get("/console/login")
        login_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert login_csrf, "the sign-in form has no CSRF field"
        signed_in = client.post(
            "/console/login",
            data={"email": ADMIN, "password": password, "csrf_token": login_csrf.group(1)},
        )
        assert signed_in.status_code == 303, signed_in.text[:500]
        session = client.cookies["nso_console"]
        queue = client.get("/console/queue")
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', queue.text)
        assert csrf, "the console page has no CSRF token"
    return session, csrf.group(1)


def test_api_contract_schemathesis_all_checks_no_failures(api: Stack, tmp_path: Path) -> None:
    session, csrf = _sign_in(api)
    started = time.monotonic()
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{api.api}/openapi.json",
        ]
        + ["--report", "junit", "--report-dir", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "NSO_CONTRACT_SESSION": session, "NSO_CONTRACT_CSRF": csrf},
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )
    elapsed = time.monotonic() - started
    print(run.stdout[-20000:], f"\n(schemathesis took {elapsed:.0f} s)")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
