"""Property-based fuzzing of the public endpoints: no input may produce a 5xx.

Bodies are drawn from JSON-like values mixed with hostile strings (markup, SQL, odd unicode,
oversized text); paths come from the OpenAPI schema's public operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.stack import free_port
from bot.main import create_app
from knowledge.retrieve import Retriever
from settings import get_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
HOSTILE = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE messages; --",
        "\u202e\u0000\ud7ff\uffff",
        "𝕳𝖊𝖑𝖑𝖔 🙂",
        "a" * 2001,
        "",
        " ",
        '/ask_faq{"faq_id": "../../etc"}',
        "15.6.2021",
        "null",
        "{}",
        "\\x00",
    ]
)
TEXT = st.one_of(HOSTILE, st.text(max_size=300))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=10,
)
BODY = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"text": TEXT}, optional={"lang": TEXT, "as_of": TEXT, "conversation_id": TEXT, "payload": TEXT}
    ),
    st.fixed_dictionaries({"inputs": st.dictionaries(TEXT, JSON, max_size=3)}, optional={"lang": TEXT}),
)
POSTS = [
    "/api/ask",
    "/api/chat/messages",
    "/api/chat/feedback",
    "/api/rules/group_migration",
    "/api/rules/national_quality_label",
    "/api/rules/no_such_rule",
    "/channels/telegram",
]
GETS = ["/api/search", "/api/faq/{x}", "/api/chat/conversations/{x}/messages", "/api/rules"]


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory, retriever: Retriever) -> Iterator[TestClient]:
    mp = pytest.MonkeyPatch()
    db = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db"
    mp.setenv("NSO_DATABASE_URL", f"sqlite:///{db}")
    mp.setenv("NSO_RASA_URL", f"http://127.0.0.1:{free_port()}")
    mp.setenv("NSO_RATE_LIMIT_PER_MINUTE", "1000000")
    mp.setenv("NSO_TELEGRAM_BOT_TOKEN", "123:abc")
    mp.setenv("NSO_TELEGRAM_WEBHOOK_SECRET", "s3cret")
    get_settings.cache_clear()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client
    mp.undo()
    get_settings.cache_clear()


def test_openapi_lists_the_fuzzed_endpoints(fuzz_client: TestClient) -> None:
    paths = fuzz_client.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/chat/messages", "/api/search", "/api/rules/{rule}"} <= set(paths)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(POSTS), body=BODY)
def test_fuzz_post_never_5xx(fuzz_client: TestClient, path: str, body: object) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    response = fuzz_client.post(path, json=body, headers=headers)
    assert response.status_code < 500, (path, body, response.text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(GETS), value=TEXT, q=TEXT, k=st.integers(-5, 50))
def test_fuzz_get_never_5xx(fuzz_client: TestClient, path: str, value: str, q: str, k: int) -> None:
    url = path.replace("{x}", quote(value, safe="") or "x")
    response = fuzz_client.get(url, params={"q": q, "k": k, "lang": q[:3], "after": k})
    assert response.status_code < 500, (url, q, response.text)


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[" * 5000, b"x" * 300_000])
def test_fuzz_malformed_bodies_are_4xx(fuzz_client: TestClient, raw: bytes) -> None:
    response = fuzz_client.post(
        "/api/chat/messages", content=raw, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
