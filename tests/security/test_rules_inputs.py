"""Finding 6: rules inputs cannot exhaust a worker (YAML alias bombs, quadratic splitting, size).

Before the fix, 257 characters of YAML aliases in a list input gave a 0.96 MB response (308: 8.7 MB,
each 50 more characters nine times as much) and a 20 kB run of spaces took 6 s to split. Now inputs
are capped, split without YAML in linear time, and an error quotes at most a short piece of what was
sent.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest

from knowledge.rules import InvalidInputError
from knowledge.rules.answers import read_answer
from tests.security.factories import LiveApp

SMALL_RESPONSE = 2_000  # bytes: a 422 names the field, says why, gives an example
FAST = 1.0  # seconds


def alias_bomb(levels: int, width: int) -> str:
    """A YAML flow list whose aliases expand to ``width ** levels`` items when parsed as YAML."""
    anchors = [f"&a0 [{', '.join(['lol'] * width)}]"]
    anchors += [f"&a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return f"[[{', '.join(anchors)}]]"


BOMBS = {
    "alias bomb 9x5": alias_bomb(5, 9),  # 257 characters: a 0.96 MB response before
    "alias bomb 4x12": alias_bomb(12, 4),  # few commas: 16 million items as YAML
    "space run 20 kB": "BE" + " " * 20_000 + "x",
    "space run under the cap": "BE" + " " * 490 + "x",
    "comma run 20 kB": "," * 20_000,
}


@pytest.mark.integration
@pytest.mark.parametrize("raw", BOMBS.values(), ids=BOMBS.keys())
def test_rules_hostile_list_input_is_422_small_and_fast(serve: Callable[..., LiveApp], raw: str) -> None:
    app = serve()
    with app.client() as client:
        started = time.monotonic()
        response = client.post("/api/rules/european_quality_label", json={"inputs": {"nql_countries": raw}})
        elapsed = time.monotonic() - started
    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < SMALL_RESPONSE and elapsed < FAST
    (error,) = response.json()["errors"]
    assert error["field"] == "nql_countries" and error["example"] == "BE, SI"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"nql_countries": ["BE"] * 51}, "nql_countries"),
        ({"nql_countries": ["x" * 10_000]}, "nql_countries"),
        ({"nql_countries": [["BE"], ["SI"]]}, "inputs.nql_countries"),
        ({"nql_countries": {"BE": 1}}, "inputs.nql_countries"),
        ({"nql_countries": 10**300}, "nql_countries"),
        ({"n" * 10_000: "BE"}, "inputs"),
    ],
    ids=["51 items", "long item", "nested list", "object", "huge number", "long input name"],
)
def test_rules_oversized_or_mistyped_input_is_422_naming_the_field(
    serve: Callable[..., LiveApp], inputs: dict[str, object], field: str
) -> None:
    app = serve()
    with app.client() as client:
        response = client.post("/api/rules/european_quality_label", json={"inputs": inputs})
    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < SMALL_RESPONSE
    assert response.json()["errors"][0]["field"].startswith(field)


@pytest.mark.integration
def test_rules_normal_list_input_still_answers(serve: Callable[..., LiveApp]) -> None:
    app = serve()
    with app.client() as client:
        for raw in ("België en Slovenië", "[BE, 'SI']", ["BE", "Slovenija"]):
            response = client.post(
                "/api/rules/european_quality_label", json={"inputs": {"nql_countries": raw}}
            )
            assert response.status_code == 200 and response.json()["verdict"] == "yes", raw


@pytest.mark.unit
@pytest.mark.parametrize("text", ["a" * 20_000, "1 " + " " * 20_000 + "x", "junij " * 3_000], ids=str.__len__)
def test_chat_answer_of_20_kb_is_refused_fast_with_a_short_message(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidInputError) as caught:
        read_answer("group_migration", "last_activity", text, lang="sl", as_of=dt.date(2026, 11, 26))
    assert time.monotonic() - started < FAST
    assert len(str(caught.value)) < 200 and caught.value.example


@pytest.mark.unit
def test_chat_answer_long_word_run_is_read_in_linear_time() -> None:
    text = "a" * 1_980 + " junij 2021"  # under the cap: the month-year scan must not be quadratic
    started = time.monotonic()
    value = read_answer("group_migration", "last_activity", text, lang="sl", as_of=dt.date(2026, 11, 26))
    assert value is not None and time.monotonic() - started < FAST
