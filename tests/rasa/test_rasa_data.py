"""`rasa data validate` is clean: the only warnings allowed are responses uttered from actions."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_rasa_data_validate_has_no_unexplained_warnings() -> None:
    done = subprocess.run(
        [str(RASA), "data", "validate", "--domain", "domain", "--data", "data", "--config", "config.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    from_actions = {
        m for p in (ROOT / "actions").glob("*.py") for m in re.findall(r'"(utter_[a-z_]+)"', p.read_text())
    }
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexplained = [
        w
        for w in warnings
        if not (m := re.search(r"utterance '(utter_[a-z_]+)' is not used", w))
        or m.group(1) not in from_actions
    ]
    assert unexplained == []
    assert "No story structure conflicts found" in output
