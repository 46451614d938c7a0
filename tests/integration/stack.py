"""Start the real stack for tests: the API (with the action endpoint) and a Rasa server.

Both bind to 127.0.0.1 on free ports; Rasa's endpoints file is written to a temp dir so it
points at this API. Used by the conversation tests; stopped at the end of the session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
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
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = {**self.env, "NSO_RASA_URL": self.rasa, "NSO_ACTION_URL": f"{self.api}/webhook"}

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start_api(self) -> None:
        log = (self.workdir / "api.log").open("ab")
        self.procs["api"] = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.api_port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait(f"{self.api}/health", 180)

    def start_rasa(self) -> None:
        if "NSO_RASA_DB_HOST" in self.env:  # scale-out profile: the shipped file, filled from env
            endpoints = ROOT / "endpoints.scale.yml"
        else:
            endpoints = self.workdir / "endpoints.yml"
            endpoints.write_text(
                f'action_endpoint:\n  url: "{self.api}/webhook"\n'
                f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n",
                encoding="utf-8",
            )
        log = (self.workdir / "rasa.log").open("ab")
        self.procs["rasa"] = subprocess.Popen(
            [
                str(RASA),
                "run",
                "--model",
                str(latest_model()),
                "--endpoints",
                str(endpoints),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--enable-api",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait(f"{self.rasa}/status", 180)

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
