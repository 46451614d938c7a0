"""Start the real stack on loopback: the API (with the action endpoint) and a Rasa server.

Both bind to 127.0.0.1 on free ports; Rasa's endpoints file is written to a temp dir so it
points at this API. Used by the load benchmark (``bench/load.py``) and by the integration,
fault and browser tests, which stop it at the end of their session. It lives here, not under
tests/, so that the benchmark does not import the test suite.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from conversation.db import use_wal_journal

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def latest_model() -> Path:
    """The trained Rasa model (scripts/rasa_train.sh keeps exactly one)."""
    models = sorted((ROOT / "models" / "rasa").glob("nso-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained Rasa model under models/rasa; run the set-up first")
    return models[-1]


@dataclass
class Stack:
    """Handles of the running processes and their URLs."""

    workdir: Path
    env: dict[str, str]
    api_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = 0  # > 0: Rasa calls a separate rasa-sdk action server on this port
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {
            "NSO_RASA_TOKEN": secrets.token_hex(16),
            "NSO_ACTION_TOKEN": secrets.token_hex(16),
            **self.env,
            "NSO_RASA_URL": self.rasa,
            "NSO_ACTION_URL": self.action_url,
        }

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_auth(self) -> dict[str, str]:
        """Query parameters for Rasa's HTTP API (it runs with --auth-token)."""
        return {"token": self.env["NSO_RASA_TOKEN"]}

    @property
    def rasa_status(self) -> str:
        """Rasa's /status (its HTTP API needs the token)."""
        return f"{self.rasa}/status?token={self.env['NSO_RASA_TOKEN']}"

    @property
    def action_url(self) -> str:
        """The API's own action endpoint, or the separate rasa-sdk server when one is used."""
        if self.actions_port:
            return f"http://127.0.0.1:{self.actions_port}/webhook"
        return f"{self.api}/webhook"

    def start(self) -> None:
        """Start the API and Rasa together (as scripts/run.sh does) and wait for both."""
        self.spawn_api()
        self.spawn_rasa()
        self.wait(f"{self.api}/health", 180)
        self.wait(self.rasa_status, 180)

    def start_api(self) -> None:
        self.spawn_api()
        self.wait(f"{self.api}/health", 180)

    def start_rasa(self) -> None:
        self.spawn_rasa()
        self.wait(self.rasa_status, 180)

    def start_actions(self) -> None:
        """A separate rasa-sdk action server (the layout where actions do not run in the API)."""
        self._spawn(
            "actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            {"SANIC_HOST": "127.0.0.1"},
        )
        self.wait(f"http://127.0.0.1:{self.actions_port}/health", 180)

    def spawn_api(self) -> None:
        self._spawn(
            "api", [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.api_port)]
        )

    def spawn_rasa(self) -> None:
        if "NSO_RASA_DB_HOST" in self.env:  # scale-out profile: the shipped file, filled from env
            endpoints = ROOT / "endpoints.scale.yml"
        else:
            endpoints = self.workdir / "endpoints.yml"
            use_wal_journal(self.workdir / "tracker.db")  # as scripts/run.sh does
            endpoints.write_text(
                f'action_endpoint:\n  url: "{self.action_url}"\n  token: ${{NSO_ACTION_TOKEN}}\n'
                f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n",
                encoding="utf-8",
            )
        model = str(latest_model())
        self._spawn(
            "rasa",
            [str(RASA), "run", "--model", model, "--endpoints", str(endpoints), "--interface", "127.0.0.1"]
            + ["--port", str(self.rasa_port), "--enable-api", "--auth-token", self.env["NSO_RASA_TOKEN"]],
        )

    def _spawn(self, name: str, cmd: list[str], extra_env: dict[str, str] | None = None) -> None:
        log = (self.workdir / f"{name}.log").open("ab")
        env = {**self.env, **(extra_env or {})}
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait(self, url: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.workdir}")
            time.sleep(0.5)
        raise TimeoutError(f"{url} not ready after {seconds} s; logs in {self.workdir}")

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)


def stack_env(state: dict[str, str]) -> dict[str, str]:
    """Environment for the stack: its own state (``Backing.env``), a fixed 'today', no telemetry."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "NSO_AS_OF": "2026-11-26",
        "PYTHONPATH": str(ROOT),
        **state,
    }
