"""Where a stack (``bench.stack``) keeps its state: SQLite files (default) or, with
``pytest --scale-out``, a real PostgreSQL and Redis from the Debian packages, started on
127.0.0.1 for the session.

Each stack gets fresh databases, so a fault test's message counts are its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from bench.stack import free_port

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Postgres:
    """A throwaway cluster with trust authentication on loopback."""

    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, prefix: str) -> str:
        """A new empty database; returns its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    """Start PostgreSQL (Debian's ``postgresql`` package) in a temporary directory."""
    if not PG_BIN:
        raise RuntimeError(
            "PostgreSQL is missing: install the Debian package 'postgresql' (scripts/setup.sh)"
        )
    bin_dir = PG_BIN[-1]
    data = Path(tempfile.mkdtemp(prefix="nso-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    server = Postgres(free_port())
    subprocess.run(
        _as_postgres(
            [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    proc = subprocess.Popen(
        _as_postgres(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(server.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={data}",
                "-c",
                "fsync=off",  # throwaway test data
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=(data / "server.log").open("ab"),
    )
    try:
        _wait(lambda: psycopg.connect(server.admin_url, connect_timeout=1).close(), proc, "postgres")
        yield server
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start Redis (Debian's ``redis-server``) without persistence; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("Redis is missing: install the Debian package 'redis-server' (scripts/setup.sh)")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="nso-redis-")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait(lambda: redis.Redis.from_url(url).ping(), proc, "redis")
        yield url
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait(probe: Callable[[], object], proc: subprocess.Popen[bytes], name: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}")
        try:
            probe()
            return
        except Exception:  # noqa: BLE001 - any failure means "not up yet"
            time.sleep(0.3)
    raise TimeoutError(f"{name} not ready after {seconds} s")


@dataclass
class Backing:
    """Creates the state settings for one stack: SQLite files, or PostgreSQL + Redis."""

    pg: Postgres | None = None
    redis_url: str = ""

    @property
    def scale_out(self) -> bool:
        return self.pg is not None

    def env(self, workdir: Path) -> dict[str, str]:
        """NSO_* variables for a new stack whose files go to ``workdir``."""
        if self.pg is None:
            return {
                "NSO_DATABASE_URL": f"sqlite:///{workdir / 'gateway.db'}",
                # bench/stack.py writes an endpoints.yml with this tracker store for Rasa
                "NSO_RASA_TRACKER_URL": f"sqlite:///{workdir / 'tracker.db'}",
            }
        gateway_db = self.pg.create_database("nso")
        rasa_db = self.pg.create_database("rasa")
        return {
            "NSO_RASA_TRACKER_URL": f"postgresql+psycopg://postgres@127.0.0.1:{self.pg.port}/{rasa_db}",
            "NSO_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{self.pg.port}/{gateway_db}",
            "NSO_REDIS_URL": self.redis_url,
            "NSO_WORKERS": "2",
            "NSO_RASA_DB_HOST": "127.0.0.1",
            "NSO_RASA_DB_PORT": str(self.pg.port),
            "NSO_RASA_DB_NAME": rasa_db,
            "NSO_RASA_DB_USER": "postgres",
            "NSO_RASA_DB_PASSWORD": "",
            "NSO_RASA_REDIS_HOST": "127.0.0.1",
            "NSO_RASA_REDIS_PORT": self.redis_url.rsplit(":", 1)[1].split("/")[0],
        }
