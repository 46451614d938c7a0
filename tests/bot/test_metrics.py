"""GET /metrics answers only Prometheus (bearer token), reports every stage and the refusals,
adds up several workers' values, and JSON logs stay redacted."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from bot.logs import JsonFormatter, log_config
from bot.metrics import MULTIPROC_ENV, prepare_workers
from conversation.redact import RedactingFilter
from settings import Settings

TOKEN = "metrics-test-token-0123456789"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_with(
    nso_env: Callable[[Mapping[str, str]], Settings], make_client: Callable[[], TestClient], tmp_path: Path
) -> Callable[..., TestClient]:
    """Factory: a TestClient on a fresh database, built with extra NSO_* environment."""

    def build(**env: str) -> TestClient:
        nso_env({"database_url": f"sqlite:///{tmp_path / 'metrics.db'}", **env})
        return make_client()

    return build


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.integration
def test_metrics_without_configured_token_is_404(app_with: Callable[..., TestClient]) -> None:
    client = app_with()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=bearer("anything")).status_code == 404


@pytest.mark.integration
@pytest.mark.parametrize(
    "headers",
    [{}, bearer("wrong-token"), {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["none", "wrong", "no-scheme", "basic"],
)
def test_metrics_without_the_right_bearer_token_is_401(
    app_with: Callable[..., TestClient], headers: dict[str, str]
) -> None:
    response = app_with(metrics_token=TOKEN).get("/metrics", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert "nso_" not in response.text


@pytest.mark.integration
def test_metrics_with_token_reports_stages_handoffs_and_refusals(app_with: Callable[..., TestClient]) -> None:
    client = app_with(metrics_token=TOKEN, rate_limit_per_minute="4")
    retrievals = value("nso_stage_seconds_count", stage="retrieval")
    actions = value("nso_stage_seconds_count", stage="action")
    refused = value("nso_requests_refused_total", status="429", area="api")
    statuses = [client.post("/api/ask", json={"text": "How do I register?"}).status_code for _ in range(6)]
    assert 200 in statuses and 429 in statuses
    assert client.post("/webhook", json={"next_action": "action_answer_faq"}).status_code == 403
    response = client.get("/metrics", headers=bearer())
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert value("nso_stage_seconds_count", stage="retrieval") >= retrievals + 1
    assert value("nso_stage_seconds_count", stage="action") == actions + 1
    assert value("nso_requests_refused_total", status="429", area="api") == refused + statuses.count(429)
    for family in ("nso_turns_total", "nso_stage_seconds_bucket", "nso_rasa_up", "nso_requests_refused"):
        assert family in response.text
    assert "nso_handoffs_waiting 0.0" in response.text
    assert "/metrics" not in client.get("/openapi.json").text  # not advertised


WORKER = """
from conversation.metrics import count_turn, timed
count_turn("sl", ["faq"])
with timed("turn"):
    pass
"""


@pytest.mark.integration
def test_metrics_several_workers_are_added_up(
    app_with: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"")  # a stale file of an earlier run
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    prepare_workers(2, folder)
    monkeypatch.setenv(MULTIPROC_ENV, str(folder))  # undone after the test
    assert os.environ[MULTIPROC_ENV] == str(folder) and not list(folder.iterdir())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(2):  # two worker processes
        subprocess.run([sys.executable, "-c", WORKER], check=True, env=env, cwd=ROOT, timeout=60)
    text = app_with(metrics_token=TOKEN).get("/metrics", headers=bearer()).text
    assert 'nso_turns_total{kind="faq",language="sl"} 2.0' in text
    assert 'nso_stage_seconds_count{stage="turn"} 2.0' in text
    assert "nso_handoffs_waiting 0.0" in text


@pytest.mark.unit
def test_metrics_one_worker_leaves_multiprocess_mode_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    prepare_workers(1, tmp_path / "prometheus")
    assert MULTIPROC_ENV not in os.environ and not (tmp_path / "prometheus").exists()


@pytest.mark.unit
def test_json_log_lines_are_redacted_json() -> None:
    secret = "s3cr3t-token-value"
    record = logging.LogRecord(
        "bot.test", logging.WARNING, __file__, 1, "mail from %s with token=%s", ("a@b.org", secret), None
    )
    RedactingFilter([secret]).filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "mail from [email] with token=[secret]" and line["level"] == "WARNING"
    assert secret not in json.dumps(line)


@pytest.mark.unit
def test_json_access_log_keeps_its_fields() -> None:
    args = ("10.0.0.1:5000", "GET", "/api/search?q=x&token=abcdef123", "1.1", 200)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None
    )
    RedactingFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/search?q=x&token=[secret]", 200)


@pytest.mark.unit
def test_log_config_json_formats_uvicorn_and_the_app() -> None:
    config = log_config(Settings(log_format="json"))
    assert {h["formatter"] for h in config["handlers"].values()} == {"json"}
    assert config["root"]["handlers"] == ["default"]
    assert "json" not in log_config(Settings())["formatters"]
