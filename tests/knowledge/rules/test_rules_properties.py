"""Property: every rule returns a Verdict for any valid input, in any language, as of any
date, and never raises."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.rules import InputSpec, RuleSpec, Verdict, evaluate, list_rules
from knowledge.rules.loader import load_rulebook

pytestmark = pytest.mark.unit


def _country_names() -> list[str]:
    countries = load_rulebook().lexicon.by_code.values()
    return sorted({name for c in countries for name in (c.code, c.en, c.nl, c.sl, c.code.lower())})


def _dates() -> st.SearchStrategy[object]:
    days = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2040, 12, 31))
    return st.one_of(
        days,
        days.map(dt.date.isoformat),
        days.map(lambda d: f"{d.day}.{d.month}.{d.year}"),
        days.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
        days.map(lambda d: f"{d.day}. {d.month}. {d.year}"),
    )


def _value(spec: InputSpec) -> st.SearchStrategy[object]:
    low = int(spec.minimum or 0)
    country = st.sampled_from(_country_names())
    strategies: dict[str, st.SearchStrategy[object]] = {
        "date": _dates(),
        "bool": st.sampled_from([True, False, "yes", "no", "ja", "nee", "da", "ne", "true", "false"]),
        "int": st.one_of(st.integers(low, 10_000), st.integers(low, 100).map(str)),
        "number": st.one_of(
            st.floats(low, 100, allow_nan=False, allow_infinity=False),
            st.integers(low, 100).map(lambda n: f"{n},5"),
        ),
        "country": country,
        "country_list": st.one_of(
            st.lists(country, max_size=5), st.lists(country, max_size=4).map(", ".join)
        ),
        "choice": st.sampled_from(spec.choices or ["-"]),
        "choice_list": st.lists(st.sampled_from(spec.choices or ["-"]), max_size=3),
    }
    return strategies[spec.type]


def _inputs(spec: RuleSpec) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({}, optional={i.name: _value(i) for i in spec.inputs})


@pytest.mark.parametrize("spec", list_rules(), ids=lambda spec: spec.name)
def test_every_rule_returns_a_verdict_for_any_valid_input(spec: RuleSpec) -> None:
    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        inputs=_inputs(spec),
        lang=st.sampled_from(["en", "nl", "sl"]),
        as_of=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2040, 12, 31)),
    )
    def check(inputs: dict[str, object], lang: str, as_of: dt.date) -> None:
        verdict = evaluate(spec.name, inputs, lang=lang, as_of=as_of)
        assert isinstance(verdict, Verdict)
        assert verdict.rule == spec.name and verdict.lang == lang and verdict.as_of == as_of
        assert verdict.explanation and "{" not in verdict.explanation
        order = [i.name for i in spec.inputs]
        if verdict.verdict == "need_more":
            given_names = {
                name for name, value in inputs.items() if not (isinstance(value, str) and not value.strip())
            }
            assert verdict.missing and set(verdict.missing) <= set(order) - given_names
            assert verdict.missing == [name for name in order if name in verdict.missing]
        else:
            assert verdict.missing == []
            assert verdict.reasons and all(r.source.entry and r.source.document for r in verdict.reasons)

    check()
