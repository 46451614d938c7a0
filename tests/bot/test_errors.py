"""One error format (RFC 9457 problem details) on every route, and every status in /docs.

The contract as a whole is fuzzed by tests/contract; these pin the shape the widget and the
console read (``detail``, ``errors``, ``code``, ``taken_by``) and what /docs promises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge import rules
from settings import Settings

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


@pytest.fixture
def api(make_client: Callable[..., TestClient]) -> TestClient:
    """A fresh app: its rate bucket is full, whatever the session's shared client has spent."""
    return make_client()


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in openapi["paths"].items() for method, op in ops.items()]


def _assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and isinstance(body["detail"], str) and body["detail"]
    assert body["type"] and body["title"]
    return body


def test_openapi_every_error_status_has_problem_schema_and_example(openapi: dict[str, Any]) -> None:
    missing = []
    for path, method, operation in _operations(openapi):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response.get("content", {}).get(PROBLEM, {})
            example = content.get("example", {})
            if content.get("schema") != {"$ref": "#/components/schemas/Problem"} or example.get(
                "status"
            ) != int(status):
                missing.append(f"{method.upper()} {path} {status}")
    assert not missing


def test_openapi_has_no_fastapi_validation_error_shape(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "Problem" in schemas
    assert "errors" in schemas["Problem"]["properties"]


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/ask", "post", {"200", "400", "413", "422", "429", "503"}),
        ("/api/rules/{rule}", "post", {"200", "400", "404", "413", "422", "429", "503"}),
        ("/console/api/conversations/{conversation_id}/take", "post", {"401", "403", "404", "409"}),
        ("/api/chat/conversations/{conversation_id}/rating", "post", {"204", "404", "409", "422"}),
    ],
)
def test_openapi_declares_statuses_routes_return(
    openapi: dict[str, Any], path: str, method: str, statuses: set[str]
) -> None:
    assert statuses <= set(openapi["paths"][path][method]["responses"])


def test_openapi_rule_names_and_languages_are_enums(openapi: dict[str, Any]) -> None:
    (rule,) = [p for p in openapi["paths"]["/api/rules/{rule}"]["post"]["parameters"] if p["name"] == "rule"]
    assert rule["schema"]["enum"] == [spec.name for spec in rules.list_rules()]
    lang = openapi["components"]["schemas"]["RuleCheckCreate"]["properties"]["lang"]
    assert lang["enum"] == ["en", "nl", "sl"]
    rating = openapi["components"]["schemas"]["ChatRatingCreate"]["properties"]["rating"]
    assert rating["enum"] == [1, 2, 3, 4, 5]


def test_openapi_console_operations_declare_session_and_csrf(openapi: dict[str, Any]) -> None:
    take = openapi["paths"]["/console/api/conversations/{conversation_id}/take"]["post"]
    assert take["security"] == [{"consoleSession": [], "csrfToken": []}]
    assert openapi["paths"]["/console/api/queue"]["get"]["security"] == [{"consoleSession": []}]
    assert "security" not in openapi["paths"]["/api/ask"]["post"]


def test_unknown_path_is_404_problem(api: TestClient) -> None:
    body = _assert_problem(api.get("/api/nothing-here"), 404)
    assert body["type"] == "about:blank" and body["title"] == "Not Found"


def test_wrong_method_is_405_problem_allowing_every_method_of_the_path(api: TestClient) -> None:
    response = api.patch("/api/chat/conversations/web-12345678/contact")
    _assert_problem(response, 405)
    assert response.headers["allow"] == "DELETE, PUT"


def test_invalid_body_is_422_problem_with_one_error_per_field(api: TestClient) -> None:
    body = _assert_problem(api.post("/api/ask", json={"text": "", "colour": "red"}), 422)
    assert {e["field"] for e in body["errors"]} == {"text", "colour"}
    assert "text" in body["detail"] and "colour" in body["detail"]


def test_unknown_language_on_api_is_400_problem_listing_supported(api: TestClient) -> None:
    body = _assert_problem(api.get("/api/faq/registration", params={"lang": "de"}), 400)
    assert body["supported"] == ["en", "nl", "sl"] and "'de'" in body["detail"]


def test_unknown_rule_is_404_problem_listing_known(api: TestClient) -> None:
    body = _assert_problem(api.post("/api/rules/nope", json={}), 404)
    assert body["known"] == [spec.name for spec in rules.list_rules()]


def test_rule_input_unreadable_is_422_problem_with_example(api: TestClient) -> None:
    response = api.post("/api/rules/group_migration", json={"inputs": {"last_activity": "someday"}})
    (error,) = _assert_problem(response, 422)["errors"]
    assert error["field"] == "last_activity" and error["example"]


def test_as_of_as_a_number_is_422_not_1970(api: TestClient) -> None:
    body = _assert_problem(api.post("/api/ask", json={"text": "registration", "as_of": 0}), 422)
    assert body["errors"][0]["field"] == "as_of"


def test_console_api_without_session_is_401_problem(api: TestClient) -> None:
    body = _assert_problem(api.get("/console/api/queue"), 401)
    assert body["detail"] == "sign in first"


def test_rate_limited_is_429_problem_with_retry_after(
    nso_env: Callable[[dict[str, str]], Settings], make_client: Callable[..., TestClient]
) -> None:
    nso_env({"rate_limit_per_minute": "1"})
    limited = make_client()
    responses = [limited.get("/api/rules") for _ in range(5)]
    refused = [r for r in responses if r.status_code == 429]
    assert refused, [r.status_code for r in responses]
    _assert_problem(refused[0], 429)
    assert int(refused[0].headers["retry-after"]) >= 1


@pytest.mark.parametrize(
    "call",
    [
        {"next_action": "action_answer_faq"},
        {"next_action": "action_answer_faq", "tracker": None},
        {"next_action": "action_answer_faq", "tracker": {"slots": {}}},
        {"next_action": "", "tracker": {"sender_id": "x"}},
        {"tracker": {"sender_id": "x"}},
    ],
)
def test_action_call_rasa_sdk_cannot_read_is_422_problem_not_500(
    api: TestClient, call: dict[str, Any]
) -> None:
    """With Rasa's token, a call without a tracker crashed rasa-sdk's executor (a 500)."""
    from settings import action_token, get_settings

    response = api.post("/webhook", params={"token": action_token(get_settings())}, json=call)
    body = _assert_problem(response, 422)
    assert body["errors"]
