"""The running stack (API + actions + Rasa), shared by the integration tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.stack import Stack, stack_env


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir: Path = tmp_path_factory.mktemp("stack")
    running = Stack(workdir, stack_env(workdir))
    try:
        running.start_api()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()
