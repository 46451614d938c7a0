"""Rules decided over dates as vague as the teacher gave them (knowledge/rules/spans.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.rules.spans import assess, span_of

pytestmark = pytest.mark.unit
AS_OF = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("notation", "first", "last"),
    [
        ("2021-06-15", "2021-06-15", "2021-06-15"),
        ("2022-02", "2022-02-01", "2022-02-28"),
        ("2020", "2020-01-01", "2020-12-31"),
        ("2021-summer", "2021-06-01", "2021-08-31"),
        ("2021-end", "2021-10-01", "2021-12-31"),
        ("2021-early", "2021-01-01", "2021-03-31"),
        ("2021-winter", "2020-12-01", "2021-02-28"),
        ("2018/2019", "2018-09-01", "2019-08-31"),
        ("2026-11-09..2026-11-15", "2026-11-09", "2026-11-15"),
    ],
)
def test_span_of_reads_every_notation(notation: str, first: str, last: str) -> None:
    span = span_of(notation)
    assert span is not None and (span.first.isoformat(), span.last.isoformat()) == (first, last)


@pytest.mark.parametrize("notation", ["2019/2021", "2022-13", "junk", "--09-30"])
def test_span_of_refuses_what_is_no_span(notation: str) -> None:
    assert span_of(notation) is None


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "in June 2021"), ("nl", "in juni 2021"), ("sl", "v juniju 2021")],
)
def test_month_inside_the_window_is_answered_with_the_month(lang: str, label: str) -> None:
    verdict = assess("group_migration", {"last_activity": "2021-06"}, lang, AS_OF).verdict  # type: ignore[arg-type]
    assert verdict.verdict == "yes" and label in verdict.explanation
    assert "1 June 2021" not in verdict.explanation and "1. 6. 2021" not in verdict.explanation


def test_month_across_the_window_end_asks_for_the_day_at_the_boundary() -> None:
    assessment = assess("group_migration", {"last_activity": "2022-02"}, "en", AS_OF)
    assert assessment.verdict.verdict == "need_more" and assessment.verdict.missing == ["last_activity"]
    assert assessment.vague == "last_activity" and assessment.boundary == dt.date(2022, 2, 22)


def test_year_before_the_window_is_answered_no() -> None:
    verdict = assess("group_migration", {"last_activity": "2020"}, "en", AS_OF).verdict
    assert verdict.verdict == "no" and "in 2020" in verdict.explanation


def test_span_starting_on_a_fact_date_keeps_the_fact_date_written_as_a_day() -> None:
    verdict = assess("group_migration", {"last_activity": "2021-early"}, "en", AS_OF).verdict
    assert "from 1 January 2021" in verdict.explanation and "early 2021" in verdict.explanation


def test_vague_date_and_missing_input_asks_the_missing_input_first() -> None:
    assessment = assess("portfolio_activity_migration", {"activity_date": "2018"}, "en", AS_OF)
    assert assessment.verdict.verdict == "need_more" and assessment.vague is None
    assert assessment.verdict.missing == ["is_quality_label", "project_registered"]


def test_days_are_evaluated_as_before() -> None:
    verdict = assess("group_migration", {"last_activity": "2021-06-15"}, "nl", AS_OF).verdict
    assert verdict.verdict == "yes" and "15 juni 2021" in verdict.explanation
