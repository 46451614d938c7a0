"""The app served over real HTTP (uvicorn on loopback, in a thread) for the attack tests.

uvicorn trusts ``X-Forwarded-For`` from loopback, as it does behind the deployment's reverse
proxy, so a test can speak from any client address.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
import uvicorn

from bench.stack import free_port
from bot.main import create_app
from knowledge.retrieve import Retriever
from settings import Settings
from tests.security.factories import LiveApp


@pytest.fixture
def serve(
    nso_env: Callable[[Mapping[str, str]], Settings], tmp_path: Path, retriever: Retriever
) -> Iterator[Callable[..., LiveApp]]:
    """Factory: serve ``create_app()`` built with extra NSO_* settings; stopped after the test."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**env: str) -> LiveApp:
        settings = nso_env(
            {
                "database_url": f"sqlite:///{tmp_path / 'security.db'}",
                "rasa_url": f"http://127.0.0.1:{free_port()}",
                "rasa_timeout": "2",
                **env,
            }
        )
        port = free_port()
        config = uvicorn.Config(
            create_app(),
            host="127.0.0.1",
            port=port,
            log_config=None,  # leave the process's logging (and its redaction) alone
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        deadline = time.monotonic() + 120
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the app did not start")
            time.sleep(0.05)
        return LiveApp(f"http://127.0.0.1:{port}", settings)

    yield start
    for server, _ in servers:
        server.should_exit = True
    for _, thread in servers:
        thread.join(timeout=15)
