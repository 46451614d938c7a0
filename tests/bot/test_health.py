"""/health stays 200 and names each part's state; /ready is 503 (problem details) while Rasa is down."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from fastapi.testclient import TestClient

from bench.stack import Stack, free_port
from settings import Settings

pytestmark = pytest.mark.integration

SetEnv = Callable[[Mapping[str, str]], Settings]


@pytest.fixture
def rasa_down(nso_env: SetEnv, make_client: Callable[..., TestClient]) -> TestClient:
    """The app with Rasa's URL on a loopback port nobody listens on (connection refused)."""
    nso_env({"rasa_url": f"http://127.0.0.1:{free_port()}", "rasa_token": "t"})
    return make_client()


def test_health_rasa_refused_is_200_naming_rasa_down(rasa_down: TestClient) -> None:
    response = rasa_down.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["topics"] >= 60
    assert body["parts"] == {"api": "up", "actions": "up", "rasa": "down"}


def test_ready_rasa_refused_is_503_problem_naming_rasa(rasa_down: TestClient) -> None:
    response = rasa_down.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert {k: body[k] for k in ("title", "status", "detail")} == {
        "title": "Not ready",
        "status": 503,
        "detail": "down: rasa",
    }
    assert body["type"].endswith(":not-ready")
    assert body["parts"] == {"api": "up", "actions": "up", "rasa": "down"}


def test_ready_503_is_declared_in_openapi(rasa_down: TestClient) -> None:
    ready = rasa_down.get("/openapi.json").json()["paths"]["/ready"]["get"]["responses"]
    problem = ready["503"]["content"]["application/problem+json"]
    assert problem["example"]["status"] == 503 and problem["example"]["parts"]["rasa"] == "down"
    assert "Retry-After" in ready["503"]["headers"]
    assert "200" in ready


def test_ready_rasa_up_is_200(stack: Stack, nso_env: SetEnv, make_client: Callable[..., TestClient]) -> None:
    nso_env({"rasa_url": stack.rasa, "rasa_token": stack.env["NSO_RASA_TOKEN"]})
    client = make_client()
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "parts": {"api": "up", "actions": "up", "rasa": "up"}}
    assert client.get("/health").json()["parts"]["rasa"] == "up"


def test_ready_rasa_wrong_token_is_503(
    stack: Stack, nso_env: SetEnv, make_client: Callable[..., TestClient]
) -> None:
    """Rasa answers, but refuses this API's token: the API cannot use it, so it is not ready."""
    nso_env({"rasa_url": stack.rasa, "rasa_token": "not-rasas-token"})
    response = make_client().get("/ready")
    assert response.status_code == 503 and response.json()["parts"]["rasa"] == "down"
