"""HTTP API: answers with sources, and clear 4xx errors that name the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration
DUTCH_CONTACTS = "Worden mijn contactpersonen overgezet naar het nieuwe platform?"


def test_health_reports_kb(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["topics"] >= 60


def test_ask_dutch_contacts_returns_flemish_answer_with_conflict_note(client: TestClient) -> None:
    response = client.post("/api/ask", json={"text": DUTCH_CONTACTS})
    assert response.status_code == 200
    body = response.json()
    assert body["lang"] == "nl" and body["faq_id"] == "contacts-followers"
    source = body["sources"][0]
    assert source["document"] == "nso-flanders-faq-nl" and source["date"] == "2023-10-17"
    assert source["section"] and source["title"]
    assert any(s["document"] == "ec-faq-en" for s in body["sources"])
    assert any("European Commission" in n or "EC" in n for n in body["notes"])


def test_ask_as_of_2022_says_deadline_ahead(client: TestClient) -> None:
    body = client.post(
        "/api/ask",
        json={
            "text": "until when can I ask for an export of my SEG courses?",
            "lang": "en",
            "as_of": "2022-06-01",
        },
    ).json()
    assert body["faq_id"] == "seg-courses-migration"
    assert any(n.startswith("Deadline still ahead") for n in body["notes"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": 42}, "text"),
        ({}, "text"),
        ({"text": "hello", "lang": 3}, "lang"),
        ({"text": "hello", "as_of": "31.02.2021"}, "as_of"),
        ({"text": "hello", "colour": "red"}, "colour"),
    ],
)
def test_ask_bad_body_is_422_naming_field(client: TestClient, payload: dict[str, object], field: str) -> None:
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert any(e["field"] == field for e in body["errors"]), body
    assert field in body["detail"]


def test_ask_malformed_json_is_422(client: TestClient) -> None:
    response = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_ask_unknown_language_is_400_listing_supported(client: TestClient) -> None:
    response = client.post("/api/ask", json={"text": "hallo", "lang": "de"})
    assert response.status_code == 400
    assert response.json()["supported"] == ["en", "nl", "sl"]


def test_search_returns_k_hits(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "profielfoto", "lang": "nl", "k": 3}).json()
    assert len(body["hits"]) == 3 and body["hits"][0]["faq_id"] == "profile-pictures"


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "x", "k": 0}, {"q": "x", "k": 50}, {"q": "x" * 2001}])
def test_search_bad_params_are_422(client: TestClient, params: dict[str, object]) -> None:
    assert client.get("/api/search", params=params).status_code == 422


def test_faq_by_id_in_slovenian(client: TestClient) -> None:
    body = client.get("/api/faq/groups-membership", params={"lang": "sl"}).json()
    assert body["sources"][0]["document"] == "ec-faq-sl" and body["lang"] == "sl"


def test_faq_unknown_id_is_404(client: TestClient) -> None:
    response = client.get("/api/faq/no-such-topic")
    assert response.status_code == 404 and "no-such-topic" in response.json()["detail"]


def test_rules_list_has_contract_rules(client: TestClient) -> None:
    names = {r["name"] for r in client.get("/api/rules").json()}
    assert {
        "group_migration",
        "twinspace_migration",
        "profile_migration",
        "national_quality_label",
        "european_quality_label",
        "school_label",
        "seg_course_migration",
        "project_reopen",
    } <= names


def test_rules_group_migration_in_dutch(client: TestClient) -> None:
    body = client.post(
        "/api/rules/group_migration", json={"inputs": {"last_activity": "15.6.2021"}, "lang": "nl"}
    ).json()
    assert body["verdict"] == "yes" and body["lang"] == "nl" and body["sources"]


def test_rules_unknown_rule_is_404_listing_known(client: TestClient) -> None:
    response = client.post("/api/rules/no_such_rule", json={"inputs": {}})
    assert response.status_code == 404 and "group_migration" in response.json()["known"]


def test_rules_bad_date_is_422_naming_field(client: TestClient) -> None:
    response = client.post("/api/rules/group_migration", json={"inputs": {"last_activity": "31.02.2021"}})
    assert response.status_code == 422
    assert response.json()["detail"] == "last_activity: not a date: '31.02.2021'"


def test_rules_missing_input_is_need_more(client: TestClient) -> None:
    body = client.post("/api/rules/project_reopen", json={"inputs": {"closed_on": "30.6.2021"}}).json()
    assert body["verdict"] == "need_more" and body["missing"] == ["multiannual"]


def test_openapi_docs_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]
